import { ApiException, HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { PooledKubeConfig, apiMessage, isTransient, statusCode } from "./kube.ts";

const CONFIG = {
  clusters: [{ name: "c", server: "https://127.0.0.1:6443", caData: "Y2E=", skipTLSVerify: false }],
  users: [{ name: "u", token: "secret-token" }],
  contexts: [{ name: "ctx", cluster: "c", user: "u" }],
  currentContext: "ctx",
};

async function dispatcherOf(kc: KubeConfig): Promise<unknown> {
  const ctx = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getDispatcher();
}

describe("PooledKubeConfig", () => {
  it("gives every request the same connection pool", async () => {
    const kc = new PooledKubeConfig();
    kc.loadFromOptions(CONFIG);
    const first = await dispatcherOf(kc);
    expect(first).toBeDefined();
    expect(await dispatcherOf(kc)).toBe(first);
  });

  it("still sets credentials on each request", async () => {
    const kc = new PooledKubeConfig();
    kc.loadFromOptions(CONFIG);
    const ctx = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
    await kc.applySecurityAuthentication(ctx);
    expect(ctx.getHeaders().Authorization).toBe("Bearer secret-token");
  });

  it("differs from client-node's KubeConfig, which builds a pool per request", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions(CONFIG);
    expect(await dispatcherOf(kc)).not.toBe(await dispatcherOf(kc));
  });
});

describe("API errors", () => {
  it.each([
    // error, HTTP status found, transient
    [{ code: 409 }, 409, true],
    [{ code: 422 }, 422, false],
    [{ statusCode: 503 }, 503, true],
    [new Error("wrapped", { cause: { code: 404 } }), 404, true],
    [{ code: 403 }, 403, true],
    [{ code: 400 }, 400, false],
    [new Error("socket hang up"), undefined, true],
  ])("reads the status of %o as %s", (err, code, transient) => {
    expect(statusCode(err)).toBe(code);
    expect(isTransient(err)).toBe(transient);
  });

  it.each([
    // response body, message shown
    [
      '{"kind":"Status","message":"spec.level: Unsupported value"}',
      "spec.level: Unsupported value",
    ],
    ["upstream connect error", "upstream connect error"],
  ])("shows the API server's message from the body %s", (body, message) => {
    expect(apiMessage(new ApiException(422, "Unprocessable", body, {}))).toBe(message);
  });

  it("falls back to the error's own message", () => {
    expect(apiMessage(new Error("plain"))).toBe("plain");
  });
});
