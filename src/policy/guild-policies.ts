import type { KubeConfig, CustomObjectsApi, KubernetesListObject } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, SNOWFLAKE_PATTERN, VERSION } from "../crds/common.ts";
import {
  GUILD_POLICY_DEFAULTS,
  guildPolicySpecSchema,
  type GuildPolicy,
  type GuildPolicySpec,
} from "../crds/guild-policy.ts";
import { parseDuration } from "./duration.ts";
import { ResilientInformer } from "../runtime/informer.ts";

export interface ResolvedGuild {
  guildId: string;
  /** The policy with every default applied. */
  policy: GuildPolicySpec;
  /** Whether a GuildPolicy object exists, or the seed defaults apply. */
  source: "GuildPolicy" | "Defaults";
}

const GUILD_NAMESPACE = new RegExp(`^guild-(${SNOWFLAKE_PATTERN.slice(1, -1)})$`);

export const defaultNamespaceFor = (guildId: string): string => `guild-${guildId}`;

/** The policy of a guild that has no GuildPolicy: the seed's defaults. */
export function defaultPolicy(guildId: string): GuildPolicySpec {
  return guildPolicySpecSchema.parse({ guildId });
}

/**
 * Answers "which guild owns this namespace, under which policy" from a watch of GuildPolicy
 * objects. A policy's spec.namespace wins; otherwise a namespace named guild-<id> belongs to
 * that guild, with the policy named <id> if there is one and the defaults if not.
 */
export class GuildPolicyIndex {
  readonly informer: ResilientInformer<GuildPolicy>;

  constructor(kubeConfig: KubeConfig, custom: CustomObjectsApi, log: Logger) {
    this.informer = new ResilientInformer<GuildPolicy>(
      kubeConfig,
      {
        path: `/apis/${GROUP}/${VERSION}/guildpolicies`,
        list: () =>
          custom.listClusterCustomObject({
            group: GROUP,
            version: VERSION,
            plural: "guildpolicies",
          }) as Promise<KubernetesListObject<GuildPolicy>>,
        onChange: () => undefined,
      },
      log,
    );
  }

  forNamespace(namespace: string): ResolvedGuild | undefined {
    for (const item of this.informer.list()) {
      const spec = parsePolicy(item);
      if (spec && (spec.namespace ?? defaultNamespaceFor(spec.guildId)) === namespace) {
        return { guildId: spec.guildId, policy: spec, source: "GuildPolicy" };
      }
    }
    const match = GUILD_NAMESPACE.exec(namespace);
    if (!match) return undefined;
    const guildId = match[1] as string;
    const claimed = this.informer.get(guildId);
    if (claimed && parsePolicy(claimed)?.namespace) return undefined;
    return { guildId, policy: defaultPolicy(guildId), source: "Defaults" };
  }
}

/** The spec with defaults applied, or undefined for an object the schema rejects. */
export function parsePolicy(obj: GuildPolicy): GuildPolicySpec | undefined {
  const parsed = guildPolicySpecSchema.safeParse(obj.spec);
  return parsed.success ? parsed.data : undefined;
}

export interface JitLimits {
  maxDuration: string;
  maxMs: number;
  defaultDuration: string;
  defaultMs: number;
}

/**
 * A guild's effective JIT limits: its own where set, else 24h at most and 60m by default, the
 * default shortened to the maximum when the guild allows less than 60m.
 */
export function jitLimits(policy: GuildPolicySpec): JitLimits {
  const maxDuration = policy.jit?.maxDuration ?? GUILD_POLICY_DEFAULTS.jitMaxDuration;
  const maxMs = parseDuration(maxDuration);
  const fallback = GUILD_POLICY_DEFAULTS.jitDefaultDuration;
  const defaultDuration =
    policy.jit?.defaultDuration ?? (parseDuration(fallback) <= maxMs ? fallback : maxDuration);
  return { maxDuration, maxMs, defaultDuration, defaultMs: parseDuration(defaultDuration) };
}
