import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { request, type RequestOptions } from "node:https";
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "./tools.ts";

const FIELD_MANAGER = "cloudops-install";

/** Every YAML document in the files of a directory, in file-name order. */
export async function readManifests(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const docs: KubernetesObject[] = [];
  for (const file of files) {
    for (const doc of yaml.loadAll(await readFile(join(dir, file), "utf8"))) {
      if (doc && typeof doc === "object") docs.push(doc as KubernetesObject);
    }
  }
  return docs;
}

/**
 * Sends manifests as written. KubernetesObjectApi.patch serializes known kinds through
 * client-node's typed models, which drop fields spelled as in YAML (x-kubernetes-validations,
 * enum, default), so a CRD applied that way loses its validation. This keeps the path lookup
 * and sends the document untouched.
 */
class ManifestApplier extends KubernetesObjectApi {
  private kubeConfig: KubeConfig | undefined;

  static forConfig(kc: KubeConfig): ManifestApplier {
    const applier = kc.makeApiClient(ManifestApplier);
    applier.setDefaultNamespace(kc);
    applier.kubeConfig = kc;
    return applier;
  }

  async apply(obj: KubernetesObject): Promise<void> {
    const kc = this.kubeConfig as KubeConfig;
    const url = new URL(`${kc.getCurrentCluster()?.server}${await this.specUriPath(obj, "patch")}`);
    url.searchParams.set("fieldManager", FIELD_MANAGER);
    url.searchParams.set("force", "true");
    const options: RequestOptions = { method: "PATCH" };
    await kc.applyToHTTPSOptions(options);
    options.headers = { ...options.headers, "content-type": PatchStrategy.ServerSideApply };
    await new Promise<void>((resolve, reject) => {
      const req = request(url, options, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) resolve();
          else reject(Object.assign(new Error(`HTTP ${code}: ${text}`), { code, body: text }));
        });
      });
      req.on("error", reject);
      req.end(JSON.stringify(obj));
    });
  }
}

/** Server-side applies objects, creating or updating each. */
export async function applyObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const applier = ManifestApplier.forConfig(kc);
  for (const obj of objects) {
    try {
      await applier.apply(obj);
    } catch (cause) {
      const what = `${obj.kind} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`;
      throw new Error(`Failed to apply ${what}`, { cause });
    }
  }
}

/** Waits until every CRD is Established, so its resources can be used at once. */
export async function waitForCrds(
  kc: KubeConfig,
  names: string[],
  timeoutMs = 30_000,
): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + timeoutMs;
  for (const name of names) {
    for (;;) {
      const crd = await api.readCustomResourceDefinition({ name });
      const established = crd.status?.conditions?.some(
        (c) => c.type === "Established" && c.status === "True",
      );
      if (established) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established in time`);
      await sleep(100);
    }
  }
}

/** Installs config/crd and config/rbac, as `kubectl apply -f config/crd -f config/rbac` would. */
export async function installCloudops(kc: KubeConfig, root = REPO_ROOT): Promise<void> {
  const crds = await readManifests(join(root, "config", "crd"));
  await applyObjects(kc, crds);
  await waitForCrds(
    kc,
    crds.map((c) => c.metadata?.name as string),
  );
  await applyObjects(kc, await readManifests(join(root, "config", "rbac")));
}
