import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { isConflict, isTransient, parseKey } from "./kube.ts";
import type { OperatorMetrics } from "./metrics.ts";
import { WorkQueue, type WorkQueueOptions } from "./work-queue.ts";

/** What a reconcile asks for next. */
export interface ReconcileResult {
  /** Reconcile the key again after this many milliseconds. */
  requeueAfterMs?: number;
}

export interface ReconcileRequest {
  key: string;
  namespace?: string;
  name: string;
  log: Logger;
}

export type Reconciler = (request: ReconcileRequest) => Promise<ReconcileResult | void>;

/** Something a controller can start and stop: its informers. */
export interface Source {
  start(): Promise<void>;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerOptions {
  name: string;
  kind: string;
  reconcile: Reconciler;
  sources: Source[];
  log: Logger;
  metrics: OperatorMetrics;
  queue?: WorkQueueOptions;
}

/**
 * One controller: informers feed keys into a per-key work queue; workers take keys one at a
 * time per key and run the reconciler. Transient failures back off per key; a result with
 * requeueAfterMs schedules the key again.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly log: Logger;

  private readonly options: ControllerOptions;

  constructor(options: ControllerOptions) {
    this.options = options;
    this.queue = new WorkQueue(options.queue);
    this.log = options.log.child({ controller: options.name, kind: options.kind });
    this.queue.on("error", (err: unknown, key: string) =>
      this.log.error({ err, key }, "Work queue handler failed"),
    );
  }

  get name(): string {
    return this.options.name;
  }

  enqueue(key: string): void {
    this.queue.add(key);
    this.updateQueueGauges();
  }

  async start(): Promise<void> {
    for (const source of this.options.sources) await source.start();
    await Promise.all(this.options.sources.map((s) => s.waitForSync()));
    this.queue.start((key) => this.process(key));
    this.log.info("Started controller");
  }

  async stop(): Promise<void> {
    await Promise.all(this.options.sources.map((s) => s.stop()));
    await this.queue.shutdown();
    this.log.info("Stopped controller");
  }

  private async process(key: string): Promise<void> {
    const { namespace, name } = parseKey(key);
    const log = this.log.child({ namespace, name, reconcileID: randomUUID() });
    const { metrics } = this.options;
    const timer = metrics.reconcileDuration.startTimer({ controller: this.name });
    try {
      const result = await this.options.reconcile({ key, namespace, name, log });
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      metrics.reconciles.inc({ controller: this.name, result: result ? "requeue" : "success" });
      log.debug({ requeueAfterMs: result?.requeueAfterMs }, "Reconciled");
    } catch (err) {
      metrics.reconcileErrors.inc({ controller: this.name });
      metrics.reconciles.inc({ controller: this.name, result: "error" });
      this.handleFailure(key, err, log);
    } finally {
      timer();
      this.updateQueueGauges();
    }
  }

  private handleFailure(key: string, err: unknown, log: Logger): void {
    // An invalid request fails the same way again: the object is retried when it changes.
    if (!isTransient(err)) {
      this.queue.forget(key);
      log.error({ err }, "Reconcile failed permanently");
      return;
    }
    const delayMs = this.queue.addRateLimited(key);
    // A conflict means the object changed under us; the next pass sees the new version.
    if (isConflict(err)) log.debug({ err, delayMs }, "Reconcile conflicted, retrying");
    else log.error({ err, delayMs }, "Reconcile failed, retrying");
  }

  private updateQueueGauges(): void {
    const labels = { controller: this.name };
    this.options.metrics.queueDepth.set(labels, this.queue.depth);
    this.options.metrics.queueScheduled.set(labels, this.queue.scheduled);
  }
}
