import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeConfig } from "@kubernetes/client-node";
import { PooledKubeConfig } from "../runtime/kube.ts";
import * as yaml from "js-yaml";
import { createLeaf, createPlaneCerts, type CertPair, type PlaneCerts } from "./certs.ts";
import { freePort, startProcess, stopProcess, type ManagedProcess } from "./processes.ts";
import { toolPath } from "./tools.ts";

export interface ControlPlaneOptions {
  /** Keep the working directory (logs, certificates, etcd data) after stop, for debugging. */
  keepDir?: boolean;
  /** How long to wait for /readyz. */
  startTimeoutMs?: number;
}

export interface UserCredentials {
  name: string;
  groups: string[];
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
}

/**
 * A real etcd and kube-apiserver on free 127.0.0.1 ports, with RBAC on and client-certificate
 * users, in the manner of controller-runtime's envtest. There is no controller-manager: no
 * garbage collection, and deleted namespaces stay Terminating.
 */
export class LocalControlPlane {
  dir = "";
  url = "";
  kubeconfigPath = "";
  private certs: PlaneCerts | undefined;
  private etcd: ManagedProcess | undefined;
  private apiserver: ManagedProcess | undefined;

  private readonly options: ControlPlaneOptions;

  constructor(options: ControlPlaneOptions = {}) {
    this.options = options;
  }

  async start(): Promise<void> {
    const etcdBin = toolPath("etcd");
    const apiserverBin = toolPath("kube-apiserver");
    this.dir = await mkdtemp(join(tmpdir(), "cloudops-plane-"));
    this.certs = await createPlaneCerts(this.dir);
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    this.etcd = startProcess(
      "etcd",
      etcdBin,
      etcdArgs(this.dir, etcdClient, etcdPeer),
      join(this.dir, "etcd.log"),
    );
    this.url = `https://127.0.0.1:${apiPort}`;
    this.apiserver = startProcess(
      "kube-apiserver",
      apiserverBin,
      apiserverArgs(this.certs, `http://127.0.0.1:${etcdClient}`, apiPort, this.dir),
      join(this.dir, "kube-apiserver.log"),
    );
    try {
      await this.waitReady(this.options.startTimeoutMs ?? 90_000);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.kubeconfigPath = join(this.dir, "admin.kubeconfig");
    await writeFile(this.kubeconfigPath, this.kubeconfigYaml("admin", this.certs.admin));
  }

  /** The etcd client URL, for tests that read what the API server stored. */
  get etcdEndpoint(): string {
    const arg = (this.etcd?.child.spawnargs ?? []).find((a) =>
      a.startsWith("--listen-client-urls="),
    );
    return arg?.split("=")[1] ?? "";
  }

  adminKubeConfig(): KubeConfig {
    const kc = new PooledKubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  /** Mints a client certificate for any user and groups, for RBAC tests. */
  async mintUser(name: string, groups: string[] = []): Promise<UserCredentials> {
    const certs = this.requireCerts();
    const file = `user-${name.replace(/[^a-zA-Z0-9_-]/g, "_")}`;
    const pair = await createLeaf({
      dir: this.dir,
      ca: certs.ca,
      name: file,
      commonName: name,
      organizations: groups,
    });
    const kubeconfigPath = join(this.dir, `${file}.kubeconfig`);
    await writeFile(kubeconfigPath, this.kubeconfigYaml(name, pair));
    const kubeConfig = new PooledKubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    return { name, groups, kubeConfig, kubeconfigPath };
  }

  /**
   * Stops kube-apiserver and starts it again on the same port and etcd, as an API server
   * upgrade or crash would look to clients: watches break, requests fail, then all comes back.
   */
  async restartApiServer(downtimeMs = 0): Promise<void> {
    const old = this.apiserver;
    if (!old) throw new Error("The control plane has not been started");
    await stopProcess(old);
    await sleep(downtimeMs);
    const [command, ...args] = old.child.spawnargs;
    this.apiserver = startProcess("kube-apiserver", command as string, args, old.logFile);
    await this.waitReady(this.options.startTimeoutMs ?? 90_000);
  }

  async stop(): Promise<void> {
    if (this.apiserver) await stopProcess(this.apiserver);
    if (this.etcd) await stopProcess(this.etcd);
    this.apiserver = undefined;
    this.etcd = undefined;
    if (this.dir && !this.options.keepDir) await rm(this.dir, { recursive: true, force: true });
  }

  private requireCerts(): PlaneCerts {
    if (!this.certs) throw new Error("The control plane has not been started");
    return this.certs;
  }

  private kubeconfigYaml(user: string, pair: CertPair): string {
    const certs = this.requireCerts();
    return yaml.dump({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: "cloudops-local",
          cluster: { server: this.url, "certificate-authority": certs.ca.cert },
        },
      ],
      users: [{ name: user, user: { "client-certificate": pair.cert, "client-key": pair.key } }],
      contexts: [{ name: "cloudops-local", context: { cluster: "cloudops-local", user } }],
      "current-context": "cloudops-local",
    });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
      for (const proc of [this.etcd, this.apiserver]) {
        if (proc && proc.child.exitCode !== null) {
          throw new Error(
            `${proc.name} exited with code ${proc.child.exitCode}: ${await tail(proc.logFile)}`,
          );
        }
      }
      try {
        const status = await this.probe("/readyz");
        if (status === 200) return;
        last = `HTTP ${status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(250);
    }
    throw new Error(
      `kube-apiserver was not ready within ${timeoutMs} ms (last: ${last}): ` +
        (await tail(join(this.dir, "kube-apiserver.log"))),
    );
  }

  private async probe(path: string): Promise<number> {
    const certs = this.requireCerts();
    const [ca, cert, key] = await Promise.all(
      [certs.ca.cert, certs.admin.cert, certs.admin.key].map((f) => readFile(f)),
    );
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}${path}`, { ca, cert, key, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.end();
    });
  }
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

function apiserverArgs(certs: PlaneCerts, etcd: string, port: number, dir: string): string[] {
  return [
    `--etcd-servers=${etcd}`,
    `--cert-dir=${dir}`,
    `--tls-cert-file=${certs.serving.cert}`,
    `--tls-private-key-file=${certs.serving.key}`,
    `--client-ca-file=${certs.ca.cert}`,
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    "--authorization-mode=RBAC",
    "--disable-admission-plugins=ServiceAccount",
    `--service-account-issuer=https://127.0.0.1:${port}`,
    `--service-account-key-file=${certs.serviceAccount.cert}`,
    `--service-account-signing-key-file=${certs.serviceAccount.key}`,
    "--enable-priority-and-fairness=false",
  ];
}

async function tail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
