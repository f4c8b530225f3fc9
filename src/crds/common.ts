import { z } from "zod";

/** API group and version of every cloudops resource. */
export const GROUP = "cloudops.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A Discord snowflake: a 64-bit integer written in decimal, 17 to 20 digits today. */
export const SNOWFLAKE_PATTERN = "^[0-9]{17,20}$";

/**
 * A Go-style duration such as `90m`, `1h30m` or `3s`. Units: h, m, s, ms. Six digits a part
 * and 20 characters in all keep every accepted value inside what CEL's duration() can hold.
 */
export const DURATION_PATTERN = "^([0-9]{1,6}(h|ms|m|s))+$";

/** The longest grant or default any policy may allow: seven days. */
export const MAX_JIT_DURATION = "168h";

export const snowflake = (what: string): z.ZodString =>
  z
    .string()
    .regex(new RegExp(SNOWFLAKE_PATTERN), `${what} must be a Discord snowflake (17-20 digits)`)
    .describe(`${what}: a Discord snowflake ID (17-20 decimal digits).`);

/**
 * A Go-style duration bounded by CEL so the API server rejects values out of range with a
 * message naming the field. The guard keeps CEL from evaluating a string the pattern already
 * rejected.
 */
export const duration = (description: string, min = "1s", max = MAX_JIT_DURATION): z.ZodString =>
  withRules(
    z
      .string()
      .max(20)
      .regex(new RegExp(DURATION_PATTERN), "must be a Go duration such as 90m or 1h30m")
      .describe(description),
    {
      rule: `self.matches('${DURATION_PATTERN}')`,
      message: "must be a Go duration such as 90m or 1h30m (units h, m, s, ms; no days)",
    },
    {
      rule:
        `!self.matches('${DURATION_PATTERN}') || ` +
        `(duration(self) >= duration('${min}') && duration(self) <= duration('${max}'))`,
      message: `must be between ${min} and ${max}`,
    },
  );

export interface CelRule {
  rule: string;
  message?: string;
  /** A CEL expression for the message, to include the offending values. */
  messageExpression?: string;
  fieldPath?: string;
}

/** Adds CEL rules (x-kubernetes-validations) to a schema, keeping any it already has. */
export function withRules<T extends z.ZodType>(schema: T, ...rules: CelRule[]): T {
  const meta = schema.meta() ?? {};
  const existing = (meta["x-kubernetes-validations"] as CelRule[] | undefined) ?? [];
  return schema.meta({ ...meta, "x-kubernetes-validations": [...existing, ...rules] }) as T;
}

/** A CEL rule that forbids changing a field once set. */
export const immutable = (field: string): CelRule => ({
  rule: "self == oldSelf",
  message: `${field} is immutable`,
});

export const providerEnum = z
  .enum(["gcp", "aws", "azure"])
  .describe("Cloud provider: gcp, aws or azure.");
export type Provider = z.infer<typeof providerEnum>;

export const resourceTypeEnum = z
  .enum(["vm", "database", "bucket", "vpc", "k8s"])
  .describe("Kind of cloud resource: vm, database, bucket, vpc or k8s.");
export type ResourceType = z.infer<typeof resourceTypeEnum>;

/** A standard Kubernetes condition (metav1.Condition). */
export const conditionSchema = z.object({
  type: z.string().max(316).describe("Type of condition in PascalCase, such as Ready."),
  status: z.enum(["True", "False", "Unknown"]).describe("Status of the condition."),
  reason: z
    .string()
    .max(1024)
    .describe("Programmatic identifier of the last transition, PascalCase."),
  message: z.string().max(32768).describe("Human-readable details of the last transition."),
  lastTransitionTime: z.string().describe("When the status last changed (RFC 3339)."),
  observedGeneration: z
    .int()
    .min(0)
    .optional()
    .describe("The .metadata.generation the condition was set from."),
});
export type Condition = z.infer<typeof conditionSchema>;

export const conditionsField = z
  .array(conditionSchema)
  .max(16)
  .optional()
  .describe("Latest observations of the resource's state.")
  .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] });

/** The metadata every object read back from the API server carries. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  /** Typed as client-node types it; JSON from the API server holds an RFC 3339 string. */
  creationTimestamp?: Date;
  deletionTimestamp?: Date;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A custom resource as it comes from the API server, with spec and status typed. */
export interface Resource<Spec, Status> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}
