import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { serializeError } from "./logger.ts";

describe("serializeError", () => {
  const conflict = new ApiException(
    409,
    "Conflict",
    JSON.stringify({ kind: "Status", message: 'Operation cannot be fulfilled: "x" was modified' }),
    { "audit-id": "abc", "content-type": "application/json" },
  );

  it("logs an ApiException as its code and the API server's message, without headers", () => {
    expect(serializeError(conflict)).toEqual({
      type: "ApiException",
      code: 409,
      message: 'Operation cannot be fulfilled: "x" was modified',
    });
  });

  it("follows the cause chain of a wrapped error", () => {
    const wrapped = new Error("Failed to update status of jitgrants ns/x", { cause: conflict });
    const out = serializeError(wrapped) as Record<string, unknown>;
    expect(out.message).toBe("Failed to update status of jitgrants ns/x");
    expect(out.type).toBe("Error");
    expect(out.cause).toEqual({
      type: "ApiException",
      code: 409,
      message: 'Operation cannot be fulfilled: "x" was modified',
    });
    expect(JSON.stringify(out)).not.toContain("audit-id");
  });
});
