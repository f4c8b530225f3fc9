import { createServer } from "node:net";
import { copyFile, mkdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { LocalControlPlane } from "../local-plane/control-plane.ts";
import { installCloudops } from "../local-plane/install.ts";
import { ensureTools, toolPath } from "../local-plane/tools.ts";

/** Where `npm start` publishes the local plane's admin kubeconfig for hack/kubectl. */
export const LOCAL_KUBECONFIG = join(".cloudops", "kubeconfig");

/**
 * A local etcd and kube-apiserver for `npm start` on a machine without a cluster. The
 * kubeconfig is published only once the operator is up, and removed again on stop, so a
 * second `npm start` that fails never points hack/kubectl at a plane that is gone.
 */
export class LocalSession {
  readonly plane = new LocalControlPlane();
  private published: string | undefined;
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  /** Builds any missing binaries, starts the plane and installs the CRDs and RBAC. */
  async start(): Promise<KubeConfig> {
    this.log.info("Starting local control plane (etcd and kube-apiserver)");
    await ensureTools(["etcd", "kube-apiserver", "kubectl"]);
    await this.plane.start();
    const kc = this.plane.adminKubeConfig();
    await installCloudops(kc);
    return kc;
  }

  /** Writes .cloudops/kubeconfig and says how to use it. */
  async publish(): Promise<void> {
    await mkdir(".cloudops", { recursive: true });
    await copyFile(this.plane.kubeconfigPath, LOCAL_KUBECONFIG);
    this.published = await readFile(LOCAL_KUBECONFIG, "utf8");
    this.log.info(
      {
        server: this.plane.url,
        kubeconfig: resolve(LOCAL_KUBECONFIG),
        kubectl: toolPath("kubectl"),
        try: "hack/kubectl get cloudops -A",
      },
      "Local control plane ready; CRDs and RBAC installed",
    );
  }

  /** Stops the plane and removes the kubeconfig this session wrote (not a newer one). */
  async stop(): Promise<void> {
    const current = await readFile(LOCAL_KUBECONFIG, "utf8").catch(() => undefined);
    if (this.published && current === this.published) await rm(LOCAL_KUBECONFIG, { force: true });
    await this.plane.stop();
    this.log.info("Stopped local control plane");
  }
}

/** Fails early, before a plane is started, when the probe port is taken. */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolvePort, reject) => {
    const server = createServer();
    server.once("error", (cause) =>
      reject(
        new Error(`Port ${port} on ${host} is in use; choose another --probe-port`, { cause }),
      ),
    );
    server.listen(port, host, () => server.close(() => resolvePort()));
  });
}
