/**
 * A zod-free check of a `v1 Secret`, equivalent to `secretSchema` in secret.ts (a test holds
 * them to the same verdicts). It exists for start-up time: `sealbridge seal --cert FILE` must
 * start in about twice bare Node's time, and loading zod alone costs ~40 ms (95 modules).
 */
import { isBase64 } from "../base64.js";
import type { Secret } from "./secret.js";

/** Where a Secret is malformed: a field path like `data.password` and what is wrong. */
export interface SecretIssue {
  path: string;
  message: string;
}


function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkStringMap(value: unknown, path: string, valid?: (item: string) => boolean): SecretIssue | null {
  if (value === undefined) return null;
  if (!isRecord(value)) return { path, message: "expected a map of strings" };
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") return { path: `${path}.${key}`, message: "expected a string" };
    if (valid && !valid(item)) return { path: `${path}.${key}`, message: "not base64" };
  }
  return null;
}

function checkOptionalString(value: unknown, path: string, nonEmpty = true): SecretIssue | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || (nonEmpty && value === "")) return { path, message: "expected a non-empty string" };
  return null;
}

/**
 * Checks that `value` is a v1 Secret (apiVersion v1, kind Secret, typed metadata, base64
 * `data`, string `stringData`); unknown fields are allowed. Returns the first issue, or `null`
 * when it is a valid Secret (then `value` may be used as a `Secret`). Never throws.
 */
export function checkSecret(value: unknown): SecretIssue | null {
  if (!isRecord(value)) return { path: "(top level)", message: "expected an object" };
  if (value["apiVersion"] !== "v1") return { path: "apiVersion", message: 'expected "v1"' };
  if (value["kind"] !== "Secret") return { path: "kind", message: 'expected "Secret"' };
  const metadata = value["metadata"];
  if (metadata !== undefined) {
    if (!isRecord(metadata)) return { path: "metadata", message: "expected an object" };
    const issue =
      checkOptionalString(metadata["name"], "metadata.name") ??
      checkOptionalString(metadata["namespace"], "metadata.namespace") ??
      checkStringMap(metadata["labels"], "metadata.labels") ??
      checkStringMap(metadata["annotations"], "metadata.annotations");
    if (issue) return issue;
  }
  const issue = checkOptionalString(value["type"], "type");
  if (issue) return issue;
  if (value["immutable"] !== undefined && typeof value["immutable"] !== "boolean") return { path: "immutable", message: "expected a boolean" };
  return (
    (value["data"] === null ? null : checkStringMap(value["data"], "data", isBase64)) ??
    (value["stringData"] === null ? null : checkStringMap(value["stringData"], "stringData"))
  );
}

/** Narrows `value` to a Secret when `checkSecret` finds no issue. */
export function isValidSecret(value: unknown): value is Secret {
  return checkSecret(value) === null;
}
