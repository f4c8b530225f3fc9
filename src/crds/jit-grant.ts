import { z } from "zod";
import {
  conditionsField,
  duration,
  immutable,
  providerEnum,
  snowflake,
  withRules,
  type Resource,
} from "./common.ts";

export const jitLevelEnum = z
  .enum(["viewer", "deployer", "admin"])
  .describe(
    "viewer reads cloudops resources; deployer also creates and updates Deployments; " +
      "admin also deletes and approves them.",
  );
export type JitLevel = z.infer<typeof jitLevelEnum>;

export const jitPhaseEnum = z.enum(["Pending", "Active", "Expired", "Revoked", "Denied"]);
export type JitPhase = z.infer<typeof jitPhaseEnum>;

export const jitTransitionEnum = z.enum(["Granted", "Expired", "Revoked"]);
export type JitTransition = z.infer<typeof jitTransitionEnum>;

export const jitGrantSpecSchema = withRules(
  z
    .object({
      userId: withRules(snowflake("Discord user ID of the grantee"), immutable("userId")),
      userName: z.string().max(100).optional().describe("Display name of the grantee."),
      provider: withRules(providerEnum, immutable("provider")),
      level: withRules(jitLevelEnum, immutable("level")),
      duration: withRules(
        duration(
          "How long the grant lasts, as a Go duration (90m, 2h). The guild policy's " +
            "jit.defaultDuration (60m unless set) applies when omitted; jit.maxDuration caps it.",
        ),
        immutable("duration"),
      ).optional(),
      reason: withRules(z.string().max(500), immutable("reason"))
        .optional()
        .describe("Why the access is needed; kept for audit."),
      grantedBy: withRules(z.string().min(1).max(128), immutable("grantedBy"))
        .optional()
        .describe(
          "Who granted the access (a Discord user ID or a Kubernetes user); kept for audit.",
        ),
      revoked: z
        .boolean()
        .default(false)
        .describe("Set to true to revoke the grant now; it cannot be set back to false.")
        .meta({
          "x-kubernetes-validations": [
            { rule: "self || !oldSelf", message: "a revoked grant cannot be reinstated" },
          ],
        }),
    })
    .describe("Time-limited access for one Discord user to one guild's cloudops resources."),
  // The window is fixed when the grant starts; a duration added later would only mislead.
  ...(["duration", "reason", "grantedBy"] as const).map((field) => ({
    rule: `has(self.${field}) == has(oldSelf.${field})`,
    message: `${field} cannot be added or removed after creation`,
  })),
);

export const jitGrantStatusSchema = z.object({
  phase: jitPhaseEnum.optional().describe("Pending, Active, Expired, Revoked or Denied."),
  grantedAt: z.string().optional().describe("When access started (server time, RFC 3339)."),
  expiresAt: z.string().optional().describe("When access ends; fixed once recorded."),
  revokedAt: z.string().optional().describe("When access was revoked or expired."),
  roleBinding: z.string().optional().describe("Name of the RoleBinding that gives the access."),
  notified: z
    .array(jitTransitionEnum)
    .max(3)
    .optional()
    .describe("Transitions the grantee has been told about; each is sent at most once."),
  message: z.string().max(1024).optional().describe("Human-readable state of the grant."),
  conditions: conditionsField,
  observedGeneration: z.int().min(0).optional(),
});

export type JitGrantSpec = z.infer<typeof jitGrantSpecSchema>;
export type JitGrantStatus = z.infer<typeof jitGrantStatusSchema>;
export type JitGrant = Resource<JitGrantSpec, JitGrantStatus>;
