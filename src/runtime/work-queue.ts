import { EventEmitter } from "node:events";

export interface WorkQueueOptions {
  /** Delay before the first retry of a failing key; doubles with each further failure. */
  baseDelayMs?: number;
  /** Longest delay between retries of a failing key. */
  maxDelayMs?: number;
  /** Keys processed at once; one key is never processed twice at the same time. */
  concurrency?: number;
}

/** Longest delay setTimeout accepts; later wake-ups are split into steps of this size. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type KeyHandler = (key: string) => Promise<void>;

type Lane = "normal" | "due";

/** A first-in first-out list with O(1) removal from the front. */
class Fifo {
  private items: string[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: string): void {
    this.items.push(item);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/**
 * A per-key work queue in the manner of client-go's workqueue: a key added while waiting is
 * not queued twice; a key added while being processed is processed again once the running
 * pass finishes; failures back off exponentially per key; timers schedule a key for later and
 * only the earliest pending timer for a key is kept.
 *
 * Keys whose timer has fired go before keys added by watch events: a requeue at a grant's
 * expiry is a promise about time, and a burst of unrelated changes must not push it back.
 */
export class WorkQueue extends EventEmitter {
  private readonly lanes: Record<Lane, Fifo> = { normal: new Fifo(), due: new Fifo() };
  /** Keys waiting, and the lane whose entry for them counts; other entries are stale. */
  private readonly waiting = new Map<string, Lane>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly concurrency: number;
  private handler: KeyHandler | undefined;
  private shuttingDown = false;
  private idleWaiters: (() => void)[] = [];

  constructor(options: WorkQueueOptions = {}) {
    super();
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Number of keys waiting to be processed (not counting scheduled or running ones). */
  get depth(): number {
    return this.waiting.size;
  }

  /** Number of keys with a pending timer. */
  get scheduled(): number {
    return this.timers.size;
  }

  /** Starts handing keys to the handler. */
  start(handler: KeyHandler): void {
    this.handler = handler;
    this.pump();
  }

  add(key: string): void {
    this.enqueue(key, "normal");
  }

  private enqueue(key: string, lane: Lane): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    const current = this.waiting.get(key);
    if (current === lane || current === "due") return;
    this.waiting.set(key, lane);
    this.lanes[lane].push(key);
    this.pump();
  }

  /** Adds the key after a delay. An earlier pending timer for the key wins over a later one. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const step = Math.min(delayMs, MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      const remaining = at - Date.now();
      if (remaining > 0) this.addAfter(key, remaining);
      else this.enqueue(key, "due");
    }, step);
    this.timers.set(key, { at, timer });
  }

  /** Adds the key after its backoff delay and counts one more failure for it. */
  addRateLimited(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const delay = this.backoffFor(failures);
    this.addAfter(key, delay);
    return delay;
  }

  /** Delay for a key that has failed `failures` times before. */
  backoffFor(failures: number): number {
    return Math.min(this.baseDelayMs * 2 ** Math.min(failures, 40), this.maxDelayMs);
  }

  /** Clears the failure count of a key, so its next failure starts again at the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Drops a pending timer for the key, if any. */
  cancelTimer(key: string): void {
    const existing = this.timers.get(key);
    if (!existing) return;
    clearTimeout(existing.timer);
    this.timers.delete(key);
  }

  /** Stops accepting keys, cancels timers and resolves when running handlers have finished. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.lanes.normal.clear();
    this.lanes.due.clear();
    this.waiting.clear();
    this.dirtyWhileProcessing.clear();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (!this.handler) return;
    while (this.processing.size < this.concurrency) {
      const key = this.next();
      if (key === undefined) return;
      this.processing.add(key);
      void this.process(key, this.handler);
    }
  }

  /** The next waiting key, due lane first, skipping entries superseded by a move to "due". */
  private next(): string | undefined {
    for (const lane of ["due", "normal"] as const) {
      for (let key = this.lanes[lane].shift(); key !== undefined; key = this.lanes[lane].shift()) {
        if (this.waiting.get(key) !== lane) continue;
        this.waiting.delete(key);
        return key;
      }
    }
    return undefined;
  }

  private async process(key: string, handler: KeyHandler): Promise<void> {
    try {
      await handler(key);
    } catch (err) {
      this.emit("error", err, key);
    } finally {
      this.processing.delete(key);
      if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      if (this.processing.size === 0) this.notifyIdle();
      this.pump();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
