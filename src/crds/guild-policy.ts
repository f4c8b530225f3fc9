import { z } from "zod";
import {
  conditionsField,
  duration,
  resourceTypeEnum,
  snowflake,
  withRules,
  type Resource,
} from "./common.ts";

export const GUILD_POLICY_DEFAULTS = {
  maxMonthlyBudget: 1000,
  maxInstances: 10,
  maxDiskSizeGb: 500,
  engine: "terraform",
  jitMaxDuration: "24h",
  jitDefaultDuration: "60m",
} as const;

export const jitLimitsSchema = withRules(
  z
    .object({
      maxDuration: duration(
        "Longest duration a JIT grant in this guild may have " +
          `(${GUILD_POLICY_DEFAULTS.jitMaxDuration} unless set).`,
      ).optional(),
      defaultDuration: duration(
        "Duration of a JIT grant that does not name one " +
          `(${GUILD_POLICY_DEFAULTS.jitDefaultDuration}, ` +
          "or maxDuration if shorter, unless set).",
      ).optional(),
    })
    .describe("Limits on just-in-time access grants."),
  {
    rule:
      "!has(self.defaultDuration) || !has(self.maxDuration) || " +
      "duration(self.defaultDuration) <= duration(self.maxDuration)",
    messageExpression:
      "'defaultDuration ' + self.defaultDuration + " +
      "' must not exceed maxDuration ' + self.maxDuration",
    fieldPath: ".defaultDuration",
  },
);

export const guildPolicySpecSchema = z
  .object({
    guildId: snowflake("Discord guild ID; must equal metadata.name"),
    guildName: z.string().min(1).max(100).optional().describe("Display name of the guild."),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS label")
      .max(63)
      .optional()
      .describe("Namespace holding the guild's grants and deployments; guild-<guildId> if unset."),
    maxMonthlyBudget: z
      .number()
      .min(0)
      .max(1_000_000)
      .default(GUILD_POLICY_DEFAULTS.maxMonthlyBudget)
      .describe("Monthly budget in USD that the guild's estimated costs may not exceed."),
    maxInstances: z
      .int()
      .min(0)
      .max(1000)
      .default(GUILD_POLICY_DEFAULTS.maxInstances)
      .describe("Most resources the guild may run at once."),
    maxDiskSizeGb: z
      .int()
      .min(1)
      .max(65536)
      .default(GUILD_POLICY_DEFAULTS.maxDiskSizeGb)
      .describe("Largest disk, in GB, a single resource may request."),
    allowedInstanceTypes: z
      .array(z.string().min(1).max(63))
      .max(100)
      .default([])
      .describe("Machine types members may deploy; empty allows all."),
    allowedResourceTypes: z
      .array(resourceTypeEnum)
      .max(5)
      .default([])
      .describe("Resource types members may deploy; empty allows all."),
    requireApproval: z
      .boolean()
      .default(false)
      .describe("Whether a guild admin must approve each deployment before it is applied."),
    engine: z
      .enum(["terraform", "tofu"])
      .default(GUILD_POLICY_DEFAULTS.engine)
      .describe("Preferred infrastructure-as-code engine: terraform or tofu."),
    sandbox: z
      .boolean()
      .default(false)
      .describe("Render deployments as provider-free terraform_data resources (no cloud account)."),
    jit: jitLimitsSchema.optional(),
    deployAccess: z
      .enum(["Everyone", "Granted"])
      .default("Everyone")
      .describe("Who may deploy: every member, or only holders of a deployer or admin grant."),
  })
  .describe("Guardrails for one Discord guild.");

export const guildPolicyStatusSchema = z.object({
  namespace: z.string().optional().describe("Namespace the guild's resources live in."),
  activeResources: z.int().min(0).optional().describe("Deployments currently counted."),
  estimatedMonthlySpend: z
    .number()
    .min(0)
    .optional()
    .describe("Sum of the estimated monthly costs of active deployments, in USD."),
  conditions: conditionsField,
  observedGeneration: z.int().min(0).optional(),
});

export type GuildPolicySpec = z.infer<typeof guildPolicySpecSchema>;
export type GuildPolicyStatus = z.infer<typeof guildPolicyStatusSchema>;
export type GuildPolicy = Resource<GuildPolicySpec, GuildPolicyStatus>;
