import type { z } from "zod";
import { GROUP, VERSION } from "./common.ts";
import { deploymentSpecSchema, deploymentStatusSchema } from "./deployment.ts";
import { guildPolicySpecSchema, guildPolicyStatusSchema } from "./guild-policy.ts";
import { jitGrantSpecSchema, jitGrantStatusSchema } from "./jit-grant.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** Everything needed to describe one custom resource to the API server and to our code. */
export interface ResourceDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: "Namespaced" | "Cluster";
  description: string;
  spec: z.ZodType;
  status: z.ZodType;
  /** CEL rules on the whole object, where a rule spans metadata and spec. */
  rootValidations?: { rule: string; message: string; fieldPath?: string }[];
  printerColumns: PrinterColumn[];
}

const age: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };

export const guildPolicyDefinition: ResourceDefinition = {
  kind: "GuildPolicy",
  plural: "guildpolicies",
  singular: "guildpolicy",
  shortNames: ["gp"],
  scope: "Cluster",
  description:
    "Per-guild guardrails: budget, limits, allow-lists, approval, engine and JIT limits.",
  spec: guildPolicySpecSchema,
  status: guildPolicyStatusSchema,
  rootValidations: [
    {
      rule: "self.metadata.name == self.spec.guildId",
      message: "metadata.name must equal spec.guildId",
      fieldPath: ".spec.guildId",
    },
  ],
  printerColumns: [
    { name: "Guild", type: "string", jsonPath: ".spec.guildName" },
    { name: "Budget", type: "number", jsonPath: ".spec.maxMonthlyBudget" },
    { name: "Instances", type: "integer", jsonPath: ".spec.maxInstances" },
    { name: "Engine", type: "string", jsonPath: ".spec.engine" },
    { name: "Active", type: "integer", jsonPath: ".status.activeResources" },
    age,
  ],
};

export const jitGrantDefinition: ResourceDefinition = {
  kind: "JitGrant",
  plural: "jitgrants",
  singular: "jitgrant",
  shortNames: ["jit"],
  scope: "Namespaced",
  description: "Time-limited access for one user, revoked automatically at expiry.",
  spec: jitGrantSpecSchema,
  status: jitGrantStatusSchema,
  printerColumns: [
    { name: "User", type: "string", jsonPath: ".spec.userId" },
    { name: "Level", type: "string", jsonPath: ".spec.level" },
    { name: "Provider", type: "string", jsonPath: ".spec.provider" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Expires", type: "string", jsonPath: ".status.expiresAt" },
    { name: "Reason", type: "string", jsonPath: ".spec.reason", priority: 1 },
    age,
  ],
};

export const deploymentDefinition: ResourceDefinition = {
  kind: "Deployment",
  plural: "deployments",
  singular: "deployment",
  shortNames: ["cdeploy"],
  scope: "Namespaced",
  description:
    "A cloud resource, cost-estimated and policy-checked, applied by Terraform/OpenTofu.",
  spec: deploymentSpecSchema,
  status: deploymentStatusSchema,
  printerColumns: [
    { name: "Provider", type: "string", jsonPath: ".spec.provider" },
    { name: "Type", type: "string", jsonPath: ".spec.resourceType" },
    { name: "Region", type: "string", jsonPath: ".spec.region" },
    { name: "Cost", type: "number", jsonPath: ".status.estimatedMonthlyCost" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    age,
  ],
};

export const definitions: ResourceDefinition[] = [
  guildPolicyDefinition,
  jitGrantDefinition,
  deploymentDefinition,
];

export const CATEGORY = "cloudops";
export { GROUP, VERSION };
