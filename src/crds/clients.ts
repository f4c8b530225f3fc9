import type { CustomObjectsApi } from "@kubernetes/client-node";
import { API_VERSION, GROUP, VERSION } from "./common.ts";
import type { GuildPolicy, GuildPolicySpec } from "./guild-policy.ts";
import type { JitGrant, JitGrantSpec } from "./jit-grant.ts";

/** Creates a JitGrant; the API server fills defaults and validates it. */
export async function createJitGrant(
  api: CustomObjectsApi,
  namespace: string,
  name: string,
  spec: Partial<JitGrantSpec> & Pick<JitGrantSpec, "userId">,
): Promise<JitGrant> {
  return (await api.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "jitgrants",
    namespace,
    body: {
      apiVersion: API_VERSION,
      kind: "JitGrant",
      metadata: { name, namespace },
      spec: { provider: "gcp", level: "deployer", ...spec },
    },
  })) as JitGrant;
}

/** Creates a GuildPolicy named after its guild. */
export async function createGuildPolicy(
  api: CustomObjectsApi,
  spec: Partial<GuildPolicySpec> & Pick<GuildPolicySpec, "guildId">,
  name: string = spec.guildId,
): Promise<GuildPolicy> {
  return (await api.createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "guildpolicies",
    body: { apiVersion: API_VERSION, kind: "GuildPolicy", metadata: { name }, spec },
  })) as GuildPolicy;
}
