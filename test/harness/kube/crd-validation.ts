/**
 * CustomResourceDefinition validation as apiextensions-apiserver does it at create/update
 * (k8s.io/apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go and
 * pkg/apiserver/schema/validation.go, v0.37): names, versions (unique, exactly one storage,
 * schema required), printer columns, the OpenAPI schema rules (types, `properties` vs
 * `additionalProperties`, forbidden keywords), the structural-schema invariants (every field
 * typed, arrays with items, `metadata` restricted to name/generateName at the root, nothing
 * structural inside anyOf/allOf/oneOf/not) and storedVersions. Texts and field paths are the real
 * ones (the internal type's field names, e.g. `additionalPrinterColumns[0].JSONPath`).
 *
 * Not checked (documented in docs/testenv-kube.md): CEL rule compilation and cost, that defaults
 * validate against their schema, selectableFields, conversion webhooks, x-kubernetes-list-*.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import { goSchemaProps, goVersions, sharedPerVersion } from "./crd-go-dump.js";
import { causeText, forbiddenField, invalidValue, notSupported, required, type Cause } from "./status.js";

type Json = Record<string, unknown>;

const OPENAPI_TYPES = ["array", "boolean", "integer", "number", "object", "string"];
const PRINTER_TYPES = ["boolean", "date", "integer", "number", "string"];
const PRINTER_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];
/** Root keywords allowed with the status subresource (allowedFieldsAtRootSchema), as JSON names. */
const ROOT_ALLOWED = new Set([
  "description", "type", "format", "title", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
  "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf", "required", "items", "properties", "externalDocs", "example",
  "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations",
]);
const ROOT_ALLOWED_GO = "[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]";
const UNSUPPORTED_KEYWORDS: Array<[string, string]> = [
  ["id", "id is not supported"],
  ["additionalItems", "additionalItems is not supported"],
  ["patternProperties", "patternProperties is not supported"],
  ["definitions", "definitions is not supported"],
  ["dependencies", "dependencies is not supported"],
  ["$ref", "$ref is not supported"],
];

function rec(v: unknown): Json | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined;
}

type Level = "root" | "item" | "field";

/** Structural invariants (validateStructuralInvariants), for one schema node. */
function structural(s: Json, lvl: Level, path: string, out: Cause[]): void {
  const type = typeof s["type"] === "string" ? (s["type"] as string) : "";
  const items = rec(s["items"]);
  const props = rec(s["properties"]) ?? {};
  const intOrString = s["x-kubernetes-int-or-string"] === true;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = s["x-kubernetes-embedded-resource"] === true;
  if (type === "array" && s["items"] === undefined) out.push(required(`${path}.items`, "must be specified"));
  if (items) structural(items, "item", `${path}.items`, out);
  for (const [k, v] of Object.entries(props)) {
    const sub = rec(v);
    if (sub) structural(sub, "field", `${path}.properties[${k}]`, out);
  }
  const ap = s["additionalProperties"];
  if (ap !== undefined && ap !== false) {
    if (lvl === "root") out.push(forbiddenField(`${path}.additionalProperties`, "must not be used at the root"));
    const sub = rec(ap);
    if (sub) structural(sub, "field", `${path}.additionalProperties`, out);
  }
  if (intOrString && preserve) out.push(invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, true, "must be false if x-kubernetes-int-or-string is true"));
  if (intOrString && embedded) out.push(invalidValue(`${path}.x-kubernetes-embedded-resource`, true, "must be false if x-kubernetes-int-or-string is true"));
  const intOrStringAnyOf = isIntOrStringAnyOf(s["anyOf"]);
  const allOf = Array.isArray(s["allOf"]) ? s["allOf"] : [];
  const intOrStringAllOf = allOf.length > 0 && isIntOrStringAnyOf(rec(allOf[0])?.["anyOf"]);
  valueValidation(s, intOrStringAnyOf, intOrStringAllOf, path, out);
  if (embedded && type !== "object") {
    out.push(type === "" ? required(`${path}.type`, "must be object if x-kubernetes-embedded-resource is true") : invalidValue(`${path}.type`, type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (type === "" && !intOrString && !preserve) {
    const where = lvl === "root" ? "at the root" : lvl === "item" ? "for specified array items" : "for specified object fields";
    out.push(required(`${path}.type`, `must not be empty ${where}`));
  }
  if (embedded && ap !== undefined) out.push(forbiddenField(`${path}.additionalProperties`, "must not be used if x-kubernetes-embedded-resource is set"));
  if (lvl === "root" && type !== "" && type !== "object") out.push(invalidValue(`${path}.type`, type, "must be object at the root"));
  const checkMetadata = lvl === "root" || embedded;
  for (const k of ["kind", "apiVersion"]) {
    const p = rec(props[k]);
    if (p && checkMetadata && p["type"] !== "string") out.push(invalidValue(`${path}.properties[${k}].type`, p["type"] ?? "", "must be string"));
  }
  const meta = rec(props["metadata"]);
  if (meta) {
    const mpath = `${path}.properties[metadata]`;
    if (checkMetadata && meta["type"] !== "object") out.push(invalidValue(`${mpath}.type`, meta["type"] ?? "", "must be object"));
    if (lvl === "root" && !onlyNameRestrictions(meta)) {
      out.push(forbiddenField(mpath, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
    }
  }
  if (embedded && !preserve && Object.keys(props).length === 0) {
    out.push(required(`${path}.properties`, "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
  }
}

function isIntOrStringAnyOf(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && rec(v[0])?.["type"] === "integer" && rec(v[1])?.["type"] === "string" && Object.keys(rec(v[0]) ?? {}).length === 1 && Object.keys(rec(v[1]) ?? {}).length === 1;
}

/** A root `metadata` schema may say `type: object` and restrict name/generateName, nothing else. */
function onlyNameRestrictions(meta: Json): boolean {
  const props = rec(meta["properties"]) ?? {};
  const keys = Object.keys(props);
  const onlyNames = keys.every((k) => k === "name" || k === "generateName");
  return Object.keys(meta).every((k) => k === "type" || k === "default" || (k === "properties" && onlyNames));
}

const NESTED_FORBIDDEN: Array<[string, string]> = [
  ["type", "must be empty to be structural"],
  ["additionalProperties", "must be undefined to be structural"],
  ["default", "must be undefined to be structural"],
  ["title", "must be empty to be structural"],
  ["description", "must be empty to be structural"],
  ["nullable", "must be false to be structural"],
  ["x-kubernetes-preserve-unknown-fields", "must be false to be structural"],
  ["x-kubernetes-embedded-resource", "must be false to be structural"],
  ["x-kubernetes-int-or-string", "must be false to be structural"],
  ["x-kubernetes-list-map-keys", "must be empty to be structural"],
  ["x-kubernetes-list-type", "must be undefined to be structural"],
  ["x-kubernetes-map-type", "must be undefined to be structural"],
  ["x-kubernetes-validations", "must be empty to be structural"],
];

function valueValidation(s: Json, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, path: string, out: Cause[]): void {
  const list = (k: string) => (Array.isArray(s[k]) ? (s[k] as unknown[]) : []);
  if (!skipAnyOf) list("anyOf").forEach((v, i) => nested(rec(v), false, `${path}.anyOf[${i}]`, out));
  list("allOf").forEach((v, i) => nested(rec(v), skipFirstAllOfAnyOf && i === 0, `${path}.allOf[${i}]`, out));
  list("oneOf").forEach((v, i) => nested(rec(v), false, `${path}.oneOf[${i}]`, out));
  if (rec(s["not"])) nested(rec(s["not"]), false, `${path}.not`, out);
  if (typeof s["pattern"] === "string") {
    const err = goRegexpError(s["pattern"]);
    if (err !== undefined) out.push(invalidValue(`${path}.pattern`, s["pattern"], `must be a valid regular expression, but isn't: ${err}`));
  }
}

/**
 * Go's regexp.Compile error for the cases a JavaScript-minded pattern hits (RE2 has no
 * lookaround or backreferences); other syntax errors keep JavaScript's wording after Go's prefix.
 */
function goRegexpError(p: string): string | undefined {
  const perl = /\(\?(<[=!]|[=!])/.exec(p);
  if (perl) return `error parsing regexp: invalid or unsupported Perl syntax: \`${perl[0]}\``;
  const backref = /\\[1-9]/.exec(p);
  if (backref) return `error parsing regexp: invalid escape sequence: \`${backref[0]}\``;
  try {
    new RegExp(p);
    return undefined;
  } catch (e) {
    const msg = (e as Error).message;
    if (/Unterminated group/.test(msg)) return `error parsing regexp: missing closing ): \`${p}\``;
    if (/Unmatched '\)'/.test(msg)) return `error parsing regexp: unexpected ): \`${p}\``;
    if (/missing \/|Unterminated character class/.test(msg)) return `error parsing regexp: missing closing ]: \`${p.slice(p.lastIndexOf("["))}\``;
    return `error parsing regexp: ${msg}`;
  }
}

function nested(v: Json | undefined, skipAnyOf: boolean, path: string, out: Cause[]): void {
  if (!v) return;
  valueValidation(v, skipAnyOf, false, path, out);
  if (rec(v["items"])) nested(rec(v["items"]), false, `${path}.items`, out);
  for (const [k, sub] of Object.entries(rec(v["properties"]) ?? {})) nested(rec(sub), false, `${path}.properties[${k}]`, out);
  for (const [k, why] of NESTED_FORBIDDEN) {
    const x = v[k];
    if (x !== undefined && x !== false && x !== "" && !(Array.isArray(x) && x.length === 0)) out.push(forbiddenField(`${path}.${k}`, why));
  }
  if ("metadata" in (rec(v["properties"]) ?? {})) out.push(forbiddenField(`${path}.properties[metadata]`, "must not be specified in a nested context"));
}

/** The OpenAPI rules every schema node obeys (ValidateCustomResourceDefinitionOpenAPISchema). */
function openapi(s: Json, path: string, out: Cause[]): void {
  const type = s["type"];
  if (typeof type === "string" && type !== "" && !OPENAPI_TYPES.includes(type)) out.push(notSupported(`${path}.type`, type, OPENAPI_TYPES));
  if (type === "null") out.push(forbiddenField(`${path}.type`, "type cannot be set to null, use nullable as an alternative"));
  for (const [k, why] of UNSUPPORTED_KEYWORDS) if (s[k] !== undefined) out.push(forbiddenField(`${path}.${k}`, why));
  if (s["uniqueItems"] === true) out.push(forbiddenField(`${path}.uniqueItems`, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  const ap = s["additionalProperties"];
  const props = rec(s["properties"]) ?? {};
  if (ap !== undefined && Object.keys(props).length > 0 && (ap === false || rec(ap) !== undefined)) {
    out.push(forbiddenField(`${path}.additionalProperties`, "additionalProperties and properties are mutual exclusive"));
  }
  if (s["x-kubernetes-preserve-unknown-fields"] === false) out.push(invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, false, "must be true or undefined"));
  if (Array.isArray(s["items"])) out.push(forbiddenField(`${path}.items`, "items must be a schema object and not an array"));
  if (rec(ap)) openapi(rec(ap) ?? {}, `${path}.additionalProperties`, out);
  for (const [k, v] of Object.entries(props)) if (rec(v)) openapi(rec(v) ?? {}, `${path}.properties[${k}]`, out);
  if (rec(s["items"])) openapi(rec(s["items"]) ?? {}, `${path}.items`, out);
  for (const q of ["allOf", "anyOf", "oneOf"]) {
    const list = s[q];
    if (Array.isArray(list)) list.forEach((v, i) => rec(v) && openapi(rec(v) ?? {}, `${path}.${q}[${i}]`, out));
  }
  if (rec(s["not"])) openapi(rec(s["not"]) ?? {}, `${path}.not`, out);
}

/** One version's schema (validateCustomResourceDefinitionValidation). */
function versionSchema(schema: Json, statusEnabled: boolean, path: string): Cause[] {
  const out: Cause[] = [];
  if (statusEnabled) {
    if (schema["type"] !== undefined && schema["type"] !== "" && schema["type"] !== "object") {
      out.push(invalidValue(`${path}.openAPIV3Schema.type`, schema["type"], `only "object" is allowed as the type at the root of the schema if the status subresource is enabled`));
    } else if (Object.keys(schema).some((k) => !ROOT_ALLOWED.has(k) && schema[k] !== undefined && schema[k] !== null && schema[k] !== false)) {
      out.push(invalidValue(`${path}.openAPIV3Schema`, goSchemaProps(schema), `only ${ROOT_ALLOWED_GO} fields are allowed at the root of the schema if the status subresource is enabled`));
    }
  }
  if (schema["nullable"] === true) out.push(forbiddenField(`${path}.openAPIV3Schema.nullable`, "nullable cannot be true at the root"));
  const s: Cause[] = [];
  structural(schema, "root", `${path}.openAPIV3Schema`, s);
  s.sort((a, b) => (causeText(a) < causeText(b) ? -1 : causeText(a) > causeText(b) ? 1 : 0));
  out.push(...s);
  openapi(schema, `${path}.openAPIV3Schema`, out);
  return out;
}

function printerColumn(col: Json, path: string): Cause[] {
  const out: Cause[] = [];
  const name = col["name"];
  const type = col["type"];
  const format = col["format"];
  const jsonPath = col["jsonPath"];
  if (typeof name !== "string" || name === "") out.push(required(`${path}.name`));
  const types = `must be one of ${PRINTER_TYPES.join(",")}`;
  if (typeof type !== "string" || type === "") out.push(required(`${path}.type`, types));
  else if (!PRINTER_TYPES.includes(type)) out.push(invalidValue(`${path}.type`, type, types));
  if (typeof format === "string" && format !== "" && !PRINTER_FORMATS.includes(format)) out.push(invalidValue(`${path}.format`, format, `must be one of ${PRINTER_FORMATS.join(",")}`));
  if (typeof jsonPath !== "string" || jsonPath === "") out.push(required(`${path}.JSONPath`));
  else if (!jsonPath.startsWith(".")) out.push(invalidValue(`${path}.JSONPath`, jsonPath, "must be a simple json path starting with ."));
  return out;
}

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

function versionsOf(obj: KubeObject): Json[] {
  const spec = rec(obj["spec"]) ?? {};
  return (Array.isArray(spec["versions"]) ? spec["versions"] : []).map((v) => rec(v) ?? {});
}

/**
 * The per-version checks, then unique names and one storage version (the first half of
 * ValidateCustomResourceDefinitionSpec). What every version shares is checked at the top level
 * instead (validateCrdShared), as the v1 → internal conversion moves it to spec.validation /
 * spec.additionalPrinterColumns and the real messages name those paths.
 */
export function validateCrdVersions(obj: KubeObject): Cause[] {
  const versions = versionsOf(obj);
  const shared = sharedPerVersion(versions);
  const out: Cause[] = [];
  versions.forEach((v, i) => {
    const path = `spec.versions[${i}]`;
    const name = typeof v["name"] === "string" ? v["name"] : "";
    if (name.length > 63 || !DNS1035.test(name)) out.push(invalidValue(`${path}.name`, name, name.length > 63 ? "must be no more than 63 characters" : DNS1035_MSG));
    if (v["deprecated"] !== true && typeof v["deprecationWarning"] === "string") out.push(invalidValue(`${path}.deprecationWarning`, v["deprecationWarning"], "can only be set for deprecated versions"));
    const schema = rec(rec(v["schema"])?.["openAPIV3Schema"]);
    const statusEnabled = rec(v["subresources"])?.["status"] !== undefined;
    if (!schema) out.push(required(`${path}.schema.openAPIV3Schema`));
    else if (!shared.schema) out.push(...versionSchema(schema, statusEnabled, `${path}.schema`));
    const cols = Array.isArray(v["additionalPrinterColumns"]) ? v["additionalPrinterColumns"] : [];
    if (!shared.columns) cols.forEach((c, j) => out.push(...printerColumn(rec(c) ?? {}, `${path}.additionalPrinterColumns[${j}]`)));
  });
  const names = versions.map((v) => v["name"]);
  if (new Set(names).size !== names.length) out.push(invalidValue("spec.versions", goVersions(versions), "must contain unique version names"));
  if (versions.filter((v) => v["storage"] === true).length !== 1) out.push(invalidValue("spec.versions", goVersions(versions), "must have exactly one version marked as storage version"));
  // The internal spec.version is versions[0].name, validated again.
  const first = typeof versions[0]?.["name"] === "string" ? (versions[0]?.["name"] as string) : "";
  if (first !== "" && (first.length > 63 || !DNS1035.test(first))) out.push(invalidValue("spec.version", first, first.length > 63 ? "must be no more than 63 characters" : DNS1035_MSG));
  return out;
}

/** The shared schema and printer columns, checked as spec.validation / spec.additionalPrinterColumns. */
export function validateCrdShared(obj: KubeObject): Cause[] {
  const versions = versionsOf(obj);
  const shared = sharedPerVersion(versions);
  const first = versions[0];
  const out: Cause[] = [];
  if (!first) return out;
  const schema = rec(rec(first["schema"])?.["openAPIV3Schema"]);
  const anyStatus = versions.some((v) => rec(v["subresources"])?.["status"] !== undefined);
  if (shared.schema && schema) out.push(...versionSchema(schema, anyStatus, "spec.validation"));
  const cols = Array.isArray(first["additionalPrinterColumns"]) ? first["additionalPrinterColumns"] : [];
  if (shared.columns) cols.forEach((c, j) => out.push(...printerColumn(rec(c) ?? {}, `spec.additionalPrinterColumns[${j}]`)));
  return out;
}

/**
 * ValidateCustomResourceDefinitionStoredVersions, run on create and spec updates (not on /status
 * writes, which only get storedVersions defaulted): every stored version stays in spec.versions.
 */
export function validateStoredVersions(obj: KubeObject): Cause[] {
  const stored = (rec(obj["status"])?.["storedVersions"] as string[] | undefined) ?? [];
  const versions = versionsOf(obj);
  // An empty list is Go's nil slice: printed as null.
  if (stored.length === 0) return [invalidValue("status.storedVersions", null, "must have at least one stored version")];
  const out: Cause[] = [];
  const left = new Map(stored.map((v, i) => [v, i]));
  for (const v of versions) {
    const name = String(v["name"] ?? "");
    if (v["storage"] === true && !left.has(name)) out.push(invalidValue("status.storedVersions", stored, `must have the storage version ${name}`));
    left.delete(name);
  }
  for (const [v, i] of left) {
    out.push(invalidValue(`status.storedVersions[${i}]`, v, `missing from spec.versions; ${v} was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in ${v} and removes ${v} from status.storedVersions`));
  }
  return out;
}
