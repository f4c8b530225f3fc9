import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LocalControlPlane } from "../../src/local-plane/control-plane.ts";
import { installCloudops } from "../../src/local-plane/install.ts";
import { makeClients, type KubeClients } from "../../src/runtime/kube.ts";
import {
  createGrant,
  grantInPhase,
  newGuild,
  patchGrantSpec,
  snowflake,
} from "./support/cluster.ts";
import { eventually } from "./support/eventually.ts";
import { OperatorProcess } from "./support/operator-process.ts";

/**
 * Runs on a control plane of its own, since it restarts the API server. It needs the local
 * plane binaries, which every run of the suite has built.
 */
describe("operator across an API server restart", () => {
  const plane = new LocalControlPlane();
  let clients: KubeClients;
  let operator: OperatorProcess;

  beforeAll(async () => {
    await plane.start();
    const admin = plane.adminKubeConfig();
    await installCloudops(admin);
    clients = makeClients(admin);
    operator = new OperatorProcess({
      leaseName: "e2e-resilience",
      kubeconfig: plane.kubeconfigPath,
      // Long enough to keep leading through the restart; a shorter deadline makes the
      // operator exit on purpose, which a Deployment would restart.
      extraArgs: ["--lease-duration", "60s", "--renew-deadline", "45s"],
    });
    operator.start();
    await operator.waitForLog("Started controller", { controller: "jitgrant" });
  });

  afterAll(async () => {
    await operator?.stop();
    await plane.stop();
  });

  it("restarts its watches after the API server comes back, and keeps reconciling", async () => {
    expect(inject("kubeconfig")).not.toBe(plane.kubeconfigPath);
    const { namespace } = await newGuild(clients);
    await createGrant(clients, namespace, "before", { userId: snowflake(), duration: "10m" });
    await eventually(() => grantInPhase(clients, namespace, "before", "Active"));

    await plane.restartApiServer(1000);

    await createGrant(clients, namespace, "after", { userId: snowflake(), duration: "10m" });
    await eventually(() => grantInPhase(clients, namespace, "after", "Active"));
    await patchGrantSpec(clients, namespace, "after", { revoked: true });
    const ended = await eventually(() => grantInPhase(clients, namespace, "after", "Revoked"));
    expect(ended.status?.notified).toEqual(["Granted", "Revoked"]);
    expect(operator.logs("Lost leadership")).toHaveLength(0);
  });
});
