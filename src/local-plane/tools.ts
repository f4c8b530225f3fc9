import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, found from this file's location (src/local-plane or dist/local-plane). */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export type ToolName = "etcd" | "kube-apiserver" | "kubectl" | "tofu";

const VERSION_KEY: Record<ToolName, string> = {
  etcd: "ETCD_VERSION",
  "kube-apiserver": "KUBERNETES_VERSION",
  kubectl: "KUBERNETES_VERSION",
  tofu: "OPENTOFU_VERSION",
};

const OVERRIDE_ENV: Record<ToolName, string> = {
  etcd: "CLOUDOPS_ETCD",
  "kube-apiserver": "CLOUDOPS_KUBE_APISERVER",
  kubectl: "CLOUDOPS_KUBECTL",
  tofu: "CLOUDOPS_TOFU",
};

/** Reads hack/tools.env, the pinned versions the build script also reads. */
export function toolVersions(root = REPO_ROOT): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(join(root, "hack", "tools.env"), "utf8").split("\n")) {
    const match = /^([A-Z_]+)=([^\s#]+)/.exec(line.trim());
    if (match) versions[match[1] as string] = match[2] as string;
  }
  return versions;
}

/** Where hack/build-tools.sh caches binaries, per tool and version. */
export function toolsCacheDir(env = process.env): string {
  if (env.CLOUDOPS_TOOLS_DIR) return resolve(env.CLOUDOPS_TOOLS_DIR);
  const cache = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "cloudops", "tools");
}

/**
 * Path of a tool binary: the override variable if set, else the cached build of the pinned
 * version. Throws with the command that builds it when it is missing.
 */
export function toolPath(tool: ToolName, env = process.env): string {
  const override = env[OVERRIDE_ENV[tool]];
  const version = toolVersions()[VERSION_KEY[tool]];
  const path = override
    ? onPath(override, env)
    : join(toolsCacheDir(env), tool, version ?? "unknown", tool);
  try {
    accessSync(path, constants.X_OK);
  } catch (cause) {
    const hint = override
      ? `${OVERRIDE_ENV[tool]} points at ${path}, which is not an executable file`
      : `${tool} ${version} is not built yet: run \`npm run tools\` (needs Go), ` +
        `or set ${OVERRIDE_ENV[tool]} to an existing binary`;
    throw new Error(hint, { cause });
  }
  return path;
}

/** A bare command name is looked up on PATH, as the shell would; a path is used as is. */
function onPath(command: string, env: NodeJS.ProcessEnv): string {
  if (command.includes("/")) return command;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return command;
}

/**
 * Builds any of the tools that are missing by running hack/build-tools.sh, with its progress on
 * this terminal. A first run needs Go and takes several minutes; later runs find the cache.
 */
export async function ensureTools(tools: ToolName[]): Promise<void> {
  const missing = tools.filter((tool) => {
    try {
      toolPath(tool);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  const script = join(REPO_ROOT, "hack", "build-tools.sh");
  const code = await new Promise<number | null>((resolvePromise) => {
    const child = spawn("bash", [script, ...missing], { stdio: ["ignore", "inherit", "inherit"] });
    child.once("exit", resolvePromise);
    child.once("error", () => resolvePromise(-1));
  });
  if (code !== 0) {
    throw new Error(`Failed to build ${missing.join(", ")}: hack/build-tools.sh exited ${code}`);
  }
}
