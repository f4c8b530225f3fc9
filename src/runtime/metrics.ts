import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one operator process, served on /metrics. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: "cloudops_reconcile_total",
    help: "Reconciles by controller and result (success, requeue, error).",
    labelNames: ["controller", "result"] as const,
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: "cloudops_reconcile_errors_total",
    help: "Reconciles that failed, by controller.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: "cloudops_reconcile_duration_seconds",
    help: "Time spent in one reconcile, by controller.",
    labelNames: ["controller"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "cloudops_workqueue_depth",
    help: "Keys waiting in a controller's work queue.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly queueScheduled = new Gauge({
    name: "cloudops_workqueue_scheduled",
    help: "Keys with a pending requeue timer in a controller's work queue.",
    labelNames: ["controller"] as const,
    registers: [this.registry],
  });
  readonly eventsDropped = new Counter({
    name: "cloudops_events_dropped_total",
    help: "Kubernetes Events not sent because too many were waiting.",
    registers: [this.registry],
  });
  readonly isLeader = new Gauge({
    name: "cloudops_leader",
    help: "1 while this process holds the leader Lease, else 0.",
    registers: [this.registry],
  });
  readonly jitRevocationLateness = new Histogram({
    name: "cloudops_jit_revocation_lateness_seconds",
    help: "Time from a grant's expiresAt to its RoleBinding being deleted.",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "cloudops_" });
  }
}
