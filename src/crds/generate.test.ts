import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../local-plane/tools.ts";
import { definitions } from "./definitions.ts";
import { crdFileName, openApiSchema, renderCrdYaml } from "./generate.ts";
import { deploymentSpecSchema } from "./deployment.ts";
import { guildPolicySpecSchema } from "./guild-policy.ts";
import { jitGrantSpecSchema } from "./jit-grant.ts";

type Schema = Record<string, unknown>;

/** Every schema node of a tree, with its path. */
function* nodes(schema: unknown, path = ""): Generator<[string, Schema]> {
  if (!schema || typeof schema !== "object") return;
  const node = schema as Schema;
  yield [path, node];
  for (const [name, child] of Object.entries((node.properties as Schema | undefined) ?? {})) {
    yield* nodes(child, `${path}.${name}`);
  }
  if (node.items) yield* nodes(node.items, `${path}[]`);
  if (node.additionalProperties && typeof node.additionalProperties === "object") {
    yield* nodes(node.additionalProperties, `${path}{}`);
  }
}

describe("generated CRDs", () => {
  it.each(definitions.map((d) => [d.kind, d] as const))(
    "config/crd matches the zod schema of %s",
    (_kind, def) => {
      const committed = readFileSync(join(REPO_ROOT, "config", "crd", crdFileName(def)), "utf8");
      expect(committed).toBe(renderCrdYaml(def));
    },
  );

  it.each(definitions.map((d) => [d.kind, d] as const))(
    "%s has a structural schema: every node typed, no closed objects",
    (_kind, def) => {
      for (const [path, node] of nodes(openApiSchema(def))) {
        const typed = "type" in node || "x-kubernetes-int-or-string" in node;
        expect(typed, `node ${path || "(root)"} has no type`).toBe(true);
        expect(node.additionalProperties, `node ${path} is closed`).not.toBe(false);
        expect("$schema" in node).toBe(false);
      }
    },
  );

  it("describes every spec field so kubectl explain can teach it", () => {
    for (const def of definitions) {
      const spec = (openApiSchema(def).properties as Schema).spec;
      for (const [path, node] of nodes(spec, "spec")) {
        if (path === "spec" || path.endsWith("[]") || path.endsWith("{}")) continue;
        expect(node.description, `${def.kind} ${path}`).toMatch(/\w/);
      }
    }
  });
});

describe("config/samples", () => {
  const load = (file: string): Schema[] =>
    yaml.loadAll(readFileSync(join(REPO_ROOT, "config", "samples", file), "utf8")) as Schema[];

  it.each([
    // file, kind, zod schema of its spec
    ["guildpolicy.yaml", "GuildPolicy", guildPolicySpecSchema],
    ["jitgrant.yaml", "JitGrant", jitGrantSpecSchema],
    ["deployment.yaml", "Deployment", deploymentSpecSchema],
  ] as const)("%s holds a %s whose spec the zod schema accepts", (file, kind, schema) => {
    const doc = load(file).find((d) => d.kind === kind);
    expect(doc).toBeDefined();
    expect(schema.safeParse(doc?.spec).error).toBeUndefined();
  });
});
