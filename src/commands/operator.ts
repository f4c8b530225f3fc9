import { mkdir, copyFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import { PooledKubeConfig } from "../runtime/kube.ts";
import type { Logger } from "pino";
import { LocalControlPlane } from "../local-plane/control-plane.ts";
import { installCloudops } from "../local-plane/install.ts";
import { ensureTools, toolPath } from "../local-plane/tools.ts";
import { startOperator } from "../operator/operator.ts";
import { DEFAULT_LEADER_ELECTION } from "../runtime/leader-election.ts";
import { createLogger } from "../runtime/logger.ts";

export interface OperatorCommandOptions {
  kubeconfig?: string;
  localPlane: "auto" | "never" | "always";
  probeHost: string;
  probePort: number;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  leaderElectionId: string;
  leaseDuration: number;
  renewDeadline: number;
  retryPeriod: number;
  jitRetention: number;
  logLevel: string;
}

const LOCAL_KUBECONFIG = join(".cloudops", "kubeconfig");

/** Loads the kubeconfig the way kubectl does, or undefined when there is none. */
function loadKubeConfig(path?: string): KubeConfig | undefined {
  const kc = new PooledKubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch {
    return undefined;
  }
  return kc.getCurrentCluster() ? kc : undefined;
}

async function reachable(kc: KubeConfig): Promise<boolean> {
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), 3000).unref(),
    );
    await Promise.race([kc.makeApiClient(VersionApi).getCode(), timeout]);
    return true;
  } catch {
    return false;
  }
}

async function startLocalPlane(log: Logger): Promise<{ plane: LocalControlPlane; kc: KubeConfig }> {
  log.info("Starting local control plane (etcd and kube-apiserver)");
  await ensureTools(["etcd", "kube-apiserver", "kubectl"]);
  const plane = new LocalControlPlane();
  await plane.start();
  const kc = plane.adminKubeConfig();
  await installCloudops(kc);
  await mkdir(".cloudops", { recursive: true });
  await copyFile(plane.kubeconfigPath, LOCAL_KUBECONFIG);
  log.info(
    {
      server: plane.url,
      kubeconfig: resolve(LOCAL_KUBECONFIG),
      kubectl: toolPath("kubectl"),
      try: "hack/kubectl get cloudops -A",
    },
    "Local control plane ready; CRDs and RBAC installed",
  );
  return { plane, kc };
}

async function resolveCluster(
  options: OperatorCommandOptions,
  log: Logger,
): Promise<{ kc: KubeConfig; plane?: LocalControlPlane }> {
  if (options.localPlane === "always") return startLocalPlane(log);
  const kc = loadKubeConfig(options.kubeconfig);
  if (kc && (options.localPlane === "never" || (await reachable(kc)))) {
    log.info({ server: kc.getCurrentCluster()?.server }, "Using cluster from kubeconfig");
    return { kc };
  }
  if (options.localPlane === "never") {
    throw new Error(
      "No kubeconfig found: set --kubeconfig or KUBECONFIG, or use --local-plane auto",
    );
  }
  log.info("No reachable cluster in the kubeconfig");
  return startLocalPlane(log);
}

export async function runOperatorCommand(options: OperatorCommandOptions): Promise<void> {
  const log = createLogger({ level: options.logLevel });
  let plane: LocalControlPlane | undefined;
  let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
  let stopping = false;

  const shutdown = async (signal: string, code = 0): Promise<void> => {
    if (stopping) {
      log.warn({ signal }, "Forced exit");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "Shutting down");
    await operator?.stop().catch((err: unknown) => log.error({ err }, "Failed to stop operator"));
    await plane?.stop().catch((err: unknown) => log.error({ err }, "Failed to stop local plane"));
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    const cluster = await resolveCluster(options, log);
    plane = cluster.plane;
    operator = await startOperator({
      kubeConfig: cluster.kc,
      log,
      probeHost: options.probeHost,
      probePort: options.probePort,
      leaderElection: options.leaderElect
        ? {
            ...DEFAULT_LEADER_ELECTION,
            name: options.leaderElectionId,
            namespace: options.leaderElectionNamespace,
            leaseDurationMs: options.leaseDuration,
            renewDeadlineMs: options.renewDeadline,
            retryPeriodMs: options.retryPeriod,
          }
        : undefined,
      jitRetentionMs: options.jitRetention,
      onFatal: (reason) => {
        log.error({ reason }, "Exiting");
        void shutdown("leadership-lost", 1);
      },
    });
  } catch (err) {
    log.error({ err }, "Failed to start operator");
    await shutdown("startup-failure", 1);
  }
}
