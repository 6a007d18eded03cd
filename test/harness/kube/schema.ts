/**
 * Structural-schema handling of custom objects as the apiextensions-apiserver does it
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema,
 * #field-pruning, #defaulting): unknown fields are pruned (and reported for fieldValidation)
 * unless `x-kubernetes-preserve-unknown-fields`, defaults are applied, and values are validated
 * (type, nullable, enum, required, min/max, lengths, pattern, items) into 422 causes whose texts
 * follow kube-openapi's validate errors (`spec.size in body must be of type integer: "string"`).
 */
import { notSupported, required, type Cause } from "./status.js";

/** The part of an OpenAPI v3 schema that structural schemas use. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function shown(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v);
}

function typeInvalid(path: string, v: unknown, want: string): Cause {
  return { reason: "FieldValueTypeInvalid", field: path, message: `Invalid value: ${shown(typeName(v))}: ${path} in body must be of type ${want}: ${shown(typeName(v))}` };
}

function invalidBody(path: string, v: unknown, detail: string): Cause {
  return { reason: "FieldValueInvalid", field: path, message: `Invalid value: ${shown(v)}: ${path} in body ${detail}` };
}

function typeOk(v: unknown, s: Schema): boolean {
  if (s["x-kubernetes-int-or-string"]) return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
  switch (s.type) {
    case undefined:
      return true;
    case "object":
      return isObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    default:
      return true;
  }
}

interface Walk {
  causes: Cause[];
  unknown: string[];
  defaults: boolean;
}

function walk(v: unknown, s: Schema, path: string, w: Walk): unknown {
  if (v === null) {
    if (s.nullable) return null;
    // Null for a non-nullable field is pruned like an absent one (structural defaulting drops it).
    return undefined;
  }
  if (!typeOk(v, s)) {
    w.causes.push(typeInvalid(path, v, s.type ?? "object"));
    return v;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) w.causes.push(notSupported(path, v, s.enum));
  if (typeof v === "number") {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
      w.causes.push(invalidBody(path, v, `should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`));
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
      w.causes.push(invalidBody(path, v, `should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`));
    }
  }
  if (typeof v === "string") {
    if (s.maxLength !== undefined && v.length > s.maxLength) w.causes.push({ reason: "FieldValueTooLong", field: path, message: `Too long: may not be more than ${s.maxLength} bytes` });
    if (s.minLength !== undefined && v.length < s.minLength) w.causes.push(invalidBody(path, v, `should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined && !new RegExp(s.pattern).test(v)) w.causes.push(invalidBody(path, v, `should match '${s.pattern}'`));
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) w.causes.push({ reason: "FieldValueTooMany", field: path, message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
    if (s.minItems !== undefined && v.length < s.minItems) w.causes.push(invalidBody(path, v, `should have at least ${s.minItems} items`));
    const items = s.items;
    if (!items) return v;
    return v.map((x, i) => walk(x, items, `${path}[${i}]`, w));
  }
  if (isObject(v)) return walkObject(v, s, path, w);
  return v;
}

function walkObject(v: Record<string, unknown>, s: Schema, path: string, w: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const props = s.properties ?? {};
  const extra = s.additionalProperties;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const prefix = path === "" ? "" : `${path}.`;
  for (const [k, val] of Object.entries(v)) {
    const ps = props[k];
    // apiVersion, kind and metadata are never pruned by the CRD schema: the apiserver handles
    // ObjectMeta itself, and a CRD may declare `metadata: {type: object}` (sealed-secrets' CRD does)
    // without that dropping name/namespace (apiextensions-apiserver's structural pruning skips
    // metadata at the root; only metadata.name/generateName restrictions apply).
    if (path === "" && (k === "apiVersion" || k === "kind" || k === "metadata")) {
      out[k] = val;
      continue;
    }
    if (ps) {
      const r = walk(val, ps, `${prefix}${k}`, w);
      if (r !== undefined) out[k] = r;
    } else if (isObject(extra)) {
      const r = walk(val, extra, `${prefix}${k}`, w);
      if (r !== undefined) out[k] = r;
    } else if (preserve || extra === true) out[k] = val;
    else w.unknown.push(`${prefix}${k}`);
  }
  for (const [k, ps] of Object.entries(props)) {
    if (w.defaults && out[k] === undefined && ps.default !== undefined) out[k] = walk(JSON.parse(JSON.stringify(ps.default)), ps, `${prefix}${k}`, w);
  }
  for (const k of s.required ?? []) if (out[k] === undefined) w.causes.push(required(`${prefix}${k}`));
  return out;
}

/**
 * Prunes, defaults (unless `defaults: false`: a read converted to another version is only
 * pruned) and validates a custom object against its version's openAPIV3Schema.
 * Returns the pruned object, the 422 causes, and the pruned field paths.
 */
export function checkSchema(obj: unknown, schema: Schema, opts: { defaults?: boolean } = {}): { value: unknown; causes: Cause[]; unknown: string[] } {
  const w: Walk = { causes: [], unknown: [], defaults: opts.defaults ?? true };
  const value = isObject(obj) ? walkObject(obj, { ...schema, type: "object" }, "", w) : obj;
  return { value, causes: w.causes, unknown: w.unknown };
}
