import { describe, expect, it } from "vitest";
import { humanDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    // text, milliseconds
    ["3s", 3000],
    ["90m", 5_400_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["2h0m5s", 7_205_000],
    ["0s", 0],
  ])("parses %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["30d", "", "1.5h", "-5m", "h", "5 m"])("rejects %j naming the format", (text) => {
    expect(() => parseDuration(text)).toThrow(/Go duration such as 90m/);
  });
});

describe("humanDuration", () => {
  it.each([
    [3000, "3 s"],
    [60_000, "1 min"],
    [7_200_000, "120 min"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});
