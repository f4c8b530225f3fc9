import type { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../crds/common.ts";
import { isConflict } from "./kube.ts";

export interface CustomResourceRef {
  plural: string;
  name: string;
  namespace?: string;
}

export interface StoredObject<Status> {
  metadata: { resourceVersion?: string; generation?: number };
  status?: Status;
}

/** Decides the next status from the freshest object; undefined means nothing to write. */
export type StatusMutation<T, Status> = (current: T) => Status | undefined;

const MAX_CONFLICT_RETRIES = 5;

/**
 * Writes status through the status subresource with optimistic concurrency. On a conflict the
 * object is read again and the mutation decides afresh, so a decision such as "this grant has
 * just expired" is taken by exactly one writer even when two reconciles race.
 * Returns the object as stored, or undefined when the mutation found nothing to change.
 */
export async function updateStatus<T extends StoredObject<Status>, Status>(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  current: T,
  mutate: StatusMutation<T, Status>,
): Promise<T | undefined> {
  let object = current;
  for (let attempt = 0; ; attempt++) {
    const status = mutate(object);
    if (status === undefined) return undefined;
    try {
      return (await replaceStatus(api, ref, { ...object, status })) as T;
    } catch (err) {
      if (!isConflict(err) || attempt >= MAX_CONFLICT_RETRIES) {
        throw new Error(`Failed to update status of ${describe(ref)}`, { cause: err });
      }
      object = (await getObject(api, ref)) as T;
    }
  }
}

export function getObject(api: CustomObjectsApi, ref: CustomResourceRef): Promise<unknown> {
  const base = { group: GROUP, version: VERSION, plural: ref.plural, name: ref.name };
  return ref.namespace
    ? api.getNamespacedCustomObject({ ...base, namespace: ref.namespace })
    : api.getClusterCustomObject(base);
}

function replaceStatus(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  body: object,
): Promise<unknown> {
  const base = { group: GROUP, version: VERSION, plural: ref.plural, name: ref.name, body };
  return ref.namespace
    ? api.replaceNamespacedCustomObjectStatus({ ...base, namespace: ref.namespace })
    : api.replaceClusterCustomObjectStatus(base);
}

function describe(ref: CustomResourceRef): string {
  return ref.namespace ? `${ref.plural} ${ref.namespace}/${ref.name}` : `${ref.plural} ${ref.name}`;
}
