/**
 * Built-in object validation as kube-apiserver does it (k8s.io/apimachinery validation and
 * pkg/apis/core/validation): names, Secret/ConfigMap keys and base64 data, immutability, and the
 * known top-level fields used for `fieldValidation` (strict decoding).
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { ResourceType } from "./resource-types.js";
import { sameJson } from "./canonical-json.js";
import { badRequest, forbiddenField, invalidValue, required, type Cause } from "./status.js";
import { validateConfigMapSize, validateSecretContent } from "./secret-validation.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

function qualifiedNameErrors(field: string, key: string): Cause[] {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const out: Cause[] = [];
  if (prefix !== undefined && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) out.push(invalidValue(field, key, `prefix part ${SUBDOMAIN_MSG}`));
  if (!QUALIFIED_NAME.test(name)) out.push(invalidValue(field, key, NAME_PART_MSG));
  else if (name.length > 63) out.push(invalidValue(field, key, "name part must be no more than 63 characters"));
  return out;
}

const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

/**
 * Labels, annotations (keys, values, 256 KiB in total), finalizer names and ownerReferences as
 * ValidateObjectMeta checks them; built-in kinds also refuse unqualified finalizers other than
 * the standard ones (pkg/apis/core/validation validateKubeFinalizerName), custom resources do not.
 */
export function validateMetadata(obj: KubeObject, custom = false): Cause[] {
  const causes: Cause[] = [];
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    causes.push(...qualifiedNameErrors("metadata.labels", k));
    const value = typeof v === "string" ? v : String(v);
    if (typeof v !== "string" || !LABEL_VALUE.test(value) || value.length > 63) {
      causes.push(invalidValue("metadata.labels", value, value.length > 63 ? "must be no more than 63 bytes" : LABEL_VALUE_MSG));
    }
  }
  let annotationBytes = 0;
  for (const [k, v] of Object.entries(obj.metadata.annotations ?? {})) {
    causes.push(...qualifiedNameErrors("metadata.annotations", k));
    annotationBytes += Buffer.byteLength(k, "utf8") + Buffer.byteLength(String(v), "utf8");
  }
  // TotalAnnotationSizeLimitB (apimachinery ValidateAnnotations): 256 KiB of keys and values.
  if (annotationBytes > 256 * 1024) causes.push({ reason: "FieldValueTooLong", field: "metadata.annotations", message: "Too long: may not be more than 262144 bytes" });
  (obj.metadata.finalizers ?? []).forEach((f, i) => {
    const field = `metadata.finalizers[${i}]`;
    causes.push(...qualifiedNameErrors(field, f));
    if (!custom && !f.includes("/") && !STANDARD_FINALIZERS.includes(f)) causes.push(invalidValue(field, f, "name is neither a standard finalizer name nor is it fully qualified"));
  });
  const refs = obj.metadata.ownerReferences ?? [];
  let controller = "";
  refs.forEach((r, i) => {
    const at = `metadata.ownerReferences[${i}]`;
    const apiVersion = typeof r.apiVersion === "string" ? r.apiVersion : "";
    if (apiVersion === "") causes.push(required(`${at}.apiVersion`, "must not be empty"));
    else if (apiVersion.split("/").length > 2 || apiVersion.endsWith("/")) causes.push(invalidValue(`${at}.apiVersion`, apiVersion, "must be <group>/<version> or <version>"));
    for (const f of ["kind", "name", "uid"] as const) if (typeof r[f] !== "string" || r[f] === "") causes.push(required(`${at}.${f}`, "must not be empty"));
    if (r.controller === true) {
      const name = `${r.kind ?? ""}/${r.name ?? ""}`;
      if (controller !== "") {
        causes.push(invalidValue("metadata.ownerReferences", refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${name}`));
      } else controller = name;
    }
  });
  return causes;
}

/** Validates metadata.name for a type (namespaces: DNS-1123 label; services: DNS-1035; RBAC: path segment; others: subdomain). */
export function validateName(t: ResourceType, name: string): Cause[] {
  if (t.group === "rbac.authorization.k8s.io") {
    if (name === "." || name === ".." || name.includes("/") || name.includes("%")) {
      return [invalidValue("metadata.name", name, `may not contain '/' or '%'`)];
    }
    return [];
  }
  if (t.plural === "namespaces") {
    const c: Cause[] = [];
    if (!DNS1123_LABEL.test(name)) c.push(invalidValue("metadata.name", name, LABEL_MSG));
    if (name.length > 63) c.push(invalidValue("metadata.name", name, "must be no more than 63 characters"));
    return c;
  }
  if (t.plural === "services" && t.group === "") {
    return DNS1035_LABEL.test(name) && name.length <= 63 ? [] : [invalidValue("metadata.name", name, DNS1035_MSG)];
  }
  const c: Cause[] = [];
  if (!DNS1123_SUBDOMAIN.test(name)) c.push(invalidValue("metadata.name", name, SUBDOMAIN_MSG));
  if (name.length > 253) c.push(invalidValue("metadata.name", name, "must be no more than 253 characters"));
  return c;
}

/** Validates a namespace name given in a path or metadata. */
export function validateNamespaceName(ns: string): Cause[] {
  return DNS1123_LABEL.test(ns) && ns.length <= 63 ? [] : [invalidValue("metadata.namespace", ns, LABEL_MSG)];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Decodes a Secret's wire form as the apiserver's JSON decoder does: `stringData` folded into
 * base64 `data`, `type` defaulted to Opaque. Returns a new object.
 * @throws ApiError 400 when a data value is not base64 (the decoder fails before validation).
 */
export function normalizeSecret(obj: KubeObject): KubeObject {
  const out: KubeObject = { ...obj };
  const data: Record<string, string> = { ...(record(obj["data"]) as Record<string, string> | undefined) };
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== "string" || !BASE64.test(v)) {
      // encoding/base64 reports the first offending byte (CorruptInputError).
      const at = typeof v === "string" ? Math.max(0, v.search(/[^A-Za-z0-9+/=]/)) : 0;
      throw badRequest(`Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte ${at}`);
    }
    void k;
  }
  const sd = record(obj["stringData"]);
  if (sd) {
    for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    delete out["stringData"];
  }
  if (Object.keys(data).length > 0 || obj["data"] !== undefined) out["data"] = data;
  if (typeof out["type"] !== "string" || out["type"] === "") out["type"] = "Opaque";
  return out;
}

/** Kind-specific validation of a new or updated built-in object; `old` is set on updates. */
export function validateBuiltin(t: ResourceType, obj: KubeObject, old: KubeObject | undefined): Cause[] {
  const causes: Cause[] = [];
  if (t.group === "" && (t.plural === "secrets" || t.plural === "configmaps")) {
    // ValidateSecretUpdate / ValidateConfigMapUpdate order: immutable fields first, then the object.
    if (old && t.plural === "secrets" && old["type"] !== obj["type"]) causes.push(invalidValue("type", obj["type"], "field is immutable"));
    if (old && old["immutable"] === true) {
      if (obj["immutable"] !== true) causes.push(forbiddenField("immutable", "field is immutable when `immutable` is set"));
      for (const field of t.plural === "secrets" ? ["data"] : ["data", "binaryData"]) {
        if (!sameJson(old[field] ?? null, obj[field] ?? null)) {
          causes.push(forbiddenField(field, "field is immutable when `immutable` is set"));
        }
      }
    }
    for (const field of ["data", "binaryData"]) {
      for (const k of Object.keys(record(obj[field]) ?? {})) {
        if (!CONFIG_KEY.test(k)) causes.push(invalidValue(`${field}[${k}]`, k, CONFIG_KEY_MSG));
      }
    }
    causes.push(...(t.plural === "secrets" ? validateSecretContent(obj) : validateConfigMapSize(obj)));
  }
  if (t.group === "rbac.authorization.k8s.io" && (t.plural === "rolebindings" || t.plural === "clusterrolebindings")) {
    const ref = record(obj["roleRef"]);
    if (!ref) causes.push(required("roleRef.name"));
    else {
      if (!ref["name"]) causes.push(required("roleRef.name"));
      if (ref["kind"] !== "ClusterRole" && !(ref["kind"] === "Role" && t.plural === "rolebindings")) {
        causes.push({ reason: "FieldValueNotSupported", field: "roleRef.kind", message: `Unsupported value: ${JSON.stringify(ref["kind"] ?? "")}: supported values: ${t.plural === "rolebindings" ? '"Role", "ClusterRole"' : '"ClusterRole"'}` });
      }
      if (old && !sameJson(record(old["roleRef"]), ref)) {
        causes.push(invalidValue("roleRef", ref, "cannot change roleRef"));
      }
    }
  }
  if (t.group === "apps" && ["deployments", "statefulsets", "daemonsets"].includes(t.plural)) causes.push(...validateWorkload(obj, old));
  if (t.group === "coordination.k8s.io" && t.plural === "leases") {
    const spec = record(obj["spec"]);
    const d = spec?.["leaseDurationSeconds"];
    if (d !== undefined && (typeof d !== "number" || d <= 0)) causes.push(invalidValue("spec.leaseDurationSeconds", d, "must be greater than 0"));
  }
  return causes;
}

/** Go's %#v of a map[string]string, as field.Invalid prints label maps. */
function goMap(m: Record<string, unknown>): string {
  return `map[string]string{${Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`).join(", ")}}`;
}

/** apps/v1 workloads (pkg/apis/apps/validation): selector required, matching the template, immutable. */
function validateWorkload(obj: KubeObject, old: KubeObject | undefined): Cause[] {
  const causes: Cause[] = [];
  const spec = record(obj["spec"]) ?? {};
  const selector = record(spec["selector"]);
  const template = record(spec["template"]);
  const labels = (record(record(template?.["metadata"])?.["labels"]) ?? {}) as Record<string, unknown>;
  const match = (record(selector?.["matchLabels"]) ?? {}) as Record<string, unknown>;
  const exprs = selector?.["matchExpressions"];
  if (!selector || (Object.keys(match).length === 0 && !(Array.isArray(exprs) && exprs.length > 0))) {
    causes.push(required("spec.selector"));
  } else if (Object.entries(match).some(([k, v]) => labels[k] !== v)) {
    causes.push({ reason: "FieldValueInvalid", field: "spec.template.metadata.labels", message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\`` });
  }
  const containers = record(template?.["spec"])?.["containers"];
  if (!Array.isArray(containers) || containers.length === 0) causes.push(required("spec.template.spec.containers"));
  const oldSel = record(old?.["spec"])?.["selector"];
  if (old && selector && !sameJson(oldSel, selector)) {
    causes.push({ reason: "FieldValueInvalid", field: "spec.selector", message: `Invalid value: v1.LabelSelector{MatchLabels:${goMap(match)}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable` });
  }
  return causes;
}

const COMMON = ["apiVersion", "kind", "metadata"];
const KNOWN_FIELDS: Record<string, string[]> = {
  "/secrets": [...COMMON, "data", "stringData", "type", "immutable"],
  "/configmaps": [...COMMON, "data", "binaryData", "immutable"],
  "/serviceaccounts": [...COMMON, "secrets", "imagePullSecrets", "automountServiceAccountToken"],
  "/events": [...COMMON, "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"],
  "events.k8s.io/events": [...COMMON, "eventTime", "series", "reportingController", "reportingInstance", "action", "reason", "regarding", "related", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount"],
  "rbac.authorization.k8s.io/roles": [...COMMON, "rules"],
  "rbac.authorization.k8s.io/clusterroles": [...COMMON, "rules", "aggregationRule"],
  "rbac.authorization.k8s.io/rolebindings": [...COMMON, "subjects", "roleRef"],
  "rbac.authorization.k8s.io/clusterrolebindings": [...COMMON, "subjects", "roleRef"],
};
const META_FIELDS = new Set([
  "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
  "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
]);

/** Unknown fields of a built-in object (top level and metadata), as `.path` strings for strict decoding. */
export function unknownBuiltinFields(t: ResourceType, obj: Record<string, unknown>): string[] {
  const known = KNOWN_FIELDS[`${t.group}/${t.plural}`] ?? [...COMMON, "spec", "status"];
  const out = Object.keys(obj).filter((k) => !known.includes(k));
  for (const k of Object.keys(record(obj["metadata"]) ?? {})) if (!META_FIELDS.has(k)) out.push(`metadata.${k}`);
  return out;
}
