import { API_VERSION } from "../../crds/common.ts";
import type { JitGrant, JitGrantStatus, JitTransition } from "../../crds/jit-grant.ts";
import type { EventTarget } from "../../runtime/events.ts";
import { ConditionType, Reason, removeCondition, rfc3339, setCondition } from "../conditions.ts";

/** How an active grant ends. */
export type Ending = "Expired" | "Revoked";

export const ENDING = {
  Expired: { reason: Reason.GrantExpired, verb: "expired" },
  Revoked: { reason: Reason.GrantRevoked, verb: "was revoked" },
} as const;

export function addTransition(
  notified: JitTransition[] | undefined,
  transition: JitTransition,
): JitTransition[] {
  const list = notified ?? [];
  return list.includes(transition) ? list : [...list, transition];
}

export function activeConditions(
  status: JitGrantStatus,
  message: string,
  generation: number | undefined,
): JitGrantStatus["conditions"] {
  const ready = setCondition(
    status.conditions,
    { type: ConditionType.Ready, status: "True", reason: Reason.AccessGranted, message },
    generation,
  );
  return removeCondition(ready, ConditionType.Stalled);
}

/** Status of a grant that has just ended; `announced` says whether the grantee is told. */
export function endedStatus(
  grant: JitGrant,
  ending: Ending,
  endedAt: Date,
  announced: boolean,
): JitGrantStatus {
  const status = grant.status ?? {};
  const { reason, verb } = ENDING[ending];
  const granted = (status.notified ?? []).includes("Granted");
  const message = granted
    ? `access ${verb} at ${rfc3339(endedAt)}`
    : `grant ${verb} at ${rfc3339(endedAt)} before access was given`;
  return {
    ...status,
    phase: ending,
    revokedAt: rfc3339(endedAt),
    roleBinding: undefined,
    notified: announced ? addTransition(status.notified, ending) : status.notified,
    message,
    observedGeneration: grant.metadata.generation,
    conditions: setCondition(
      status.conditions,
      { type: ConditionType.Ready, status: "False", reason, message },
      grant.metadata.generation,
      endedAt,
    ),
  };
}

export function eventTarget(grant: JitGrant): EventTarget {
  return {
    apiVersion: API_VERSION,
    kind: "JitGrant",
    metadata: {
      name: grant.metadata.name,
      namespace: grant.metadata.namespace,
      uid: grant.metadata.uid,
      resourceVersion: grant.metadata.resourceVersion,
    },
  };
}

export function invalidSpecMessage(error: {
  issues: { path: PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .map((issue) => `spec.${issue.path.map(String).join(".")}: ${issue.message}`)
    .join("; ");
}

/** Length of a grant's recorded window in milliseconds, if it has one. */
export function windowMs(status: JitGrantStatus | undefined): number | undefined {
  if (!status?.grantedAt || !status.expiresAt) return undefined;
  return Date.parse(status.expiresAt) - Date.parse(status.grantedAt);
}
