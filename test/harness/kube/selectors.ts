/**
 * Label and field selectors as the apiserver parses them
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/).
 */
import type { KubeObject } from "../../../src/kube/types.js";

/** A parsed selector: true when an object matches. */
export type Matcher = (obj: KubeObject) => boolean;

/** Thrown for a selector the server would reject with 400 BadRequest. */
export class SelectorError extends Error {}

type Requirement =
  | { op: "=" | "!="; key: string; value: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "exists" | "!"; key: string };

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== "");
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = (setMatch[3] ?? "").split(",").map((v) => v.trim()).filter((v) => v !== "");
    return { op: setMatch[2] as "in" | "notin", key: setMatch[1] ?? "", values };
  }
  const eq = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (eq) return { op: eq[2] === "!=" ? "!=" : "=", key: eq[1] ?? "", value: eq[3] ?? "" };
  const not = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (not) return { op: "!", key: not[1] ?? "" };
  if (/^[^\s!=(),]+$/.test(term)) return { op: "exists", key: term };
  throw new SelectorError(`unable to parse requirement: found '${term}', expected: identifier`);
}

function test(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case "=":
      return has && v === req.value;
    case "!=":
      return !has || v !== req.value;
    case "in":
      return has && req.values.includes(v ?? "");
    case "notin":
      return !has || !req.values.includes(v ?? "");
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

/**
 * Parses a labelSelector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`); undefined/empty matches all.
 * @throws SelectorError for a malformed selector.
 */
export function parseLabelSelector(sel: string | undefined): Matcher {
  if (!sel || sel.trim() === "") return () => true;
  const reqs = splitTop(sel).map(parseRequirement);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => test(r, labels));
  };
}

/** The field values a resource supports in field selectors, by kind. */
function fieldValue(obj: KubeObject, field: string): string | undefined {
  switch (field) {
    case "metadata.name":
      return obj.metadata.name ?? "";
    case "metadata.namespace":
      return obj.metadata.namespace ?? "";
    default:
      break;
  }
  const kind = obj.kind;
  if (kind === "Secret" && field === "type") return typeof obj["type"] === "string" ? obj["type"] : "";
  if (kind === "Event") {
    const io = obj["involvedObject"] as Record<string, unknown> | undefined;
    const regarding = obj["regarding"] as Record<string, unknown> | undefined;
    const ref = io ?? regarding;
    const m = /^(?:involvedObject|regarding)\.(kind|name|namespace|uid|apiVersion|resourceVersion|fieldPath)$/.exec(field);
    if (m) return String(ref?.[m[1] ?? ""] ?? "");
    if (field === "source") {
      const src = (obj["source"] ?? obj["deprecatedSource"]) as Record<string, unknown> | undefined;
      return String(src?.["component"] ?? "");
    }
    if (field === "reason" || field === "type" || field === "reportingComponent") {
      return String(obj[field] ?? "");
    }
  }
  if (kind === "Pod") {
    const spec = obj["spec"] as Record<string, unknown> | undefined;
    const status = obj["status"] as Record<string, unknown> | undefined;
    if (field === "spec.nodeName") return String(spec?.["nodeName"] ?? "");
    if (field === "spec.serviceAccountName") return String(spec?.["serviceAccountName"] ?? "");
    if (field === "status.phase") return String(status?.["phase"] ?? "");
  }
  if (kind === "Namespace" && field === "status.phase") {
    const status = obj["status"] as Record<string, unknown> | undefined;
    return String(status?.["phase"] ?? "");
  }
  return undefined;
}

/** A CRD selectableField's value (a string, boolean or integer at a dotted path; absent = ""). */
function selectableValue(obj: KubeObject, path: string): string {
  let v: unknown = obj;
  for (const k of path.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? "" : String(v);
}

/**
 * Parses a fieldSelector (`metadata.name=x,type!=y`); only `=`, `==`, `!=` exist for fields.
 * `kind` names the resource for the error message about unsupported fields; `selectable` are a
 * CRD version's selectableFields (`spec.secretStoreRef.name`).
 * @throws SelectorError for a malformed selector or a field the resource does not support.
 */
export function parseFieldSelector(sel: string | undefined, kind: string, custom: boolean, selectable: string[] = []): Matcher {
  if (!sel || sel.trim() === "") return () => true;
  const reqs = splitTop(sel).map((term) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${sel}'; can't understand '${term}'`);
    return { field: m[1] ?? "", neg: m[2] === "!=", value: (m[3] ?? "").trim() };
  });
  const probe = { kind, metadata: {} } as KubeObject;
  for (const r of reqs) {
    const supported =
      r.field === "metadata.name" || r.field === "metadata.namespace" || selectable.includes(r.field) || (!custom && fieldValue(probe, r.field) !== undefined);
    if (!supported) {
      // kube-apiserver: `"foo" is not a known field selector: only "metadata.name", "metadata.namespace"`
      throw new SelectorError(`field label not supported: ${r.field}`);
    }
  }
  return (obj) =>
    reqs.every((r) => {
      const v = (selectable.includes(r.field) ? selectableValue(obj, r.field) : fieldValue(obj, r.field)) ?? "";
      return r.neg ? v !== r.value : v === r.value;
    });
}
