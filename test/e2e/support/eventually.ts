import { setTimeout as sleep } from "node:timers/promises";

/**
 * Retries an assertion until it passes or the timeout runs out, then rethrows its last error.
 * Timeouts here bound waiting for behaviour; they do not measure speed.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(intervalMs);
    }
  }
}
