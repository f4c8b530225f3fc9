import type { V1RoleBinding } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, VERSION } from "../../crds/common.ts";
import {
  jitGrantSpecSchema,
  type JitGrant,
  type JitGrantSpec,
  type JitGrantStatus,
  type JitTransition,
} from "../../crds/jit-grant.ts";
import { parseDuration, humanDuration } from "../../policy/duration.ts";
import {
  activeConditions,
  addTransition,
  endedStatus,
  ENDING,
  eventTarget,
  invalidSpecMessage,
  windowMs,
  type Ending,
} from "./grant-status.ts";
import {
  jitLimits,
  type GuildPolicyIndex,
  type ResolvedGuild,
} from "../../policy/guild-policies.ts";
import type { ReconcileRequest, ReconcileResult } from "../../runtime/controller.ts";
import type { EventRecorder } from "../../runtime/events.ts";
import { addFinalizer, removeFinalizer } from "../../runtime/finalizers.ts";
import type { KubeClients } from "../../runtime/kube.ts";
import { isNotFound } from "../../runtime/kube.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import { updateStatus, type CustomResourceRef } from "../../runtime/status.ts";
import { ConditionType, Reason, rfc3339, setCondition, type ReasonName } from "../conditions.ts";
import type { Notifier } from "./notifier.ts";
import { deleteRoleBinding, ensureRoleBinding, roleBindingName } from "./role-binding.ts";

/** Keeps the RoleBinding from outliving a grant deleted while active. */
export const JIT_FINALIZER = "cloudops.dev/revoke-access";

export const ENDED_PHASES = new Set(["Expired", "Revoked", "Denied"]);

/** Read access to what an informer has cached. */
export interface ObjectStore<T> {
  get(name: string, namespace?: string): T | undefined;
}

export interface JitGrantReconcilerDeps {
  clients: KubeClients;
  /** Cached JitGrants: reconciles read these, writes guard against staleness by resourceVersion. */
  grants: ObjectStore<JitGrant>;
  /** Cached RoleBindings managed by cloudops. */
  bindings: ObjectStore<V1RoleBinding>;
  policies: GuildPolicyIndex;
  events: EventRecorder;
  notifier: Notifier;
  metrics: OperatorMetrics;
  /** How long an ended grant is kept for audit before it is deleted. */
  retentionMs: number;
}

interface GrantWindow {
  grantedAt: Date;
  expiresAt: Date;
  durationMs: number;
}

interface Denial {
  reason: ReasonName;
  message: string;
}

type Admission = { denial: Denial } | { spec: JitGrantSpec; guildId: string; window: GrantWindow };

/**
 * Reconciles a JitGrant: records its window once, gives access through a RoleBinding while the
 * window is open, and takes it away at expiresAt or on revocation, telling the grantee once per
 * transition.
 */
export class JitGrantReconciler {
  private readonly deps: JitGrantReconcilerDeps;

  constructor(deps: JitGrantReconcilerDeps) {
    this.deps = deps;
  }

  async reconcile(req: ReconcileRequest): Promise<ReconcileResult | void> {
    const ref: CustomResourceRef = {
      plural: "jitgrants",
      name: req.name,
      namespace: req.namespace,
    };
    let grant = this.deps.grants.get(req.name, req.namespace);
    if (!grant) return;

    if (grant.metadata.deletionTimestamp) return this.finalize(ref, grant, req.log);

    if (ENDED_PHASES.has(grant.status?.phase ?? "")) return this.afterEnd(ref, grant);

    const admission = this.admit(grant);
    if ("denial" in admission) return this.deny(ref, grant, admission.denial, req.log);
    const { spec, window } = admission;
    const log = req.log.child({ guild: admission.guildId, user: spec.userId });

    grant = await addFinalizer(this.deps.clients.custom, ref, grant, JIT_FINALIZER);

    if (spec.revoked || Date.now() >= window.expiresAt.getTime()) {
      const ending = spec.revoked ? "Revoked" : "Expired";
      return this.end(ref, grant, { ending, window }, log);
    }

    const existing = this.deps.bindings.get(roleBindingName(grant.metadata.name), req.namespace);
    await ensureRoleBinding(this.deps.clients.rbac, grant, existing);
    await this.markActive(ref, grant, window, log);
    return { requeueAfterMs: window.expiresAt.getTime() - Date.now() };
  }

  /** Checks the spec and the guild's policy, and works out the grant's window. */
  private admit(grant: JitGrant): Admission {
    const parsed = jitGrantSpecSchema.safeParse(grant.spec);
    if (!parsed.success) {
      return { denial: { reason: Reason.PolicyDenied, message: invalidSpecMessage(parsed.error) } };
    }
    const namespace = grant.metadata.namespace as string;
    const guild = this.deps.policies.forNamespace(namespace);
    if (!guild) {
      const message =
        `namespace ${namespace} does not belong to any guild: use guild-<guild ID> ` +
        "or the namespace a GuildPolicy names in spec.namespace";
      return { denial: { reason: Reason.GuildUnknown, message } };
    }
    const window = this.window(grant, parsed.data, guild);
    if ("denied" in window) {
      return { denial: { reason: Reason.PolicyDenied, message: window.denied } };
    }
    return { spec: parsed.data, guildId: guild.guildId, window };
  }

  /**
   * The grant's window. Once recorded in status it is reused as is; before that it starts at
   * creationTimestamp (stamped by the API server, so a late first reconcile does not lengthen
   * it) and lasts spec.duration or the policy's default, capped by the policy's maximum.
   */
  private window(
    grant: JitGrant,
    spec: JitGrantSpec,
    guild: ResolvedGuild,
  ): GrantWindow | { denied: string } {
    const status = grant.status;
    if (status?.grantedAt && status.expiresAt) {
      const grantedAt = new Date(status.grantedAt);
      const expiresAt = new Date(status.expiresAt);
      return { grantedAt, expiresAt, durationMs: expiresAt.getTime() - grantedAt.getTime() };
    }
    const limits = jitLimits(guild.policy);
    const requested = spec.duration ?? limits.defaultDuration;
    const durationMs = parseDuration(requested);
    if (durationMs > limits.maxMs) {
      return {
        denied:
          `spec.duration ${requested} exceeds the guild's jit.maxDuration ${limits.maxDuration}; ` +
          `create a new grant of ${limits.maxDuration} or less`,
      };
    }
    const grantedAt = new Date(grant.metadata.creationTimestamp ?? Date.now());
    return { grantedAt, expiresAt: new Date(grantedAt.getTime() + durationMs), durationMs };
  }

  private async markActive(
    ref: CustomResourceRef,
    grant: JitGrant,
    window: GrantWindow,
    log: Logger,
  ): Promise<void> {
    let announce = false;
    const stored = await updateStatus<JitGrant, JitGrantStatus>(
      this.deps.clients.custom,
      ref,
      grant,
      (current) => {
        const status = current.status ?? {};
        if (ENDED_PHASES.has(status.phase ?? "")) return undefined;
        announce = !(status.notified ?? []).includes("Granted");
        if (status.phase === "Active" && !announce) return undefined;
        const message = `${current.spec.level} access until ${rfc3339(window.expiresAt)}`;
        return {
          ...status,
          phase: "Active",
          grantedAt: status.grantedAt ?? rfc3339(window.grantedAt),
          expiresAt: status.expiresAt ?? rfc3339(window.expiresAt),
          roleBinding: roleBindingName(current.metadata.name),
          notified: addTransition(status.notified, "Granted"),
          message,
          observedGeneration: current.metadata.generation,
          conditions: activeConditions(status, message, current.metadata.generation),
        };
      },
    );
    if (!stored || !announce) return;
    log.info({ expiresAt: stored.status?.expiresAt }, "Granted access");
    this.deps.events.record(
      eventTarget(stored),
      "Normal",
      Reason.AccessGranted,
      `Granted ${stored.spec.level} access to ${stored.spec.userId} ` +
        `for ${humanDuration(window.durationMs)}`,
    );
    await this.notify(stored, "Granted", window.durationMs, log);
  }

  /** Takes access away at expiry or on revocation; ended grants are kept for retention. */
  private async end(
    ref: CustomResourceRef,
    grant: JitGrant,
    ending: { ending: Ending; window: GrantWindow },
    log: Logger,
  ): Promise<ReconcileResult> {
    await this.revokeAccess(ref, grant, ending, log);
    // The status change brings the grant back as ended; that pass removes the finalizer, off
    // the path between expiresAt and the binding's deletion.
    return { requeueAfterMs: this.deps.retentionMs };
  }

  /**
   * Deletes the binding and records the ending. Both writes go out at once: the deletion is
   * what ends access, and the status write (guarded by resourceVersion) is what lets exactly
   * one reconcile announce it. A failure of either is thrown, so the pass is retried.
   * Returns the grant as stored.
   */
  private async revokeAccess(
    ref: CustomResourceRef,
    grant: JitGrant,
    { ending, window }: { ending: Ending; window?: GrantWindow },
    log: Logger,
  ): Promise<JitGrant> {
    const namespace = grant.metadata.namespace as string;
    const endedAt = new Date();
    let announce = false;
    let wrote = false;
    const [deleted, recorded] = await Promise.allSettled([
      deleteRoleBinding(this.deps.clients.rbac, namespace, roleBindingName(grant.metadata.name)),
      updateStatus<JitGrant, JitGrantStatus>(this.deps.clients.custom, ref, grant, (current) => {
        const status = current.status ?? {};
        if (ENDED_PHASES.has(status.phase ?? "")) return undefined;
        // Only someone who was told of access hears of its end.
        const notified = status.notified ?? [];
        announce = notified.includes("Granted") && !notified.includes(ending);
        wrote = true;
        const ended = endedStatus(current, ending, endedAt, announce);
        if (!window) return ended;
        return {
          ...ended,
          grantedAt: status.grantedAt ?? rfc3339(window.grantedAt),
          expiresAt: status.expiresAt ?? rfc3339(window.expiresAt),
        };
      }),
    ]);
    if (recorded.status === "rejected") throw recorded.reason;
    const stored = recorded.value;
    if (stored && wrote) await this.recordEnd(stored, { ending, endedAt, announce }, log);
    if (deleted.status === "rejected") throw deleted.reason;
    return stored ?? grant;
  }

  /** Logs, records an Event for, and (when it was granted) tells the grantee of an ending. */
  private async recordEnd(
    grant: JitGrant,
    { ending, endedAt, announce }: { ending: Ending; endedAt: Date; announce: boolean },
    log: Logger,
  ): Promise<void> {
    const expiresAt = grant.status?.expiresAt;
    if (ending === "Expired" && expiresAt) {
      const lateness = (endedAt.getTime() - Date.parse(expiresAt)) / 1000;
      this.deps.metrics.jitRevocationLateness.observe(Math.max(0, lateness));
    }
    log.info({ ending, expiresAt }, "Revoked access");
    const { reason, verb } = ENDING[ending];
    const what = `Access of ${grant.spec.userId} (${grant.spec.level}) ${verb}`;
    const message = announce ? `${what}; RoleBinding deleted` : `${what} before it was given`;
    this.deps.events.record(eventTarget(grant), "Normal", reason, message);
    if (announce) await this.notify(grant, ending, windowMs(grant.status), log);
  }

  /** An ended grant: make sure nothing is left, then delete it once retention has passed. */
  private async afterEnd(ref: CustomResourceRef, grant: JitGrant): Promise<ReconcileResult | void> {
    const namespace = grant.metadata.namespace as string;
    const binding = roleBindingName(grant.metadata.name);
    if (this.deps.bindings.get(binding, namespace)) {
      await deleteRoleBinding(this.deps.clients.rbac, namespace, binding);
    }
    grant = await removeFinalizer(this.deps.clients.custom, ref, grant, JIT_FINALIZER);
    const endedAt = new Date(
      grant.status?.revokedAt ?? grant.metadata.creationTimestamp ?? 0,
    ).getTime();
    const remaining = endedAt + this.deps.retentionMs - Date.now();
    if (remaining > 0) return { requeueAfterMs: remaining };
    try {
      await this.deps.clients.custom.deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: "jitgrants",
        namespace,
        name: grant.metadata.name,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The grant is being deleted: access ends now, then the finalizer lets it go. */
  private async finalize(ref: CustomResourceRef, grant: JitGrant, log: Logger): Promise<void> {
    const stored = await this.revokeAccess(ref, grant, { ending: "Revoked" }, log);
    await removeFinalizer(this.deps.clients.custom, ref, stored, JIT_FINALIZER);
  }

  private async deny(
    ref: CustomResourceRef,
    grant: JitGrant,
    { reason, message }: Denial,
    log: Logger,
  ): Promise<void> {
    const stored = await updateStatus<JitGrant, JitGrantStatus>(
      this.deps.clients.custom,
      ref,
      grant,
      (current) => {
        const status = current.status ?? {};
        if (status.phase === "Denied" && status.message === message) return undefined;
        const generation = current.metadata.generation;
        let conditions = setCondition(
          status.conditions,
          { type: ConditionType.Ready, status: "False", reason, message },
          generation,
        );
        conditions = setCondition(
          conditions,
          { type: ConditionType.Stalled, status: "True", reason, message },
          generation,
        );
        return { ...status, phase: "Denied", message, observedGeneration: generation, conditions };
      },
    );
    await removeFinalizer(this.deps.clients.custom, ref, stored ?? grant, JIT_FINALIZER);
    if (!stored) return;
    log.warn({ reason, message }, "Denied grant");
    this.deps.events.record(eventTarget(stored), "Warning", reason, message);
  }

  private async notify(
    grant: JitGrant,
    transition: JitTransition,
    durationMs: number | undefined,
    log: Logger,
  ): Promise<void> {
    const guild = this.deps.policies.forNamespace(grant.metadata.namespace as string);
    try {
      await this.deps.notifier.notify({
        transition,
        guildId: guild?.guildId,
        namespace: grant.metadata.namespace as string,
        grantName: grant.metadata.name,
        userId: grant.spec.userId,
        userName: grant.spec.userName,
        level: grant.spec.level,
        provider: grant.spec.provider,
        grantedBy: grant.spec.grantedBy,
        durationMs,
        expiresAt: grant.status?.expiresAt,
      });
    } catch (err) {
      log.warn({ err, transition }, "Failed to notify grantee");
    }
  }
}
