/**
 * Weakly typed request fields, decoded the way Vault's framework does (`mapstructure` weak decode):
 * `"2"` is an int, `"true"` a bool, `"a,b"` a string list, `"1h"` or `3600` a duration.
 * Every decoder throws {@link VaultApiError} 400 `Field validation failed: …` on a value it cannot convert.
 */
import { VaultApiError } from "./envelope.js";

/** The JSON object body of a request (an empty object when there was none). */
export type Body = Record<string, unknown>;

function invalid(field: string, why: string): VaultApiError {
  return new VaultApiError(400, [`Field validation failed: error converting input for field "${field}": ${why}`]);
}

/** An integer field, or `fallback` when absent. @throws VaultApiError 400 on a non-integer. */
export function intField(body: Body, field: string, fallback: number): number {
  const v = body[field];
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number.parseInt(v, 10);
  if (typeof v === "boolean") return v ? 1 : 0;
  throw invalid(field, `cannot parse '${field}' as int`);
}

/** A boolean field, or `fallback` when absent. @throws VaultApiError 400 on a non-boolean. */
export function boolField(body: Body, field: string, fallback: boolean): boolean {
  const v = body[field];
  if (v === undefined || v === null || v === "") return fallback;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (["1", "t", "true"].includes(s)) return true;
    if (["0", "f", "false"].includes(s)) return false;
  }
  throw invalid(field, `cannot parse '${field}' as bool`);
}

/** A string field, or `fallback` when absent. Numbers are stringified as Vault's weak decode does. */
export function stringField(body: Body, field: string, fallback = ""): string {
  const v = body[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw invalid(field, `'${field}' expected type 'string'`);
}

/** A string list field (a JSON array or a comma-separated string), trimmed, empties dropped. */
export function stringListField(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  const items = Array.isArray(v) ? v.map((x) => String(x)) : typeof v === "string" ? v.split(",") : [String(v)];
  return items.map((s) => s.trim()).filter((s) => s !== "");
}

const unitSeconds: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a Vault duration (`3600`, `"3600"`, `"1h30m"`, `"768h"`, `"10s"`) into whole seconds.
 * @returns null when the value is not a duration.
 */
export function parseDuration(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return Math.floor(v);
  if (typeof v !== "string") return null;
  const s = v.trim();
  if (s === "") return 0;
  if (/^\d+$/.test(s)) return Number.parseInt(s, 10);
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) return null;
    total += Number.parseFloat(m[1] ?? "0") * (unitSeconds[m[2] ?? "s"] ?? 1);
    consumed += m[0].length;
  }
  return consumed === s.length ? Math.floor(total) : null;
}

/** A duration field in seconds, or `fallback` when absent. @throws VaultApiError 400 on a bad duration. */
export function durationField(body: Body, field: string, fallback: number): number {
  const v = body[field];
  if (v === undefined || v === null || v === "") return fallback;
  const secs = parseDuration(v);
  if (secs === null) throw invalid(field, `time: invalid duration "${String(v)}"`);
  return secs;
}

/** Formats seconds as a Go duration string (`"0s"`, `"3h25m19s"`), as Vault returns them. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}

/** The first of several alias fields that is present (`token_policies` before `policies`). */
export function firstPresent(body: Body, ...fields: string[]): string | undefined {
  return fields.find((f) => body[f] !== undefined && body[f] !== null);
}

/** Formats a millisecond timestamp as Go's RFC3339Nano in UTC (trailing fraction zeros trimmed). */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_all, frac: string) => {
    const trimmed = frac.replace(/0+$/, "");
    return trimmed === "" ? "Z" : `.${trimmed}Z`;
  });
}

/**
 * A Go-style text for a JSON syntax error (`invalid character 'x' looking for beginning of value`,
 * `unexpected EOF`). V8's own message quotes the input, which may hold a secret, so it is never used.
 */
export function jsonSyntaxText(err: unknown): string {
  const message = err instanceof Error ? err.message : "";
  if (/end of JSON input|Unterminated/i.test(message)) return "unexpected EOF";
  const m = /Unexpected token '?(.)'?/.exec(message);
  return m ? `invalid character '${m[1] ?? "?"}' looking for beginning of value` : "invalid character looking for beginning of value";
}
