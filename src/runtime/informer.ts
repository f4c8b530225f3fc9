import { setTimeout as sleep } from "node:timers/promises";
import {
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "pino";
import { statusCode } from "./kube.ts";

export type ChangeVerb = "add" | "update" | "delete";

export interface WatchOptions<T extends KubernetesObject> {
  /** API path of the collection, such as /apis/cloudops.dev/v1alpha1/jitgrants. */
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  labelSelector?: string;
  /** Called for every add, update and delete with the object concerned. */
  onChange: (obj: T, verb: ChangeVerb) => void;
  /**
   * Shapes each object before it is cached and handed on; by default drops
   * metadata.managedFields, which no controller reads and which is most of an object's size.
   */
  transform?: (obj: T) => T;
  /** Delay before the first retry after a failure; doubles up to maxRestartDelayMs. */
  minRestartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/** The API server no longer has the resourceVersion asked for: list again. */
class GoneError extends Error {
  override readonly name = "GoneError";
}

export function stripManagedFields<T extends KubernetesObject>(obj: T): T {
  if (!obj.metadata?.managedFields) return obj;
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

/** A watch that ends sooner than this counts as a failure for backoff. */
const MIN_HEALTHY_WATCH_MS = 1000;

const keyOf = (obj: KubernetesObject): string =>
  `${obj.metadata?.namespace ?? ""}/${obj.metadata?.name ?? ""}`;

/**
 * A list-then-watch cache of one collection that keeps going. client-node's ListWatch relists
 * after an HTTP 410 but stops for good after any other error, and restarting it from outside
 * can race its own reconnects into two watches. This is one loop instead: list, watch from the
 * list's resourceVersion, rewatch when a watch ends, relist on 410, and back off exponentially
 * after any other failure, until stop().
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly cache = new Map<string, T>();
  private readonly watcher: Watch;
  private readonly options: WatchOptions<T>;
  private readonly log: Logger;
  private readonly transform: (obj: T) => T;
  private resourceVersion = "";
  private stopped = true;
  private abortWatch: (() => void) | undefined;
  private wakeUp: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(kubeConfig: KubeConfig, options: WatchOptions<T>, log: Logger) {
    this.options = options;
    this.log = log;
    this.watcher = new Watch(kubeConfig);
    this.transform = options.transform ?? stripManagedFields;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  list(namespace?: string): T[] {
    const all = [...this.cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(`${namespace ?? ""}/${name}`);
  }

  /** Starts the loop; it runs in the background until stop(). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Resolves once the first list has been delivered. */
  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortWatch?.();
    this.wakeUp?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const started = Date.now();
        await this.watchOnce();
        if (this.stopped) break;
        // A watch the server closes at once is a failure in disguise: do not spin on it.
        if (Date.now() - started < MIN_HEALTHY_WATCH_MS) await this.pause(this.backoff(failures++));
        else failures = 0;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof GoneError) {
          this.log.debug({ path: this.options.path }, "Watch expired, relisting");
          this.resourceVersion = "";
          continue;
        }
        const delayMs = this.backoff(failures++);
        this.log.warn({ err, path: this.options.path, delayMs }, "Watch failed, restarting");
        await this.pause(delayMs);
      }
    }
  }

  private backoff(failures: number): number {
    const min = this.options.minRestartDelayMs ?? 500;
    const max = this.options.maxRestartDelayMs ?? 30_000;
    return Math.min(min * 2 ** failures, max);
  }

  private async pause(ms: number): Promise<void> {
    this.wakeUp = new AbortController();
    await sleep(ms, undefined, { signal: this.wakeUp.signal }).catch(() => undefined);
  }

  /** Lists the collection and brings the cache in line, emitting what changed. */
  private async relist(): Promise<void> {
    const list = await this.options.list();
    const seen = new Set<string>();
    for (const item of list.items) {
      const obj = this.transform(item);
      const key = keyOf(obj);
      seen.add(key);
      const verb = this.cache.has(key) ? "update" : "add";
      this.cache.set(key, obj);
      this.options.onChange(obj, verb);
    }
    for (const [key, obj] of this.cache) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      this.options.onChange(obj, "delete");
    }
    this.resourceVersion = list.metadata?.resourceVersion ?? "";
    this.markSynced();
  }

  /** Watches from the current resourceVersion until the watch ends or fails. */
  private watchOnce(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (err: unknown): void => {
        this.abortWatch = undefined;
        if (!err || this.stopped || isTimeout(err)) resolve();
        else reject(statusCode(err) === 410 ? new GoneError("watch expired") : err);
      };
      const query = {
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.options.labelSelector,
      };
      this.watcher
        .watch(this.options.path, query, (type, obj) => this.onEvent(type, obj, reject), done)
        .then((request) => {
          this.abortWatch = () => request.abort();
          this.log.debug({ path: this.options.path }, "Watch connected");
          if (this.stopped) request.abort();
        }, reject);
    });
  }

  private onEvent(type: string, raw: T, fail: (err: unknown) => void): void {
    if (type === "ERROR") {
      const code = (raw as { code?: number }).code;
      fail(code === 410 ? new GoneError("watch expired") : new Error(JSON.stringify(raw)));
      this.abortWatch?.();
      return;
    }
    const obj = this.transform(raw);
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (type === "BOOKMARK") return;
    const key = keyOf(obj);
    if (type === "DELETED") {
      this.cache.delete(key);
      this.options.onChange(obj, "delete");
      return;
    }
    const verb = this.cache.has(key) ? "update" : "add";
    this.cache.set(key, obj);
    this.options.onChange(obj, verb);
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }
}

/** client-node's Watch aborts a watch that has been silent for a while; that is a clean end. */
function isTimeout(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === "TimeoutError";
}
