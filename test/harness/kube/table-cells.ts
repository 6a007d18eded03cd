/**
 * Table cell values: Kubernetes' human-readable durations (the AGE column) and the simple
 * JSONPath of CRD additionalPrinterColumns, typed as apiextensions-apiserver's tableconvertor
 * types them (string, integer, number, boolean, date).
 */
import type { KubeObject } from "../../../src/kube/types.js";

/** What a Table cell may hold. */
export type CellValue = string | number | boolean | null;

/**
 * Formats an elapsed time in milliseconds as kubectl's AGE does
 * (k8s.io/apimachinery/pkg/util/duration.HumanDuration): `45s`, `5m3s`, `3h10m`, `2d4h`, `3y12d`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

type Step = { key: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

function parsePath(expr: string): Step[] | null {
  let s = expr.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (s.startsWith("$")) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ".") {
      let key = "";
      i++;
      while (i < s.length && s[i] !== "." && s[i] !== "[") {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        key += s[i];
        i++;
      }
      if (key === "") return null;
      steps.push(key === "*" ? { all: true } : { key });
    } else if (c === "[") {
      const end = s.indexOf("]", i);
      if (end < 0) return null;
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      const quoted = /^(['"])(.*)\1$/.exec(inner);
      const filter = /^\?\(@((?:\.[\w-]+)+)\s*==\s*(['"])(.*)\2\)$/.exec(inner);
      if (inner === "*") steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (quoted) steps.push({ key: quoted[2] ?? "" });
      else if (filter) steps.push({ filter: { path: (filter[1] ?? "").slice(1).split("."), value: filter[3] ?? "" } });
      else return null;
    } else {
      return null;
    }
  }
  return steps;
}

function follow(value: unknown, path: string[]): unknown {
  let v = value;
  for (const k of path) v = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function apply(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    if ("key" in step) {
      if (v !== null && typeof v === "object" && !Array.isArray(v) && step.key in v) out.push((v as Record<string, unknown>)[step.key]);
    } else if ("index" in step) {
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
    } else if ("all" in step) {
      if (Array.isArray(v)) out.push(...v);
      else if (v !== null && typeof v === "object") out.push(...Object.values(v));
    } else {
      const { path, value } = step.filter;
      if (Array.isArray(v)) out.push(...v.filter((e) => String(follow(e, path)) === value));
    }
  }
  return out;
}

/** The first value a simple JSONPath (`.a.b`, `[0]`, `[*]`, `[?(@.type=="Ready")]`) finds; undefined if none. */
export function findFirst(obj: unknown, jsonPath: string): unknown {
  const steps = parsePath(jsonPath);
  if (steps === null) return undefined;
  let values: unknown[] = [obj];
  for (const step of steps) values = apply(values, step);
  return values[0];
}

/**
 * One additionalPrinterColumns cell: the first JSONPath result converted to the column type,
 * null when missing or of the wrong type (apiextensions-apiserver cellForJSONValue).
 */
export function evaluateColumn(obj: KubeObject, jsonPath: string, type: string, now: Date): CellValue {
  const value = findFirst(obj, jsonPath);
  if (value === undefined || value === null) return null;
  switch (type) {
    case "string":
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
    case "date": {
      if (typeof value !== "string") return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? "<invalid>" : humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}
