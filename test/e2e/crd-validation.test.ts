import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createGuildPolicy } from "../../src/crds/clients.ts";
import { GROUP, VERSION } from "../../src/crds/common.ts";
import { toolPath } from "../../src/local-plane/tools.ts";
import type { KubeClients } from "../../src/runtime/kube.ts";
import {
  adminClients,
  createGrant,
  newGuild,
  patchGrantSpec,
  snowflake,
} from "./support/cluster.ts";

const run = promisify(execFile);

/** The API server's message for a rejected create, from the Status body. */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return (JSON.parse(text) as { message: string }).message;
  }
  throw new Error("the API server accepted the object");
}

describe("CRD validation by the API server", () => {
  let clients: KubeClients;
  let namespace: string;

  beforeAll(async () => {
    clients = adminClients();
    ({ namespace } = await newGuild(clients));
  });

  it.each([
    // case, spec fields, substrings the API server's message must hold
    ["a zero duration", { duration: "0s" }, ["spec.duration", "must be between 1s and 168h"]],
    ["30 days as hours", { duration: "720h" }, ["spec.duration", "must be between 1s and 168h"]],
    ["30 days with a d unit", { duration: "30d" }, ["spec.duration", "must be a Go duration"]],
    ["a fractional hour", { duration: "1.5h" }, ["spec.duration", "must be a Go duration"]],
    ["a huge number", { duration: "9999999999h" }, ["spec.duration", "must be a Go duration"]],
    ["an unknown level", { level: "owner" }, ["spec.level", 'Unsupported value: "owner"']],
    ["a user ID that is not a snowflake", { userId: "bob" }, ["spec.userId", "should match"]],
    ["an unknown provider", { provider: "oracle" }, ["spec.provider", "Unsupported value"]],
  ])("rejects a JitGrant with %s, naming the field", async (_case, fields, expected) => {
    const message = await rejection(
      createGrant(clients, namespace, `bad-${snowflake().slice(0, 6)}`, {
        userId: snowflake(),
        ...(fields as object),
      }),
    );
    for (const part of expected) expect(message).toContain(part);
  });

  it("accepts the longest allowed duration, 168h", async () => {
    const grant = await createGrant(clients, namespace, "week", {
      userId: snowflake(),
      duration: "168h",
    });
    expect(grant.spec.duration).toBe("168h");
    expect(grant.spec.revoked).toBe(false);
  });

  it("rejects changing who a grant is for", async () => {
    await createGrant(clients, namespace, "immutable", { userId: snowflake(), duration: "1h" });
    const message = await rejection(
      clients.custom.replaceNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: "jitgrants",
        namespace,
        name: "immutable",
        body: {
          ...(await clients.custom.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            plural: "jitgrants",
            namespace,
            name: "immutable",
          })),
          spec: { userId: snowflake(), provider: "gcp", level: "deployer", duration: "1h" },
        },
      }),
    );
    expect(message).toContain("spec.userId: Invalid value");
    expect(message).toContain("userId is immutable");
  });

  const createPolicy = (name: string, spec: Record<string, unknown>) =>
    createGuildPolicy(clients.custom, spec as Parameters<typeof createGuildPolicy>[1], name);

  it("rejects a GuildPolicy whose name is not its guild ID", async () => {
    const message = await rejection(createPolicy(snowflake(), { guildId: snowflake() }));
    expect(message).toContain("metadata.name must equal spec.guildId");
  });

  it("rejects a GuildPolicy whose JIT default exceeds its maximum", async () => {
    const guildId = snowflake();
    const message = await rejection(
      createPolicy(guildId, { guildId, jit: { maxDuration: "1h", defaultDuration: "2h" } }),
    );
    expect(message).toContain("spec.jit.defaultDuration");
    expect(message).toContain("defaultDuration 2h must not exceed maxDuration 1h");
  });

  it("accepts a GuildPolicy that only shortens the JIT maximum below the 60m default", async () => {
    const guildId = snowflake();
    const created = (await createPolicy(guildId, { guildId, jit: { maxDuration: "30m" } })) as {
      spec: { jit: Record<string, string> };
    };
    expect(created.spec.jit).toEqual({ maxDuration: "30m" });
  });

  it("rejects adding a duration to a grant created without one", async () => {
    await createGrant(clients, namespace, "no-duration", { userId: snowflake() });
    const message = await rejection(
      patchGrantSpec(clients, namespace, "no-duration", { duration: "100h" }),
    );
    expect(message).toContain("duration cannot be added or removed after creation");
  });

  it("fills GuildPolicy defaults from the seed", async () => {
    const guildId = snowflake();
    const created = (await createPolicy(guildId, { guildId })) as { spec: Record<string, unknown> };
    expect(created.spec).toMatchObject({
      maxMonthlyBudget: 1000,
      maxInstances: 10,
      maxDiskSizeGb: 500,
      allowedInstanceTypes: [],
      allowedResourceTypes: [],
      requireApproval: false,
      engine: "terraform",
      sandbox: false,
      deployAccess: "Everyone",
    });
  });

  it("rejects a Deployment that names both a vault session and a Secret", async () => {
    const message = await rejection(
      clients.custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        plural: "deployments",
        namespace,
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: "Deployment",
          metadata: { name: "both" },
          spec: {
            provider: "gcp",
            region: "us-central1",
            resourceType: "vm",
            project: { name: "p", vaultSession: "a1b2c3d4e5f6a7b8", idSecretRef: { name: "s" } },
          },
        },
      }),
    );
    expect(message).toContain("exactly one of vaultSession or idSecretRef must be set");
  });

  describe("with kubectl", () => {
    const kubectl = async (...args: string[]): Promise<string> => {
      const { stdout } = await run(toolPath("kubectl"), [
        "--kubeconfig",
        inject("kubeconfig"),
        ...args,
      ]);
      return stdout;
    };

    it("explains a field from its description", async () => {
      const out = await kubectl("explain", "jitgrants.spec.duration");
      expect(out).toContain("How long the grant lasts, as a Go duration");
    });

    it("lists grants with the printer columns and the short name", async () => {
      const out = await kubectl("get", "jit", "-n", namespace, "week");
      expect(out.split("\n")[0]).toMatch(
        /^NAME\s+USER\s+LEVEL\s+PROVIDER\s+PHASE\s+EXPIRES\s+AGE$/,
      );
    });

    it("finds every cloudops kind through the category", async () => {
      const out = await kubectl("api-resources", "--categories=cloudops", "-o", "name");
      expect(out.trim().split("\n").sort()).toEqual([
        "deployments.cloudops.dev",
        "guildpolicies.cloudops.dev",
        "jitgrants.cloudops.dev",
      ]);
    });
  });
});
