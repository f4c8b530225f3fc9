import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION } from "../crds/common.ts";
import type { CustomResourceRef } from "./status.ts";

interface WithFinalizers {
  metadata: { finalizers?: string[]; resourceVersion?: string };
}

export const hasFinalizer = (obj: WithFinalizers, finalizer: string): boolean =>
  obj.metadata.finalizers?.includes(finalizer) ?? false;

/**
 * Sets the finalizer list with a JSON merge patch guarded by resourceVersion, so a finalizer
 * another controller added at the same moment is never dropped: the write conflicts instead,
 * and the reconcile runs again on the fresh object.
 */
async function patchFinalizers(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  obj: WithFinalizers,
  finalizers: string[],
): Promise<unknown> {
  const body = { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } };
  const options = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  const base = { group: GROUP, version: VERSION, plural: ref.plural, name: ref.name, body };
  return ref.namespace
    ? api.patchNamespacedCustomObject({ ...base, namespace: ref.namespace }, options)
    : api.patchClusterCustomObject(base, options);
}

export async function addFinalizer<T extends WithFinalizers>(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  obj: T,
  finalizer: string,
): Promise<T> {
  if (hasFinalizer(obj, finalizer)) return obj;
  const next = [...(obj.metadata.finalizers ?? []), finalizer];
  return (await patchFinalizers(api, ref, obj, next)) as T;
}

export async function removeFinalizer<T extends WithFinalizers>(
  api: CustomObjectsApi,
  ref: CustomResourceRef,
  obj: T,
  finalizer: string,
): Promise<T> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  const next = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return (await patchFinalizers(api, ref, obj, next)) as T;
}
