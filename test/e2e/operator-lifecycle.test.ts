import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
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
import { OperatorProcess, type LogLine } from "./support/operator-process.ts";

describe("operator lifecycle", () => {
  let clients: KubeClients;
  const running: OperatorProcess[] = [];

  const startOperator = (leaseName: string, extraArgs: string[] = []): OperatorProcess => {
    const operator = new OperatorProcess({ leaseName, extraArgs });
    operator.start();
    running.push(operator);
    return operator;
  };

  beforeAll(() => {
    clients = adminClients();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((o) => o.stop()));
  });

  const phaseOf = (namespace: string, name: string, phase: string) =>
    grantInPhase(clients, namespace, name, phase);

  const sent = (operators: OperatorProcess[], grant: string, transition: string): LogLine[] =>
    operators.flatMap((o) => o.logs("Sent grant notification", { grant, transition }));

  it("revokes a grant that expired while the operator was stopped, right after start", async () => {
    const lease = `e2e-restart-${snowflake().slice(0, 6)}`;
    const first = startOperator(lease);
    await first.waitForLog("Started controller", { controller: "jitgrant" });
    const { namespace } = await newGuild(clients);
    const userId = snowflake();
    await createGrant(clients, namespace, "outage", { userId, duration: "4s" });
    const active = await eventually(() => phaseOf(namespace, "outage", "Active"));
    expect(await first.stop()).toBe(0);

    const expiresAt = Date.parse(active.status?.expiresAt as string);
    await sleep(Math.max(0, expiresAt - Date.now()) + 1000);
    // Nothing runs while the operator is down: the access is still there, past its expiry.
    expect(await roleBindingExists(clients, namespace, roleBindingName("outage"))).toBe(true);
    expect((await getGrant(clients, namespace, "outage")).status?.phase).toBe("Active");

    const second = startOperator(lease);
    await second.waitForLog("Started controller", { controller: "jitgrant" });
    await eventually(() => phaseOf(namespace, "outage", "Expired"), { timeoutMs: 10_000 });
    expect(await roleBindingExists(clients, namespace, roleBindingName("outage"))).toBe(false);
    expect(await canCreateDeployments(clients, userId, namespace)).toBe(false);
    await eventually(() => expect(sent([second], "outage", "Expired")).toHaveLength(1));
    expect(sent([first, second], "outage", "Granted")).toHaveLength(1);
    expect(sent([first], "outage", "Granted")).toHaveLength(1);
  });

  it("sends each notification once across a restart", async () => {
    const lease = `e2e-notify-${snowflake().slice(0, 6)}`;
    const first = startOperator(lease);
    await first.waitForLog("Started controller", { controller: "jitgrant" });
    const { namespace } = await newGuild(clients);
    await createGrant(clients, namespace, "once", { userId: snowflake(), duration: "10m" });
    await eventually(() => expect(sent([first], "once", "Granted")).toHaveLength(1));
    expect(await first.stop()).toBe(0);

    const second = startOperator(lease);
    await second.waitForLog("Started controller", { controller: "jitgrant" });
    // The restarted operator reconciles the active grant on its first list.
    await second.waitForLog("Reconciled", { name: "once", namespace });
    expect(sent([second], "once", "Granted")).toHaveLength(0);
    expect((await getGrant(clients, namespace, "once")).status?.notified).toEqual(["Granted"]);
  });

  it("keeps an ended grant for the retention period, then deletes it", async () => {
    const operator = startOperator(`e2e-retention-${snowflake().slice(0, 6)}`, [
      "--jit-retention",
      "3s",
    ]);
    await operator.waitForLog("Started controller", { controller: "jitgrant" });
    const { namespace } = await newGuild(clients);
    await createGrant(clients, namespace, "audited", { userId: snowflake(), duration: "1h" });
    await eventually(() => phaseOf(namespace, "audited", "Active"));
    await patchGrantSpec(clients, namespace, "audited", { revoked: true });
    const revoked = await eventually(() => phaseOf(namespace, "audited", "Revoked"));

    // Still there for audit right after it ended, gone once retention has passed.
    expect(revoked.status?.revokedAt).toBeDefined();
    await eventually(
      async () => {
        await expect(getGrant(clients, namespace, "audited")).rejects.toMatchObject({ code: 404 });
      },
      { timeoutMs: 15_000 },
    );
    const gone = Date.now();
    expect(gone - Date.parse(revoked.status?.revokedAt as string)).toBeGreaterThanOrEqual(3000);
  });

  it("lets only the leader reconcile, and hands over when the leader stops", async () => {
    const lease = `e2e-leader-${snowflake().slice(0, 6)}`;
    const a = startOperator(lease);
    await a.waitForLog("Acquired leadership");
    const b = startOperator(lease);
    await b.waitForLog("Waiting for leadership");

    const { namespace } = await newGuild(clients);
    await createGrant(clients, namespace, "led", { userId: snowflake(), duration: "10m" });
    await eventually(() => phaseOf(namespace, "led", "Active"));
    await sleep(1500);
    expect(a.logs("Granted access", { name: "led" })).toHaveLength(1);
    expect(b.logs("Acquired leadership")).toHaveLength(0);
    expect(b.logs("Started controller")).toHaveLength(0);
    expect(b.logs("Reconciled")).toHaveLength(0);

    expect(await a.stop()).toBe(0);
    expect(a.logs("Released leadership")).toHaveLength(1);
    await b.waitForLog("Acquired leadership", {}, 10_000);
    await b.waitForLog("Started controller", { controller: "jitgrant" });
    await createGrant(clients, namespace, "after-handover", {
      userId: snowflake(),
      duration: "10m",
    });
    await eventually(() => phaseOf(namespace, "after-handover", "Active"));
    expect(b.logs("Granted access", { name: "after-handover" })).toHaveLength(1);
    expect(b.logs("Granted access", { name: "led" })).toHaveLength(0);
  });

  it("takes over from a leader that died without releasing the lease", async () => {
    const lease = `e2e-crash-${snowflake().slice(0, 6)}`;
    const a = startOperator(lease);
    await a.waitForLog("Acquired leadership");
    const b = startOperator(lease);
    await b.waitForLog("Waiting for leadership");

    await a.stop("SIGKILL");
    expect(a.logs("Released leadership")).toHaveLength(0);
    await b.waitForLog("Acquired leadership", {}, 20_000);
    await b.waitForLog("Started controller", { controller: "jitgrant" });
  });
});
