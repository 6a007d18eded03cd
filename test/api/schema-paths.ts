// Field paths of a CRD's openAPIV3Schema and of a zod schema, for the tests that hold crds/
// against upstream CRDs and against src/api/.
import type { z } from "zod";
import type { Schema } from "../harness/kube/schema.js";

/** What a CRD schema says about one field path. */
export interface CrdField {
  /** The schema's `type`, or `int-or-string` for `x-kubernetes-int-or-string`. */
  type: string | undefined;
  format: string | undefined;
  default: string | undefined;
  nullable: boolean;
  preserveUnknown: boolean;
  required: string[];
  enum: string | undefined;
}

/**
 * Every field path of a structural schema: `.spec.data[].remoteRef.key`; map values are `.*`.
 */
export function crdFields(schema: Schema, path = "", out = new Map<string, CrdField>()): Map<string, CrdField> {
  const s = schema as Schema & { format?: string };
  out.set(path, {
    type: s["x-kubernetes-int-or-string"] ? "int-or-string" : s.type,
    format: s.format,
    default: s.default === undefined ? undefined : JSON.stringify(s.default),
    nullable: s.nullable === true,
    preserveUnknown: s["x-kubernetes-preserve-unknown-fields"] === true,
    required: [...(s.required ?? [])].sort(),
    enum: s.enum === undefined ? undefined : JSON.stringify(s.enum),
  });
  for (const [k, sub] of Object.entries(s.properties ?? {})) crdFields(sub, `${path}.${k}`, out);
  if (typeof s.additionalProperties === "object") crdFields(s.additionalProperties, `${path}.*`, out);
  if (s.items) crdFields(s.items, `${path}[]`, out);
  return out;
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  values?: unknown[];
  check?: string;
}
const defOf = (t: z.ZodType): ZodDef => (t as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The JSON types a zod schema accepts at each field path (same path syntax as crdFields). */
export function zodFields(t: z.ZodType, path = "", out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  const d = defOf(t);
  const add = (ty: string) => out.set(path, new Set([...(out.get(path) ?? []), ty]));
  switch (d.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      if (d.innerType) zodFields(d.innerType, path, out);
      break;
    case "pipe":
      if (d.in) zodFields(d.in, path, out);
      break;
    case "union":
      for (const o of d.options ?? []) zodFields(o, path, out);
      break;
    case "object":
      add("object");
      for (const [k, sub] of Object.entries(d.shape ?? {})) zodFields(sub, `${path}.${k}`, out);
      break;
    case "record":
      add("object");
      if (d.valueType) zodFields(d.valueType, `${path}.*`, out);
      break;
    case "array":
      add("array");
      if (d.element) zodFields(d.element, `${path}[]`, out);
      break;
    case "enum":
    case "string":
      add("string");
      break;
    case "literal":
      for (const v of d.values ?? []) add(typeof v);
      break;
    case "number":
      add(d.check === "number_format" ? "integer" : "number");
      add("integer");
      break;
    case "boolean":
      add("boolean");
      break;
    default:
      add(d.type);
  }
  return out;
}
