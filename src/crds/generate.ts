import * as yaml from "js-yaml";
import { z } from "zod";
import { CATEGORY, GROUP, VERSION, type ResourceDefinition } from "./definitions.ts";

type Schema = Record<string, unknown>;

/** Keys zod emits that a Kubernetes structural schema does not accept or need. */
const DROPPED_KEYS = new Set(["$schema", "propertyNames", "id"]);
const SAFE_INT = Number.MAX_SAFE_INTEGER;

/**
 * Turns zod's OpenAPI 3.0 output into a Kubernetes structural schema: no closed
 * `additionalProperties: false` (the API server prunes unknown fields instead), no
 * safe-integer bounds zod adds to every int, and a regex in `pattern` without JS flags.
 */
export function toStructural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStructural);
  if (node === null || typeof node !== "object") return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (keep(key, value)) out[key] = toStructural(value);
  }
  return out;
}

function keep(key: string, value: unknown): boolean {
  if (DROPPED_KEYS.has(key)) return false;
  if (key === "additionalProperties") return value !== false;
  if (key === "minimum" || key === "maximum") return Math.abs(value as number) < SAFE_INT;
  if (key === "required") return !(Array.isArray(value) && value.length === 0);
  return true;
}

export function openApiSchema(def: ResourceDefinition): Schema {
  const convert = (schema: z.ZodType): Schema =>
    toStructural(z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" })) as Schema;
  const root: Schema = {
    type: "object",
    description: def.description,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: convert(def.spec),
      status: convert(def.status),
    },
  };
  if (def.rootValidations) root["x-kubernetes-validations"] = def.rootValidations;
  return root;
}

export function customResourceDefinition(def: ResourceDefinition): Schema {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: openApiSchema(def) },
        },
      ],
    },
  };
}

export function renderCrdYaml(def: ResourceDefinition): string {
  const header = "# Generated from src/crds by `npm run generate`. Do not edit by hand.\n";
  return header + yaml.dump(customResourceDefinition(def), { lineWidth: 100, noRefs: true });
}

export function crdFileName(def: ResourceDefinition): string {
  return `${GROUP}_${def.plural}.yaml`;
}
