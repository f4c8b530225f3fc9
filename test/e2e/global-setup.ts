import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import { PooledKubeConfig } from "../../src/runtime/kube.ts";
import type { TestProject } from "vitest/node";
import { LocalControlPlane } from "../../src/local-plane/control-plane.ts";
import { installCloudops } from "../../src/local-plane/install.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Admin kubeconfig of the cluster under test. */
    kubeconfig: string;
    /** Kubeconfig the operator runs with: its ServiceAccount's identity where one can be minted. */
    operatorKubeconfig: string;
    /** etcd client URL of the local plane; empty on an external cluster. */
    etcdEndpoint: string;
  }
}

const OPERATOR_USER = "system:serviceaccount:cloudops-system:cloudops-operator";
const OPERATOR_GROUPS = ["system:serviceaccounts", "system:serviceaccounts:cloudops-system"];

async function externalCluster(): Promise<KubeConfig | undefined> {
  if (!process.env.KUBECONFIG) return undefined;
  const kc = new PooledKubeConfig();
  try {
    kc.loadFromDefault();
    await kc.makeApiClient(VersionApi).getCode();
    return kc;
  } catch {
    return undefined;
  }
}

/**
 * Starts a real etcd and kube-apiserver for the e2e suite, installs CRDs and RBAC, and mints
 * the operator's ServiceAccount identity so the shipped RBAC is what the operator runs under.
 * When KUBECONFIG points at a reachable cluster (kind, say), the suite runs there instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = await externalCluster();
  if (external) {
    await installCloudops(external);
    const path = process.env.KUBECONFIG as string;
    project.provide("kubeconfig", path);
    project.provide("operatorKubeconfig", path);
    project.provide("etcdEndpoint", "");
    return async () => undefined;
  }
  const plane = new LocalControlPlane({ keepDir: process.env.CLOUDOPS_KEEP_PLANE === "1" });
  await plane.start();
  await installCloudops(plane.adminKubeConfig());
  const operator = await plane.mintUser(OPERATOR_USER, OPERATOR_GROUPS);
  await writeFile(join(plane.dir, "README"), "cloudops e2e control plane\n");
  project.provide("kubeconfig", plane.kubeconfigPath);
  project.provide("operatorKubeconfig", operator.kubeconfigPath);
  project.provide("etcdEndpoint", plane.etcdEndpoint);
  return () => plane.stop();
}
