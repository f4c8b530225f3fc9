import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { V1MicroTime, type CoordinationV1Api, type V1Lease } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { isConflict, isNotFound } from "./kube.ts";
import { withTimeout } from "./timeout.ts";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** How long a lease is valid after its last renewal. */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long gives up leadership. */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs: number;
  identity?: string;
}

export const DEFAULT_LEADER_ELECTION = {
  name: "cloudops-operator",
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export interface LeaderCallbacks {
  onStartedLeading: () => Promise<void>;
  /**
   * Called once when leadership is lost, or can never be had (the Lease's namespace is
   * missing); not when it is released on shutdown.
   */
  onStoppedLeading: () => void;
}

/**
 * Lease-based leader election, the coordination.k8s.io/v1 protocol client-go uses: a holder
 * renews the Lease every retry period; anyone may take it over once it has gone unrenewed for
 * its lease duration. Updates carry the resourceVersion read, so two candidates racing for an
 * expired Lease cannot both win. Releasing on shutdown lets a standby take over at once.
 */
export class LeaderElector {
  readonly identity: string;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRenew = 0;
  /** The lease record last seen and when, by our clock: expiry never compares two clocks. */
  private observed = { record: "", at: 0 };

  private readonly api: CoordinationV1Api;
  private readonly options: LeaderElectionOptions;
  private readonly callbacks: LeaderCallbacks;
  private readonly log: Logger;

  constructor(
    api: CoordinationV1Api,
    options: LeaderElectionOptions,
    callbacks: LeaderCallbacks,
    log: Logger,
  ) {
    this.api = api;
    this.options = options;
    this.callbacks = callbacks;
    this.log = log;
    this.identity =
      options.identity ?? `${hostname()}_${process.pid}_${randomBytes(4).toString("hex")}`;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.log.info({ lease: this.options.name, identity: this.identity }, "Waiting for leadership");
    void this.tick();
  }

  /** Stops campaigning; a leader releases the Lease so a standby can take over immediately. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.leading) return;
    this.leading = false;
    try {
      await withTimeout(this.release(), RELEASE_TIMEOUT_MS);
      this.log.info({ lease: this.options.name }, "Released leadership");
    } catch (err) {
      this.log.warn({ err }, "Failed to release leadership");
    }
  }

  private async release(): Promise<void> {
    const lease = await this.read();
    if (lease?.spec?.holderIdentity !== this.identity) return;
    lease.spec = {
      ...lease.spec,
      holderIdentity: undefined,
      leaseDurationSeconds: 1,
      acquireTime: micro(lease.spec.acquireTime ?? new Date()),
      renewTime: new V1MicroTime(),
    };
    await this.api.replaceNamespacedLease({
      name: this.options.name,
      namespace: this.options.namespace,
      body: lease,
    });
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let held = false;
    try {
      held = await this.tryAcquireOrRenew();
    } catch (err) {
      if (err instanceof MissingNamespaceError) {
        this.log.error(
          { namespace: this.options.namespace },
          "Leader election namespace not found",
        );
        this.stopped = true;
        this.callbacks.onStoppedLeading();
        return;
      }
      this.log.warn({ err }, "Failed to acquire or renew lease");
    }
    if (this.stopped) return;
    this.afterAttempt(held);
    this.timer = setTimeout(() => void this.tick(), this.options.retryPeriodMs);
  }

  private afterAttempt(held: boolean): void {
    if (held) {
      this.lastRenew = Date.now();
      if (!this.leading) {
        this.leading = true;
        this.log.info({ lease: this.options.name, identity: this.identity }, "Acquired leadership");
        // Not awaited: starting controllers waits for their first lists, and renewals must go on
        // meanwhile or a large cache would cost the lease.
        this.callbacks.onStartedLeading().catch((err: unknown) => {
          this.log.error({ err }, "Failed to start leading");
          this.callbacks.onStoppedLeading();
        });
      }
      return;
    }
    if (this.leading && Date.now() - this.lastRenew > this.options.renewDeadlineMs) {
      this.leading = false;
      this.log.error({ lease: this.options.name }, "Lost leadership");
      this.callbacks.onStoppedLeading();
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new V1MicroTime();
    const lease = await this.read();
    if (!lease) return this.create(now);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    this.observe(spec, now.getTime());
    if (holder && holder !== this.identity && !this.expired(spec, now.getTime())) return false;
    lease.spec = this.claim(spec, now);
    try {
      await this.api.replaceNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
        body: lease,
      });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** The lease spec with this candidate as holder, renewed now. */
  private claim(spec: NonNullable<V1Lease["spec"]>, now: V1MicroTime): V1Lease["spec"] {
    const takingOver = spec.holderIdentity !== this.identity;
    return {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      renewTime: now,
      acquireTime: takingOver ? now : micro(spec.acquireTime ?? now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
    };
  }

  private observe(spec: NonNullable<V1Lease["spec"]>, now: number): void {
    const record = `${spec.holderIdentity}|${String(spec.renewTime)}|${spec.leaseDurationSeconds}`;
    if (record !== this.observed.record) this.observed = { record, at: now };
  }

  private expired(spec: NonNullable<V1Lease["spec"]>, now: number): boolean {
    return this.observed.at + (spec.leaseDurationSeconds ?? 0) * 1000 < now;
  }

  private async create(now: V1MicroTime): Promise<boolean> {
    try {
      await this.api.createNamespacedLease({
        namespace: this.options.namespace,
        body: {
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: {
            holderIdentity: this.identity,
            leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) throw new MissingNamespaceError(this.options.namespace, { cause: err });
      if (isConflict(err)) return false;
      throw err;
    }
  }
}

/** The Lease's namespace does not exist: no replica can ever lead until it is created. */
class MissingNamespaceError extends Error {
  constructor(namespace: string, options: { cause: unknown }) {
    super(`Namespace ${namespace} for the leader Lease does not exist`, options);
  }
}

/** How long a stopping leader tries to hand its Lease back before it lets it expire. */
const RELEASE_TIMEOUT_MS = 3000;

/** Lease times must be sent with microseconds; a plain Date would be sent with milliseconds. */
function micro(value: Date | string): V1MicroTime {
  return new V1MicroTime(value);
}
