import { describe, expect, it } from "vitest";
import { defaultPolicy, jitLimits } from "./guild-policies.ts";

describe("jitLimits", () => {
  const guildId = "123456789012345678";

  it.each([
    // jit section of the policy, effective maximum, effective default
    [undefined, "24h", "60m"],
    [{ maxDuration: "8h" }, "8h", "60m"],
    [{ maxDuration: "30m" }, "30m", "30m"],
    [{ maxDuration: "2h", defaultDuration: "15m" }, "2h", "15m"],
    [{ defaultDuration: "90m" }, "24h", "90m"],
  ])("reads %o as max %s and default %s", (jit, max, def) => {
    const limits = jitLimits({ ...defaultPolicy(guildId), jit });
    expect(limits.maxDuration).toBe(max);
    expect(limits.defaultDuration).toBe(def);
  });

  it("gives the seed's defaults to a guild without a policy", () => {
    expect(defaultPolicy(guildId)).toMatchObject({
      guildId,
      maxMonthlyBudget: 1000,
      maxInstances: 10,
      maxDiskSizeGb: 500,
      engine: "terraform",
      requireApproval: false,
      deployAccess: "Everyone",
    });
  });
});
