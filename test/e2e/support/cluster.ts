import { randomInt } from "node:crypto";
import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { expect, inject } from "vitest";
import { GROUP, VERSION } from "../../../src/crds/common.ts";
import { createJitGrant } from "../../../src/crds/clients.ts";
import type { JitGrant, JitGrantSpec } from "../../../src/crds/jit-grant.ts";
import { makeClients, PooledKubeConfig, type KubeClients } from "../../../src/runtime/kube.ts";

export function adminClients(): KubeClients {
  const kc = new PooledKubeConfig();
  kc.loadFromFile(inject("kubeconfig"));
  return makeClients(kc);
}

/** A random Discord-style snowflake (18 digits). */
export function snowflake(): string {
  return `${randomInt(1, 10)}${String(randomInt(0, 2 ** 47)).padStart(17, "0")}`.slice(0, 18);
}

/** Creates a fresh guild namespace (guild-<id>) and returns the guild ID and namespace. */
export async function newGuild(
  clients: KubeClients,
): Promise<{ guildId: string; namespace: string }> {
  const guildId = snowflake();
  const namespace = `guild-${guildId}`;
  await clients.core.createNamespace({ body: { metadata: { name: namespace } } });
  return { guildId, namespace };
}

export const createGrant = (
  clients: KubeClients,
  namespace: string,
  name: string,
  spec: Partial<JitGrantSpec> & Pick<JitGrantSpec, "userId">,
): Promise<JitGrant> => createJitGrant(clients.custom, namespace, name, spec);

export async function getGrant(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<JitGrant> {
  return (await clients.custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "jitgrants",
    namespace,
    name,
  })) as JitGrant;
}

/**
 * Reads a grant and asserts its phase; wrapped in eventually() it waits for the phase.
 * Returns the grant as read.
 */
export async function grantInPhase(
  clients: KubeClients,
  namespace: string,
  name: string,
  phase: string,
): Promise<JitGrant> {
  const grant = await getGrant(clients, namespace, name);
  expect(grant.status?.phase).toBe(phase);
  return grant;
}

export async function patchGrantSpec(
  clients: KubeClients,
  namespace: string,
  name: string,
  spec: Partial<JitGrantSpec>,
): Promise<JitGrant> {
  return (await clients.custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, plural: "jitgrants", namespace, name, body: { spec } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  )) as JitGrant;
}

/** Asks the API server whether a Discord user may create cloudops Deployments in a namespace. */
export async function canCreateDeployments(
  clients: KubeClients,
  userId: string,
  namespace: string,
): Promise<boolean> {
  const review = await clients.authorization.createSubjectAccessReview({
    body: {
      spec: {
        user: `discord:${userId}`,
        resourceAttributes: { group: GROUP, resource: "deployments", verb: "create", namespace },
      },
    },
  });
  return review.status?.allowed === true;
}

export async function roleBindingExists(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<boolean> {
  try {
    await clients.rbac.readNamespacedRoleBinding({ namespace, name });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}
