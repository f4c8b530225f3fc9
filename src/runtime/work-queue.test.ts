import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkQueue } from "./work-queue.ts";

/** Resolves pending promise callbacks (handlers) without advancing timers. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/**
 * A one-worker queue whose worker is held by the key "busy" until release() is called, so
 * keys added meanwhile line up and their order can be observed.
 */
async function busyQueue(): Promise<{ queue: WorkQueue; seen: string[]; release: () => void }> {
  const queue = new WorkQueue({ concurrency: 1 });
  const seen: string[] = [];
  let unblock: () => void = () => undefined;
  queue.start(async (key) => {
    seen.push(key);
    if (key === "busy") await new Promise<void>((r) => (unblock = r));
  });
  queue.add("busy");
  await flush();
  return { queue, seen, release: () => unblock() };
}

describe("WorkQueue", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("hands keys to the handler in the order they were added", async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    queue.start(async (key) => void seen.push(key));
    for (const key of ["a", "b", "c"]) queue.add(key);
    await flush();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("processes a key added twice while waiting only once", async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const seen: string[] = [];
    queue.add("a");
    queue.add("b");
    queue.add("a");
    queue.start(async (key) => void seen.push(key));
    await flush();
    expect(seen).toEqual(["a", "b"]);
  });

  it("never runs one key twice at once, and reruns a key added while it ran", async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    let running = 0;
    let maxRunning = 0;
    let release: () => void = () => undefined;
    const calls: string[] = [];
    queue.start(async (key) => {
      calls.push(key);
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      running--;
    });
    queue.add("a");
    await flush();
    queue.add("a");
    queue.add("a");
    await flush();
    expect(calls).toEqual(["a"]);
    release();
    await flush();
    expect(calls).toEqual(["a", "a"]);
    expect(maxRunning).toBe(1);
  });

  it("runs different keys concurrently up to the concurrency limit", async () => {
    const queue = new WorkQueue({ concurrency: 2 });
    const started: string[] = [];
    queue.start(async (key) => {
      started.push(key);
      await new Promise(() => undefined);
    });
    for (const key of ["a", "b", "c"]) queue.add(key);
    await flush();
    expect(started).toEqual(["a", "b"]);
    expect(queue.depth).toBe(1);
  });

  it("backs off exponentially per key up to the cap, and forget resets it", () => {
    const queue = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
    const delays = Array.from({ length: 6 }, () => queue.addRateLimited("a"));
    // base * 2^failures, capped at maxDelayMs
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(queue.addRateLimited("b")).toBe(100);
    queue.forget("a");
    expect(queue.addRateLimited("a")).toBe(100);
  });

  it("adds a key when its timer fires, not before", async () => {
    const queue = new WorkQueue();
    const seen: string[] = [];
    queue.start(async (key) => void seen.push(key));
    queue.addAfter("a", 1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(["a"]);
  });

  it("keeps the earliest of two timers for one key", async () => {
    const queue = new WorkQueue();
    const seen: number[] = [];
    queue.start(async () => void seen.push(Date.now()));
    const start = Date.now();
    queue.addAfter("a", 5000);
    queue.addAfter("a", 2000);
    queue.addAfter("a", 3000);
    expect(queue.scheduled).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen.map((t) => t - start)).toEqual([2000]);
  });

  it("waits longer than setTimeout's limit by re-arming the timer", async () => {
    const queue = new WorkQueue();
    const seen: number[] = [];
    queue.start(async () => void seen.push(Date.now()));
    const start = Date.now();
    const thirtyDays = 30 * 86_400_000;
    queue.addAfter("a", thirtyDays);
    await vi.advanceTimersByTimeAsync(thirtyDays - 1);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen.map((t) => t - start)).toEqual([thirtyDays]);
  });

  it("hands out keys whose timer fired before keys added by events", async () => {
    const { queue, seen, release } = await busyQueue();
    queue.add("event-1");
    queue.addAfter("timer-1", 10);
    queue.add("event-2");
    queue.addAfter("timer-2", 20);
    await vi.advanceTimersByTimeAsync(20);
    release();
    await flush();
    expect(seen).toEqual(["busy", "timer-1", "timer-2", "event-1", "event-2"]);
  });

  it("moves a waiting key forward when its timer fires, and runs it once", async () => {
    const { queue, seen, release } = await busyQueue();
    queue.add("a");
    queue.add("b");
    queue.addAfter("b", 5);
    await vi.advanceTimersByTimeAsync(5);
    expect(queue.depth).toBe(2);
    release();
    await flush();
    expect(seen).toEqual(["busy", "b", "a"]);
  });

  it("reports a handler's error and goes on with the next key", async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const errors: string[] = [];
    const seen: string[] = [];
    queue.on("error", (_err, key: string) => errors.push(key));
    queue.start(async (key) => {
      if (key === "bad") throw new Error("boom");
      seen.push(key);
    });
    queue.add("bad");
    queue.add("good");
    await flush();
    expect(errors).toEqual(["bad"]);
    expect(seen).toEqual(["good"]);
  });

  it("shutdown cancels timers and waits for running handlers", async () => {
    const queue = new WorkQueue();
    let release: () => void = () => undefined;
    let finished = false;
    queue.start(async () => {
      await new Promise<void>((r) => (release = r));
      finished = true;
    });
    queue.add("a");
    queue.addAfter("b", 1000);
    await flush();
    const done = queue.shutdown();
    expect(queue.scheduled).toBe(0);
    release();
    await done;
    expect(finished).toBe(true);
    queue.add("c");
    expect(queue.depth).toBe(0);
  });
});
