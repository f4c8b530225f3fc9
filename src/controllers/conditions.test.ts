import { describe, expect, it } from "vitest";
import { ConditionType, Reason, rfc3339, setCondition } from "./conditions.ts";

describe("setCondition", () => {
  const t0 = new Date("2026-01-01T00:00:00Z");
  const t1 = new Date("2026-01-01T00:05:00Z");
  const ready = (status: "True" | "False", reason: (typeof Reason)[keyof typeof Reason]) => ({
    type: ConditionType.Ready,
    status,
    reason,
    message: reason,
  });

  it("adds a condition stamped with the time and generation", () => {
    expect(setCondition(undefined, ready("True", Reason.AccessGranted), 3, t0)).toEqual([
      {
        ...ready("True", Reason.AccessGranted),
        lastTransitionTime: "2026-01-01T00:00:00Z",
        observedGeneration: 3,
      },
    ]);
  });

  it("keeps lastTransitionTime while the status stays the same", () => {
    const first = setCondition(undefined, ready("False", Reason.PolicyDenied), 1, t0);
    const second = setCondition(first, ready("False", Reason.GuildUnknown), 2, t1);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ reason: "GuildUnknown", lastTransitionTime: rfc3339(t0) });
  });

  it("moves lastTransitionTime when the status flips", () => {
    const first = setCondition(undefined, ready("True", Reason.AccessGranted), 1, t0);
    const second = setCondition(first, ready("False", Reason.GrantExpired), 1, t1);
    expect(second[0]?.lastTransitionTime).toBe("2026-01-01T00:05:00Z");
  });
});

describe("rfc3339", () => {
  it.each([
    ["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00Z"],
    ["2026-01-01T00:00:00.250Z", "2026-01-01T00:00:00.250Z"],
  ])("writes %s as %s", (iso, text) => {
    expect(rfc3339(new Date(iso))).toBe(text);
  });
});
