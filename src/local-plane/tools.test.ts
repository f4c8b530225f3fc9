import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toolPath, toolVersions, toolsCacheDir } from "./tools.ts";

const executable = (path: string): string => {
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, 0o755);
  return path;
};

describe("tool resolution", () => {
  const dir = mkdtempSync(join(tmpdir(), "cloudops-tools-"));
  const versions = toolVersions();

  it("reads pinned versions from hack/tools.env", () => {
    expect(versions.KUBERNETES_VERSION).toMatch(/^v1\.\d+\.\d+$/);
    expect(versions.ETCD_VERSION).toMatch(/^v3\.\d+\.\d+$/);
    expect(versions.OPENTOFU_VERSION).toMatch(/^v1\.\d+\.\d+$/);
  });

  it("finds a cached build under <cache>/<tool>/<version>/<tool>", () => {
    const cache = join(dir, "cache");
    const target = join(cache, "etcd", versions.ETCD_VERSION as string);
    mkdirSync(target, { recursive: true });
    executable(join(target, "etcd"));
    const env = { CLOUDOPS_TOOLS_DIR: cache };
    expect(toolsCacheDir(env)).toBe(cache);
    expect(toolPath("etcd", env)).toBe(join(target, "etcd"));
  });

  it("uses XDG_CACHE_HOME when no tools directory is set", () => {
    expect(toolsCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/cloudops/tools");
  });

  it("prefers the override variable, and looks a bare name up on PATH", () => {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const tofu = executable(join(bin, "my-tofu"));
    expect(toolPath("tofu", { CLOUDOPS_TOFU: tofu })).toBe(tofu);
    expect(toolPath("tofu", { CLOUDOPS_TOFU: "my-tofu", PATH: bin })).toBe(tofu);
  });

  it("says how to build a missing tool", () => {
    expect(() => toolPath("kubectl", { CLOUDOPS_TOOLS_DIR: join(dir, "empty") })).toThrow(
      `kubectl ${versions.KUBERNETES_VERSION} is not built yet: run \`npm run tools\``,
    );
  });

  it("says when an override is not an executable", () => {
    expect(() => toolPath("etcd", { CLOUDOPS_ETCD: join(dir, "nope") })).toThrow(
      `CLOUDOPS_ETCD points at ${join(dir, "nope")}, which is not an executable file`,
    );
  });
});
