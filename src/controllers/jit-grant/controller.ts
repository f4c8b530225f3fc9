import type { KubernetesListObject, V1RoleBinding } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { GROUP, VERSION } from "../../crds/common.ts";
import type { JitGrant } from "../../crds/jit-grant.ts";
import type { GuildPolicyIndex } from "../../policy/guild-policies.ts";
import { Controller } from "../../runtime/controller.ts";
import type { EventRecorder } from "../../runtime/events.ts";
import { ResilientInformer } from "../../runtime/informer.ts";
import { keyOf, type KubeClients } from "../../runtime/kube.ts";
import type { OperatorMetrics } from "../../runtime/metrics.ts";
import type { Notifier } from "./notifier.ts";
import { JitGrantReconciler } from "./reconciler.ts";
import { LABEL_MANAGED_BY, MANAGER } from "./role-binding.ts";

export interface JitGrantControllerOptions {
  clients: KubeClients;
  policies: GuildPolicyIndex;
  events: EventRecorder;
  notifier: Notifier;
  metrics: OperatorMetrics;
  log: Logger;
  retentionMs: number;
  concurrency?: number;
}

/**
 * Wires the JitGrant reconciler to its inputs: every JitGrant, and every RoleBinding cloudops
 * manages (a binding edited or deleted by hand brings its grant back in line).
 */
export function createJitGrantController(options: JitGrantControllerOptions): Controller {
  const { clients, log } = options;
  const grants = new ResilientInformer<JitGrant>(
    clients.config,
    {
      path: `/apis/${GROUP}/${VERSION}/jitgrants`,
      list: () =>
        clients.custom.listCustomObjectForAllNamespaces({
          group: GROUP,
          version: VERSION,
          resourcePlural: "jitgrants",
        }) as Promise<KubernetesListObject<JitGrant>>,
      onChange: (obj) => controller.enqueue(keyOf(obj)),
    },
    log,
  );
  const bindings = new ResilientInformer<V1RoleBinding>(
    clients.config,
    {
      path: "/apis/rbac.authorization.k8s.io/v1/rolebindings",
      labelSelector: `${LABEL_MANAGED_BY}=${MANAGER}`,
      list: () =>
        clients.rbac.listRoleBindingForAllNamespaces({
          labelSelector: `${LABEL_MANAGED_BY}=${MANAGER}`,
        }),
      onChange: (binding) => {
        const owner = binding.metadata?.ownerReferences?.find((o) => o.kind === "JitGrant");
        if (owner) controller.enqueue(`${binding.metadata?.namespace}/${owner.name}`);
      },
    },
    log,
  );
  const reconciler = new JitGrantReconciler({ ...options, grants, bindings });
  const controller: Controller = new Controller({
    name: "jitgrant",
    kind: "JitGrant",
    reconcile: (req) => reconciler.reconcile(req),
    sources: [options.policies.informer, grants, bindings],
    log,
    metrics: options.metrics,
    queue: { concurrency: options.concurrency ?? 32 },
  });
  return controller;
}
