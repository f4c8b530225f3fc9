/**
 * Revocation lateness of JIT grants at scale.
 *
 * Starts a local control plane (or uses $KUBECONFIG with --use-kubeconfig), runs the real
 * operator CLI as a child process, creates N grants whose expiries are spread over a window,
 * and watches RoleBindings: lateness is the time from a grant's expiresAt to the watch event
 * that its RoleBinding was deleted. Prints p50, p99 and max lateness and the operator's peak RSS.
 *
 *   node bench/jit-expiry.ts [--grants 10000] [--window 60s] [--lead 240s]
 *                            [--operator-node-args="--max-old-space-size=256 --cpu-prof"]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesListObject, V1RoleBinding } from "@kubernetes/client-node";
import { createLogger } from "../src/runtime/logger.ts";
import { createGuildPolicy, createJitGrant } from "../src/crds/clients.ts";
import { GROUP, VERSION } from "../src/crds/common.ts";
import type { JitGrant } from "../src/crds/jit-grant.ts";
import { LocalControlPlane } from "../src/local-plane/control-plane.ts";
import { installCloudops } from "../src/local-plane/install.ts";
import { REPO_ROOT } from "../src/local-plane/tools.ts";
import { parseDuration } from "../src/policy/duration.ts";
import { ResilientInformer } from "../src/runtime/informer.ts";
import { makeClients, PooledKubeConfig, type KubeClients } from "../src/runtime/kube.ts";

const { values } = parseArgs({
  options: {
    grants: { type: "string", default: "10000" },
    window: { type: "string", default: "60s" },
    lead: { type: "string", default: "240s" },
    concurrency: { type: "string", default: "32" },
    "operator-node-args": { type: "string", default: "" },
    "use-kubeconfig": { type: "boolean", default: false },
  },
});
const total = Number(values.grants);
const windowMs = parseDuration(values.window);
const leadMs = parseDuration(values.lead);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Samples the operator's heap use from its /metrics once a second. */
function watchHeap(operator: ChildProcess): { peakMb: () => number; stop: () => void } {
  let port = 0;
  let peak = 0;
  createInterface({ input: operator.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    const match = /"port":(\d+),"msg":"Serving probes and metrics"/.exec(line);
    if (match) port = Number(match[1]);
    else if (line.includes('"level":"error"')) console.error(line);
  });
  const timer = setInterval(() => {
    if (!port) return;
    fetch(`http://127.0.0.1:${port}/metrics`)
      .then((res) => res.text())
      .then((text) => {
        const used = /^cloudops_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1];
        if (used) peak = Math.max(peak, Number(used) / 1024 / 1024);
      })
      .catch(() => undefined);
  }, 1000);
  return { peakMb: () => peak, stop: () => clearInterval(timer) };
}

async function createGrants(clients: KubeClients, namespace: string, firstExpiry: number) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const target = firstExpiry + (i * windowMs) / total;
      const durationMs = Math.max(1000, Math.round(target - Date.now()));
      await createJitGrant(clients.custom, namespace, `bench-${i}`, {
        userId: String(100000000000000000n + BigInt(i)),
        level: "viewer",
        duration: `${durationMs}ms`,
      });
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
}

async function main(): Promise<void> {
  let plane: LocalControlPlane | undefined;
  let kubeconfig = process.env.KUBECONFIG ?? "";
  if (!values["use-kubeconfig"]) {
    plane = new LocalControlPlane();
    await plane.start();
    await installCloudops(plane.adminKubeConfig());
    kubeconfig = plane.kubeconfigPath;
  }
  const kc = new PooledKubeConfig();
  kc.loadFromFile(kubeconfig);
  const clients = makeClients(kc);
  const namespace = "guild-100000000000000001";
  await clients.core
    .createNamespace({ body: { metadata: { name: namespace } } })
    .catch(() => undefined);
  await createGuildPolicy(clients.custom, {
    guildId: "100000000000000001",
    jit: { maxDuration: "1h", defaultDuration: "60m" },
  }).catch(() => undefined);

  const nodeArgs = (values["operator-node-args"] as string).split(" ").filter(Boolean);
  const operator = spawn(
    process.execPath,
    [
      ...nodeArgs,
      join(REPO_ROOT, "src", "cli.ts"),
      "operator",
      "--kubeconfig",
      kubeconfig,
      "--probe-port",
      "0",
      "--no-leader-elect",
      "--log-level",
      "info",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const heap = watchHeap(operator);

  const expiresAt = new Map<string, number>();
  const activeAt = new Map<string, number>();
  const deletedAt = new Map<string, number>();
  const log = createLogger({ level: "warn", destination: 2 });
  const grants = new ResilientInformer<JitGrant>(
    kc,
    {
      path: `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/jitgrants`,
      list: () =>
        clients.custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          plural: "jitgrants",
          namespace,
        }) as Promise<KubernetesListObject<JitGrant>>,
      onChange: (grant) => {
        if (grant.status?.phase === "Active") activeAt.set(grant.metadata.name, Date.now());
      },
    },
    log,
  );
  const bindings = new ResilientInformer<V1RoleBinding>(
    kc,
    {
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`,
      list: () => clients.rbac.listNamespacedRoleBinding({ namespace }),
      onChange: (binding, verb) => {
        const grant = binding.metadata?.ownerReferences?.[0]?.name;
        if (verb === "delete" && grant) deletedAt.set(grant, Date.now());
      },
    },
    log,
  );
  await grants.start();
  await bindings.start();

  const started = Date.now();
  const firstExpiry = started + leadMs;
  console.log(
    `creating ${total} grants, expiring from +${leadMs / 1000}s over ${windowMs / 1000}s`,
  );
  await createGrants(clients, namespace, firstExpiry);
  const created = Date.now();
  console.log(`created in ${((created - started) / 1000).toFixed(1)} s`);
  if (created > firstExpiry) console.log("warning: creation overran the lead; raise --lead");

  // Watch grants only until all are active, so the bench adds no load during the window.
  while (activeAt.size < total && Date.now() < firstExpiry - 2000) await sleep(250);
  await grants.stop();

  const deadline = firstExpiry + windowMs + 120_000;
  while (deletedAt.size < total && Date.now() < deadline) await sleep(500);

  const listed = (await clients.custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    plural: "jitgrants",
    namespace,
  })) as KubernetesListObject<JitGrant>;
  for (const grant of listed.items) {
    const at = grant.status?.expiresAt;
    if (at) expiresAt.set(grant.metadata.name, Date.parse(at));
  }
  const lateness = [...deletedAt]
    .map(([name, at]) => at - (expiresAt.get(name) ?? NaN))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  const rss = peakRssMb(operator.pid as number);
  heap.stop();
  await bindings.stop();
  operator.kill("SIGTERM");
  await new Promise((resolve) => operator.once("exit", resolve));

  console.log(`grants: ${total}, revoked and observed: ${lateness.length}`);
  console.log(`lateness p50: ${percentile(lateness, 50)} ms`);
  console.log(`lateness p99: ${percentile(lateness, 99)} ms`);
  console.log(`lateness max: ${lateness[lateness.length - 1]} ms`);
  const allActive = Math.max(...activeAt.values());
  console.log(`all grants active ${((allActive - started) / 1000).toFixed(1)} s after start`);
  console.log(`operator peak RSS: ${rss.toFixed(1)} MB`);
  console.log(`operator peak V8 heap used: ${heap.peakMb().toFixed(1)} MB`);
  await plane?.stop();
  process.exit(0);
}

await main();
