import type { CoreV1Api } from "@kubernetes/client-node";
import type { Logger } from "pino";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export type EventType = "Normal" | "Warning";

/**
 * Records Kubernetes Events against cloudops objects, shown by `kubectl describe` and
 * `kubectl events`. Failing to record an event is logged and otherwise ignored: events are
 * informational and must never fail a reconcile.
 */
export class EventRecorder {
  private readonly core: CoreV1Api;
  private readonly component: string;
  private readonly log: Logger;

  constructor(core: CoreV1Api, component: string, log: Logger) {
    this.core = core;
    this.component = component;
    this.log = log;
  }

  async record(
    target: EventTarget,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = target.metadata.namespace ?? "default";
    const now = new Date();
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${target.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.metadata.name,
            namespace: target.metadata.namespace,
            uid: target.metadata.uid,
            resourceVersion: target.metadata.resourceVersion,
          },
          type,
          reason,
          message,
          source: { component: this.component },
          reportingComponent: `cloudops.dev/${this.component}`,
          reportingInstance: this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (err) {
      this.log.warn({ err, reason }, "Failed to record event");
    }
  }
}
