import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type ObjectCache,
} from "@kubernetes/client-node";
import type { Logger } from "pino";

export interface WatchOptions<T extends KubernetesObject> {
  /** API path of the collection, such as /apis/cloudops.dev/v1alpha1/jitgrants. */
  path: string;
  list: ListPromise<T>;
  labelSelector?: string;
  /** Called for every add, update and delete with the object concerned. */
  onChange: (obj: T, verb: "add" | "update" | "delete") => void;
  /** Delay before the first restart after a watch error; doubles up to maxRestartDelayMs. */
  minRestartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/**
 * An informer that keeps watching. client-node's ListWatch relists after an HTTP 410 but stops
 * for good after any other error (a dropped connection, an API server restart, a 403); this
 * restarts it with exponential backoff until stop() is called.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private failedSinceStart = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  private readonly options: WatchOptions<T>;
  private readonly log: Logger;

  constructor(kubeConfig: KubeConfig, options: WatchOptions<T>, log: Logger) {
    this.options = options;
    this.log = log;
    this.informer = makeInformer(kubeConfig, options.path, options.list, options.labelSelector);
    this.informer.on("add", (obj) => options.onChange(obj, "add"));
    this.informer.on("update", (obj) => options.onChange(obj, "update"));
    this.informer.on("delete", (obj) => options.onChange(obj, "delete"));
    this.informer.on("connect", () => this.onConnect());
    this.informer.on("error", (err) => this.onError(err));
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.startOnce();
  }

  /** Resolves once the first list has been delivered. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private async startOnce(): Promise<void> {
    this.failedSinceStart = false;
    try {
      await this.informer.start();
      if (!this.failedSinceStart) this.markSynced();
    } catch (err) {
      this.onError(err);
    }
  }

  private onConnect(): void {
    this.failures = 0;
    this.log.debug({ path: this.options.path }, "Watch connected");
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private onError(err: unknown): void {
    this.failedSinceStart = true;
    if (this.stopped) return;
    const min = this.options.minRestartDelayMs ?? 500;
    const max = this.options.maxRestartDelayMs ?? 30_000;
    const delay = Math.min(min * 2 ** this.failures, max);
    this.failures += 1;
    this.log.warn({ err, path: this.options.path, delayMs: delay }, "Watch failed, restarting");
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.startOnce(), delay);
  }
}
