import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuildPolicy } from "../../src/crds/clients.ts";
import { GROUP, VERSION } from "../../src/crds/common.ts";
import { roleBindingName } from "../../src/controllers/jit-grant/role-binding.ts";
import type { KubeClients } from "../../src/runtime/kube.ts";
import {
  adminClients,
  canCreateDeployments,
  createGrant,
  getGrant,
  grantInPhase,
  newGuild,
  patchGrantSpec,
  roleBindingExists,
  snowflake,
} from "./support/cluster.ts";
import { eventually } from "./support/eventually.ts";
import { OperatorProcess } from "./support/operator-process.ts";

describe("JitGrant controller", () => {
  let clients: KubeClients;
  let operator: OperatorProcess;

  beforeAll(async () => {
    clients = adminClients();
    operator = new OperatorProcess({ leaseName: "e2e-jit-grant" });
    operator.start();
    await operator.waitForLog("Started controller", { controller: "jitgrant" });
  });

  afterAll(async () => {
    expect(await operator.stop()).toBe(0);
  });

  const phaseOf = (namespace: string, name: string, phase: string) =>
    grantInPhase(clients, namespace, name, phase);

  const notifications = (name: string, transition: string) =>
    operator.logs("Sent grant notification", { grant: name, transition });

  it("gives access for 3s through a RoleBinding, then takes it away at expiry", async () => {
    const { guildId, namespace } = await newGuild(clients);
    const userId = snowflake();
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);

    const created = await createGrant(clients, namespace, "short", { userId, duration: "3s" });

    const active = await eventually(() => phaseOf(namespace, "short", "Active"));
    const binding = await clients.rbac.readNamespacedRoleBinding({
      namespace,
      name: roleBindingName("short"),
    });
    expect(binding.roleRef.name).toBe("cloudops:deployer");
    expect(binding.subjects).toEqual([
      { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: `discord:${userId}` },
    ]);
    expect(binding.metadata?.ownerReferences?.[0]?.uid).toBe(created.metadata.uid);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(true);
    // The window starts at the server's creationTimestamp and lasts exactly the duration.
    const grantedAt = Date.parse(active.status?.grantedAt as string);
    expect(grantedAt).toBe(new Date(created.metadata.creationTimestamp as Date).getTime());
    expect(Date.parse(active.status?.expiresAt as string) - grantedAt).toBe(3000);
    expect(active.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "True",
      reason: "AccessGranted",
    });

    const expired = await eventually(() => phaseOf(namespace, "short", "Expired"));
    expect(await roleBindingExists(clients, namespace, roleBindingName("short"))).toBe(false);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);
    expect(expired.status?.expiresAt).toBe(active.status?.expiresAt);
    expect(Date.parse(expired.status?.revokedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(active.status?.expiresAt as string),
    );
    expect(expired.status?.conditions?.find((c) => c.type === "Ready")).toMatchObject({
      status: "False",
      reason: "GrantExpired",
    });
    expect(expired.status?.notified).toEqual(["Granted", "Expired"]);
    await eventually(async () => {
      expect((await getGrant(clients, namespace, "short")).metadata.finalizers ?? []).toEqual([]);
    });

    const events = await clients.core.listNamespacedEvent({ namespace });
    const reasons = events.items
      .filter((e) => e.involvedObject.name === "short")
      .map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(["AccessGranted", "GrantExpired"]));
    await eventually(() => expect(notifications("short", "Expired")).toHaveLength(1));
    expect(notifications("short", "Granted")).toHaveLength(1);
    expect(notifications("short", "Granted")[0]).toMatchObject({ guild: guildId, user: userId });
  });

  it("revokes at once when spec.revoked is set, and refuses to reinstate", async () => {
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "revoke-me", { userId, duration: "10m", level: "admin" });
    await eventually(() => phaseOf(namespace, "revoke-me", "Active"));
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(true);

    await patchGrantSpec(clients, namespace, "revoke-me", { revoked: true });

    const revoked = await eventually(() => phaseOf(namespace, "revoke-me", "Revoked"));
    expect(revoked.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe(
      "GrantRevoked",
    );
    expect(await roleBindingExists(clients, namespace, roleBindingName("revoke-me"))).toBe(false);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);
    await eventually(() => expect(notifications("revoke-me", "Revoked")).toHaveLength(1));

    await expect(
      patchGrantSpec(clients, namespace, "revoke-me", { revoked: false }),
    ).rejects.toMatchObject({
      body: expect.stringContaining("a revoked grant cannot be reinstated"),
    });
  });

  it("keeps overlapping grants independent: one ending leaves the other's access", async () => {
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "overlap-short", { userId, duration: "3s" });
    await createGrant(clients, namespace, "overlap-long", { userId, duration: "10m" });
    await eventually(() => phaseOf(namespace, "overlap-long", "Active"));

    await eventually(() => phaseOf(namespace, "overlap-short", "Expired"), { timeoutMs: 30_000 });
    expect(await roleBindingExists(clients, namespace, roleBindingName("overlap-short"))).toBe(
      false,
    );
    expect(await roleBindingExists(clients, namespace, roleBindingName("overlap-long"))).toBe(true);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(true);

    await patchGrantSpec(clients, namespace, "overlap-long", { revoked: true });
    await eventually(() => phaseOf(namespace, "overlap-long", "Revoked"));
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);
  });

  it("takes access away when an active grant is deleted, then lets the grant go", async () => {
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "deleted", { userId, duration: "10m" });
    const active = await eventually(() => phaseOf(namespace, "deleted", "Active"));
    expect(active.metadata.finalizers).toEqual(["cloudops.dev/revoke-access"]);

    await clients.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      plural: "jitgrants",
      namespace,
      name: "deleted",
    });

    await eventually(async () => {
      await expect(getGrant(clients, namespace, "deleted")).rejects.toMatchObject({ code: 404 });
    });
    expect(await roleBindingExists(clients, namespace, roleBindingName("deleted"))).toBe(false);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);
    await eventually(() => expect(notifications("deleted", "Revoked")).toHaveLength(1));
  });

  it("recreates a RoleBinding deleted by hand while the grant is active", async () => {
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "self-heal", {
      userId,
      duration: "10m",
      level: "viewer",
    });
    await eventually(() => phaseOf(namespace, "self-heal", "Active"));
    await clients.rbac.deleteNamespacedRoleBinding({
      namespace,
      name: roleBindingName("self-heal"),
    });

    await eventually(async () => {
      expect(await roleBindingExists(clients, namespace, roleBindingName("self-heal"))).toBe(true);
    });
    expect(notifications("self-heal", "Granted")).toHaveLength(1);
  });

  it("uses the guild policy: its default duration, and denies more than its maximum", async () => {
    const { guildId, namespace } = await newGuild(clients);
    await createGuildPolicy(clients.custom, {
      guildId,
      jit: { maxDuration: "1h", defaultDuration: "15m" },
    });
    const userId = snowflake();
    await createGrant(clients, namespace, "defaulted", { userId });
    await createGrant(clients, namespace, "too-long", { userId, duration: "2h" });

    const defaulted = await eventually(() => phaseOf(namespace, "defaulted", "Active"));
    const window =
      Date.parse(defaulted.status?.expiresAt as string) -
      Date.parse(defaulted.status?.grantedAt as string);
    expect(window).toBe(15 * 60_000);

    const denied = await eventually(() => phaseOf(namespace, "too-long", "Denied"));
    expect(denied.status?.message).toBe(
      "spec.duration 2h exceeds the guild's jit.maxDuration 1h; create a new grant of 1h or less",
    );
    expect(denied.status?.conditions?.find((c) => c.type === "Stalled")).toMatchObject({
      status: "True",
      reason: "PolicyDenied",
    });
    expect(await roleBindingExists(clients, namespace, roleBindingName("too-long"))).toBe(false);
    expect(notifications("too-long", "Granted")).toHaveLength(0);
  });

  it("ends a grant created already revoked without giving or announcing access", async () => {
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "stillborn", { userId, duration: "1h", revoked: true });

    const revoked = await eventually(() => phaseOf(namespace, "stillborn", "Revoked"));
    expect(revoked.status?.notified ?? []).toEqual([]);
    expect(revoked.status?.message).toMatch(/^grant was revoked at .* before access was given$/);
    expect(await roleBindingExists(clients, namespace, roleBindingName("stillborn"))).toBe(false);
    const events = await eventually(async () => {
      const list = await clients.core.listNamespacedEvent({ namespace });
      const found = list.items.filter((e) => e.involvedObject.name === "stillborn");
      expect(found).toHaveLength(1);
      return found;
    });
    expect(events[0]?.message).toBe(
      `Access of ${userId} (deployer) was revoked before it was given`,
    );
    expect(notifications("stillborn", "Revoked")).toHaveLength(0);
  });

  it("denies a grant in a namespace that belongs to no guild", async () => {
    const namespace = `not-a-guild-${snowflake().slice(0, 8)}`;
    await clients.core.createNamespace({ body: { metadata: { name: namespace } } });
    await createGrant(clients, namespace, "stray", { userId: snowflake(), duration: "5m" });

    const denied = await eventually(() => phaseOf(namespace, "stray", "Denied"));
    expect(denied.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("GuildUnknown");
    expect(denied.status?.message).toBe(
      `namespace ${namespace} does not belong to any guild: use guild-<guild ID> ` +
        "or the namespace a GuildPolicy names in spec.namespace",
    );
  });
});

describe("operator probes and metrics", () => {
  it("serves /healthz, /readyz and Prometheus metrics of its reconciles", async () => {
    const clients = adminClients();
    const operator = new OperatorProcess({ leaseName: "e2e-metrics" });
    operator.start();
    try {
      const { port } = await operator.waitForLog("Serving probes and metrics");
      await operator.waitForLog("Started controller", { controller: "jitgrant" });
      const { namespace } = await newGuild(clients);
      await createGrant(clients, namespace, "metered", { userId: snowflake(), duration: "5m" });
      await operator.waitForLog("Granted access", { name: "metered" });

      const base = `http://127.0.0.1:${port as number}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).text()).toBe("ok\n");
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const successes =
        /^cloudops_reconcile_total\{controller="jitgrant",result="requeue"\} (\d+)$/m;
      expect(Number(successes.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
      expect(metrics).toMatch(/^cloudops_workqueue_depth\{controller="jitgrant"\} \d+$/m);
      expect(metrics).toMatch(/^cloudops_leader 1$/m);
      expect(metrics).toMatch(
        /^cloudops_reconcile_duration_seconds_count\{controller="jitgrant"\} \d+$/m,
      );
    } finally {
      await operator.stop();
    }
  });
});
