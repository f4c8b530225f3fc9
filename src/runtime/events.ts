import type { CoreV1Api } from "@kubernetes/client-node";
import PQueue from "p-queue";
import type { Logger } from "pino";

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export type EventType = "Normal" | "Warning";

/** Events waiting to be sent before new ones are dropped. */
const MAX_PENDING_EVENTS = 1000;

/**
 * Records Kubernetes Events against cloudops objects, shown by `kubectl describe` and
 * `kubectl events`. Events are informational: they are sent in the background, two at a time,
 * so a reconcile never waits on one, and when the API server falls behind, new events are
 * dropped (and counted) rather than queued without bound. A failed send is logged, never
 * retried.
 */
export class EventRecorder {
  private readonly core: CoreV1Api;
  private readonly component: string;
  private readonly log: Logger;
  private readonly queue = new PQueue({ concurrency: 2 });
  private readonly onDrop: () => void;

  constructor(core: CoreV1Api, component: string, log: Logger, onDrop: () => void = () => {}) {
    this.core = core;
    this.component = component;
    this.log = log;
    this.onDrop = onDrop;
  }

  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    if (this.queue.size >= MAX_PENDING_EVENTS) {
      this.onDrop();
      this.log.debug({ reason, name: target.metadata.name }, "Dropped event");
      return;
    }
    void this.queue.add(() => this.send(target, type, reason, message));
  }

  /** Resolves once every queued event has been sent or has failed. */
  async flush(): Promise<void> {
    await this.queue.onIdle();
  }

  private async send(
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
