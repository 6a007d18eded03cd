/**
 * Turning parsed manifest documents into typed objects, with errors that name the file, the
 * document and the field, never a value.
 */
import type { z } from "zod";
import type { Secret } from "../api/secret.js";
import { checkSecret } from "../api/secret-check.js";
import type { SealedSecret } from "../api/sealed-secret.js";
import { InputError } from "../errors.js";
import { parseManifestDocuments, type ManifestDocument } from "../manifest/documents.js";
import { looksLikeJson } from "../manifest/format.js";
import { formatZodIssue } from "../zod-issues.js";

/** "kind \"Deployment\"" or "not an object", for messages. */
export function describeKind(value: unknown): string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a Kubernetes object";
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === "string" ? `kind "${kind}"` : "an object without kind";
}

/** The kind of a document, or undefined. */
export function kindOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const kind = (value as { kind?: unknown }).kind;
  return typeof kind === "string" ? kind : undefined;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  return formatZodIssue(issue, "(top level)", "bracketed");
}

/**
 * Validates a document as a v1 Secret.
 * @throws InputError when it is not a Secret or is malformed (e.g. a data value not base64).
 */
export function parseSecretDocument(value: unknown, where: string): Secret {
  if (kindOf(value) !== "Secret") throw new InputError(`not a Secret: ${where} is ${describeKind(value)} (give a v1 Secret manifest)`, { code: "NotASecret" });
  const issue = checkSecret(value);
  if (issue) throw new InputError(`invalid Secret: ${where}: ${issue.path}: ${issue.message} (fix the manifest)`, { code: "InvalidSecret" });
  return value as Secret;
}

/**
 * Validates a document as a bitnami.com/v1alpha1 SealedSecret (zod is loaded here, lazily:
 * plain sealing never needs it).
 * @throws InputError when it is not a SealedSecret or is malformed.
 */
export async function parseSealedSecretDocument(value: unknown, where: string): Promise<SealedSecret> {
  if (kindOf(value) !== "SealedSecret") throw new InputError(`not a SealedSecret: ${where} is ${describeKind(value)} (give a SealedSecret manifest)`, { code: "NotASealedSecret" });
  const { sealedSecretSchema } = await import("../api/sealed-secret.js");
  const result = sealedSecretSchema.safeParse(value);
  if (!result.success) throw new InputError(`invalid SealedSecret: ${where}: ${firstIssue(result.error)} (fix the manifest)`, { code: "InvalidSealedSecret" });
  return result.data;
}

/**
 * Splits a stream of concatenated JSON values (kubeseal's multi-document JSON output) into one
 * text per value; returns `null` when `text` is not such a stream of two or more objects.
 */
export function splitJsonStream(text: string): string[] | null {
  if (!looksLikeJson(text)) return null;
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) parts.push(text.slice(start, i + 1));
      if (depth < 0) return null;
    } else if (depth === 0 && !/\s/.test(ch ?? "")) return null;
  }
  return parts.length >= 2 && depth === 0 ? parts : null;
}

/**
 * Parses a manifest text into documents: YAML/JSON documents, or a stream of concatenated JSON
 * objects as kubeseal writes for several inputs.
 * @throws InputError when a document is not valid YAML/JSON.
 */
export function parseManifestText(text: string, source: string): ManifestDocument[] {
  const parts = splitJsonStream(text);
  if (!parts) return parseManifestDocuments(text, source);
  return parts.map((part, index) => {
    try {
      return { index, value: JSON.parse(part) as unknown };
    } catch (err) {
      throw new InputError(`invalid JSON: ${source}, document ${index} (fix the syntax and retry)`, { cause: err, code: "InvalidYAML" });
    }
  });
}

/** A non-empty document of an input, with where it is for messages (`db.yaml, document 2`). */
export interface LocatedDocument extends ManifestDocument {
  where: string;
}

/**
 * The non-empty documents of a manifest text, each named for messages.
 * @throws InputError when a document is not valid YAML/JSON.
 */
export function locatedDocuments(text: string, source: string): LocatedDocument[] {
  return parseManifestText(text, source)
    .filter((doc) => doc.value !== null && doc.value !== undefined)
    .map((doc) => ({ ...doc, where: `${source}, document ${doc.index}` }));
}
