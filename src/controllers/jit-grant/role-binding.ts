import { createHash } from "node:crypto";
import type { RbacAuthorizationV1Api, V1RoleBinding } from "@kubernetes/client-node";
import { API_VERSION } from "../../crds/common.ts";
import type { JitGrant, JitLevel } from "../../crds/jit-grant.ts";
import { isAlreadyExists, isNotFound } from "../../runtime/kube.ts";

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_GRANT = "cloudops.dev/jit-grant";
export const LABEL_USER = "cloudops.dev/user-id";
export const MANAGER = "cloudops";

/** The Kubernetes user name a Discord user acts as, in RBAC and SubjectAccessReviews. */
export const discordUser = (userId: string): string => `discord:${userId}`;

/** The ClusterRole shipped in config/rbac for each level. */
export const clusterRoleFor = (level: JitLevel): string => `cloudops:${level}`;

/** RoleBinding name for a grant; long grant names are shortened with a hash. */
export function roleBindingName(grantName: string): string {
  const name = `cloudops-jit-${grantName}`;
  if (name.length <= 253) return name;
  const hash = createHash("sha256").update(grantName).digest("hex").slice(0, 12);
  return `${name.slice(0, 240)}-${hash}`;
}

export function desiredRoleBinding(grant: JitGrant): V1RoleBinding {
  const { name, namespace, uid } = grant.metadata;
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: {
      name: roleBindingName(name),
      namespace,
      labels: {
        [LABEL_MANAGED_BY]: MANAGER,
        [LABEL_GRANT]: labelValue(name),
        [LABEL_USER]: grant.spec.userId,
      },
      ownerReferences: [
        { apiVersion: API_VERSION, kind: "JitGrant", name, uid: uid as string, controller: true },
      ],
    },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: clusterRoleFor(grant.spec.level),
    },
    subjects: [
      { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: discordUser(grant.spec.userId) },
    ],
  };
}

/** Label values are at most 63 characters; longer grant names are hashed. */
function labelValue(name: string): string {
  if (name.length <= 63) return name;
  return `${name.slice(0, 50)}-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

/**
 * Makes the grant's RoleBinding match what the grant gives. roleRef cannot change in place, so
 * a binding pointing at another role is replaced by delete and create.
 */
export async function ensureRoleBinding(
  api: RbacAuthorizationV1Api,
  grant: JitGrant,
  existing: V1RoleBinding | undefined,
): Promise<void> {
  const desired = desiredRoleBinding(grant);
  const name = desired.metadata?.name as string;
  const namespace = desired.metadata?.namespace as string;
  if (!existing) {
    try {
      await api.createNamespacedRoleBinding({ namespace, body: desired });
    } catch (err) {
      // Created a moment ago and not in the cache yet: its watch event brings the grant back.
      if (!isAlreadyExists(err)) throw err;
    }
    return;
  }
  if (existing.roleRef.name !== desired.roleRef.name) {
    await deleteRoleBinding(api, namespace, name);
    await api.createNamespacedRoleBinding({ namespace, body: desired });
    return;
  }
  if (JSON.stringify(existing.subjects) !== JSON.stringify(desired.subjects)) {
    await api.replaceNamespacedRoleBinding({
      name,
      namespace,
      body: {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion },
      },
    });
  }
}

/** Deletes a RoleBinding; one already gone counts as deleted. */
export async function deleteRoleBinding(
  api: RbacAuthorizationV1Api,
  namespace: string,
  name: string,
): Promise<void> {
  try {
    await api.deleteNamespacedRoleBinding({ name, namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
