import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withTimeout } from "./timeout.ts";

describe("withTimeout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("passes on the value of a promise that settles in time", async () => {
    await expect(withTimeout(Promise.resolve(42), 1000)).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects once the time is up", async () => {
    const never = new Promise<number>(() => undefined);
    const raced = withTimeout(never, 3000);
    vi.advanceTimersByTime(3000);
    await expect(raced).rejects.toThrow("timed out after 3000 ms");
  });
});
