import type { Condition } from "../crds/common.ts";

/**
 * Condition types and reasons used by every cloudops controller. Reasons are PascalCase,
 * a noun followed by a past participle where one fits.
 */
export const ConditionType = {
  /** True when the resource is in the state its spec asks for and in force. */
  Ready: "Ready",
  /** True while the controller is working towards the spec (acquiring, waiting, applying). */
  Reconciling: "Reconciling",
  /**
   * True when the controller will not act on the object again (a denial, invalid input); the
   * message says what to do instead, such as creating a new grant within the limits.
   */
  Stalled: "Stalled",
} as const;

export const Reason = {
  /** JitGrant: the RoleBinding exists and the user holds the level's permissions. */
  AccessGranted: "AccessGranted",
  /** JitGrant: expiresAt passed; the RoleBinding is deleted. */
  GrantExpired: "GrantExpired",
  /** JitGrant: spec.revoked was set or the grant was deleted; the RoleBinding is deleted. */
  GrantRevoked: "GrantRevoked",
  /** The guild policy does not allow what the spec asks for. */
  PolicyDenied: "PolicyDenied",
  /** The namespace is not one of a guild's. */
  GuildUnknown: "GuildUnknown",
  /** Work towards the spec is under way. */
  ProgressingStarted: "ProgressingStarted",
} as const;

export type ConditionTypeName = (typeof ConditionType)[keyof typeof ConditionType];
export type ReasonName = (typeof Reason)[keyof typeof Reason];

export interface ConditionInput {
  type: ConditionTypeName;
  status: Condition["status"];
  reason: ReasonName;
  message: string;
}

/**
 * Sets a condition in a list, keeping lastTransitionTime when the status did not change, and
 * returns the new list.
 */
export function setCondition(
  conditions: Condition[] | undefined,
  input: ConditionInput,
  observedGeneration: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === input.type);
  const lastTransitionTime =
    previous && previous.status === input.status ? previous.lastTransitionTime : rfc3339(now);
  const next: Condition = { ...input, lastTransitionTime, observedGeneration };
  return [...list.filter((c) => c.type !== input.type), next];
}

/** Removes a condition type from a list. */
export function removeCondition(
  conditions: Condition[] | undefined,
  type: ConditionTypeName,
): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export function findCondition(
  conditions: Condition[] | undefined,
  type: ConditionTypeName,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** RFC 3339 in UTC: whole seconds as metav1.Time writes them, milliseconds only when set. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, "Z");
}
