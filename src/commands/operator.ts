import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { startOperator } from "../operator/operator.ts";
import { PooledKubeConfig } from "../runtime/kube.ts";
import { DEFAULT_LEADER_ELECTION } from "../runtime/leader-election.ts";
import { createLogger } from "../runtime/logger.ts";
import { withTimeout } from "../runtime/timeout.ts";
import { assertPortFree, LocalSession } from "./local-session.ts";

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

/**
 * Loads the kubeconfig the way kubectl does, or undefined when there is none. client-node falls
 * back to http://localhost:8080 when it finds nothing; that is treated as none.
 */
function loadKubeConfig(path?: string): KubeConfig | undefined {
  const anySource =
    path ||
    process.env.KUBECONFIG ||
    process.env.KUBERNETES_SERVICE_HOST ||
    existsSync(join(homedir(), ".kube", "config"));
  if (!anySource) return undefined;
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
    await withTimeout(kc.makeApiClient(VersionApi).getCode(), 3000);
    return true;
  } catch {
    return false;
  }
}

async function resolveCluster(
  options: OperatorCommandOptions,
  log: Logger,
): Promise<{ kc: KubeConfig; session?: LocalSession }> {
  if (options.localPlane === "always") return startLocalSession(log);
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
  log.info(kc ? "No reachable cluster in the kubeconfig" : "No kubeconfig found");
  return startLocalSession(log);
}

async function startLocalSession(log: Logger): Promise<{ kc: KubeConfig; session: LocalSession }> {
  const session = new LocalSession(log);
  try {
    return { kc: await session.start(), session };
  } catch (err) {
    await session.stop().catch(() => undefined);
    throw err;
  }
}

export async function runOperatorCommand(options: OperatorCommandOptions): Promise<void> {
  const log = createLogger({ level: options.logLevel });
  let session: LocalSession | undefined;
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
    await session?.stop().catch((err: unknown) => log.error({ err }, "Failed to stop local plane"));
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(code);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  try {
    await assertPortFree(options.probeHost, options.probePort);
    const cluster = await resolveCluster(options, log);
    session = cluster.session;
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
        void shutdown("fatal", 1);
      },
    });
    await session?.publish();
  } catch (err) {
    log.error({ err }, "Failed to start operator");
    await shutdown("startup-failure", 1);
  }
}
