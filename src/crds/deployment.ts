import { z } from "zod";
import { conditionsField, providerEnum, resourceTypeEnum, type Resource } from "./common.ts";

export const deploymentPhaseEnum = z.enum([
  "Pending",
  "Blocked",
  "AwaitingApproval",
  "Planning",
  "Applying",
  "Ready",
  "Failed",
  "Destroying",
]);

export const projectSchema = z
  .object({
    name: z.string().min(1).max(100).describe("Human-readable project name."),
    vaultSession: z
      .string()
      .regex(/^[a-f0-9]{16,64}$/, "must be a vault session ID from /cloud-init")
      .optional()
      .describe("Vault session (from /cloud-init) holding the sensitive project ID."),
    idSecretRef: z
      .object({
        name: z.string().min(1).max(253).describe("Secret in the deployment's namespace."),
        key: z.string().min(1).max(253).default("projectId").describe("Key within the Secret."),
      })
      .optional()
      .describe("Secret holding the project ID, for GitOps."),
  })
  .describe("Cloud project the resource is created in.")
  .meta({
    "x-kubernetes-validations": [
      {
        rule: "has(self.vaultSession) != has(self.idSecretRef)",
        message: "exactly one of vaultSession or idSecretRef must be set",
      },
    ],
  });

export const deploymentSpecSchema = z
  .object({
    provider: providerEnum,
    region: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,39}$/, "must be a region name such as us-central1")
      .describe("Cloud region, such as us-central1, eu-west-1 or westeurope."),
    resourceType: resourceTypeEnum,
    machineType: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "must be a machine type such as e2-micro")
      .optional()
      .describe("Instance or machine type, such as e2-micro, t3.small or Standard_B1s."),
    diskSizeGb: z.int().min(1).max(65536).default(10).describe("Disk size in GB."),
    tags: z
      .record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), z.string().max(63))
      .optional()
      .describe("Labels applied to the cloud resource.")
      .meta({ maxProperties: 32 }),
    project: projectSchema,
  })
  .describe("A cloud resource provisioned by Terraform or OpenTofu under the guild's policy.");

export const deploymentStatusSchema = z.object({
  phase: deploymentPhaseEnum.optional(),
  estimatedMonthlyCost: z.number().min(0).optional().describe("Estimated cost in USD per month."),
  engine: z.enum(["terraform", "tofu"]).optional().describe("Engine that runs this deployment."),
  message: z.string().max(1024).optional().describe("Human-readable state."),
  conditions: conditionsField,
  observedGeneration: z.int().min(0).optional(),
});

export type DeploymentSpec = z.infer<typeof deploymentSpecSchema>;
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;
export type CloudDeployment = Resource<DeploymentSpec, DeploymentStatus>;
