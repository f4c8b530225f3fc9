const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const PART = /([0-9]+)(h|ms|m|s)/g;
const WHOLE = /^([0-9]+(h|ms|m|s))+$/;

/** Parses a Go-style duration (`90m`, `1h30m`, `3s`, `250ms`) into milliseconds. */
export function parseDuration(text: string): number {
  if (!WHOLE.test(text)) {
    throw new Error(`Invalid duration "${text}": use a Go duration such as 90m or 1h30m`);
  }
  let total = 0;
  for (const match of text.matchAll(PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}

/** Formats milliseconds the way the bot talks about grants: "45 s" or "120 min". */
export function humanDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
