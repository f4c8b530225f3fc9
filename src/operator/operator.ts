import type { Server } from "node:http";
import type { Logger } from "pino";
import { createJitGrantController } from "../controllers/jit-grant/controller.ts";
import { LogNotifier, type Notifier } from "../controllers/jit-grant/notifier.ts";
import { GuildPolicyIndex } from "../policy/guild-policies.ts";
import type { Controller } from "../runtime/controller.ts";
import { EventRecorder } from "../runtime/events.ts";
import { boundPort, startProbeServer } from "../runtime/http-server.ts";
import { makeClients, type KubeClients } from "../runtime/kube.ts";
import { LeaderElector, type LeaderElectionOptions } from "../runtime/leader-election.ts";
import { OperatorMetrics } from "../runtime/metrics.ts";
import type { KubeConfig } from "@kubernetes/client-node";

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  log: Logger;
  probeHost: string;
  probePort: number;
  /** Lease settings; undefined runs without leader election (a single replica). */
  leaderElection: LeaderElectionOptions | undefined;
  jitRetentionMs: number;
  notifier?: Notifier;
  /** Called when leadership is lost; the process should exit so it restarts as a candidate. */
  onFatal: (reason: string) => void;
}

export interface RunningOperator {
  server: Server;
  stop(): Promise<void>;
}

/**
 * Starts one operator process: probes and metrics at once; controllers only while this
 * process leads, so two replicas never reconcile the same object.
 */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { log } = options;
  const clients = makeClients(options.kubeConfig);
  const metrics = new OperatorMetrics();
  const events = new EventRecorder(clients.core, "cloudops-operator", log, () =>
    metrics.eventsDropped.inc(),
  );
  const controllers = buildControllers({ clients, metrics, events }, options);
  let controllersStarted = false;
  let controllersStarting: Promise<void> | undefined;

  const startControllers = async (): Promise<void> => {
    controllersStarting = Promise.all(controllers.map((c) => c.start())).then(() => undefined);
    await controllersStarting;
    controllersStarted = true;
  };

  const elector = options.leaderElection
    ? new LeaderElector(
        clients.coordination,
        options.leaderElection,
        {
          onStartedLeading: async () => {
            metrics.isLeader.set(1);
            await startControllers();
          },
          onStoppedLeading: () => {
            metrics.isLeader.set(0);
            options.onFatal("leadership lost");
          },
        },
        log.child({ component: "leader-election" }),
      )
    : undefined;

  const server = await startProbeServer({
    host: options.probeHost,
    port: options.probePort,
    registry: metrics.registry,
    ready: () => controllersStarted || (elector !== undefined && !elector.isLeader),
  });
  log.info({ host: options.probeHost, port: boundPort(server) }, "Serving probes and metrics");

  if (elector) elector.start();
  else {
    metrics.isLeader.set(1);
    await startControllers();
  }

  return {
    server,
    async stop() {
      await controllersStarting?.catch(() => undefined);
      await Promise.all(controllers.map((c) => c.stop()));
      await events.flush();
      await elector?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info("Stopped operator");
    },
  };
}

interface Shared {
  clients: KubeClients;
  metrics: OperatorMetrics;
  events: EventRecorder;
}

function buildControllers(shared: Shared, options: OperatorOptions): Controller[] {
  const { clients, metrics, events } = shared;
  const log = options.log;
  const policies = new GuildPolicyIndex(clients.config, clients.custom, log);
  const notifier = options.notifier ?? new LogNotifier(log.child({ component: "notifier" }));
  return [
    createJitGrantController({
      clients,
      policies,
      events,
      notifier,
      metrics,
      log,
      retentionMs: options.jitRetentionMs,
    }),
  ];
}
