/**
 * Writing manifests back out: kubeseal's output formats (JSON by default, YAML prefixed with
 * `---`), a stable key order, and in-place rewriting of chosen documents of a multi-document
 * file that leaves every other document byte for byte as it was.
 */
import { parseAllDocuments, stringify } from "yaml";
import { InputError } from "../errors.js";

export const OUTPUT_FORMATS = ["json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const TOP_LEVEL_ORDER = ["apiVersion", "kind", "metadata", "type", "immutable", "spec", "data", "stringData", "status"];

/** A copy of a Kubernetes object with its top-level keys in the usual order. */
export function orderedObject(obj: unknown): unknown {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return obj;
  const record = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of TOP_LEVEL_ORDER) if (record[key] !== undefined) out[key] = record[key];
  for (const [key, value] of Object.entries(record)) if (!(key in out) && value !== undefined) out[key] = value;
  return out;
}

/** The format kubeseal picks for a `-w` file: YAML for `.yaml`/`.yml`, JSON for `.json`. */
export function formatForPath(path: string): OutputFormat | undefined {
  if (/\.ya?ml$/i.test(path)) return "yaml";
  if (/\.json$/i.test(path)) return "json";
  return undefined;
}

function yamlBody(obj: unknown): string {
  return stringify(orderedObject(obj), { lineWidth: 0, indentSeq: true });
}

/** One object as text: JSON (2-space indent) or YAML starting with `---`; ends with a newline. */
export function formatObject(obj: unknown, format: OutputFormat): string {
  return format === "json" ? `${JSON.stringify(orderedObject(obj), null, 2)}\n` : `---\n${yamlBody(obj)}`;
}

/** Several objects as one stream: YAML documents, or JSON objects one after another (as kubeseal). */
export function formatObjects(objs: readonly unknown[], format: OutputFormat): string {
  return objs.map((obj) => formatObject(obj, format)).join("");
}

/** Decides what becomes of one document: a replacement value, or `undefined` to keep it. */
export type DocumentTransform = (value: unknown, index: number) => unknown;

/** The result of rewriting a manifest text. */
export interface RewrittenManifest {
  text: string;
  /** How many documents were replaced. */
  replaced: number;
}

/**
 * Replaces the documents `transform` returns a value for and keeps every other document's text
 * (comments, formatting) untouched. JSON files (format "json") are rewritten whole.
 * @throws InputError when the text is not valid YAML/JSON; whatever `transform` throws.
 */
export function rewriteManifestText(text: string, source: string, format: OutputFormat, transform: DocumentTransform): RewrittenManifest {
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  const edits: Array<{ start: number; end: number; replacement: string }> = [];
  const values: unknown[] = [];
  list.forEach((doc, index) => {
    const first = doc.errors[0];
    if (first) {
      const line = first.linePos?.[0]?.line;
      throw new InputError(`invalid YAML: ${source}, document ${index}${line ? ` line ${line}` : ""}: ${first.code} (fix the syntax and retry)`, { code: "InvalidYAML" });
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const replacement = doc.contents === null ? undefined : transform(value, index);
    values.push(replacement === undefined ? value : replacement);
    if (replacement === undefined || doc.contents === null) return;
    const start = doc.contents.range[0];
    edits.push({ start, end: Math.max(start, doc.range[1]), replacement: yamlBody(replacement) });
  });
  if (edits.length === 0) return { text, replaced: 0 };
  if (format === "json") {
    const json = values.length === 1 ? JSON.stringify(orderedObject(values[0]), null, 2) : values.map((v) => JSON.stringify(orderedObject(v), null, 2)).join("\n");
    return { text: `${json}\n`, replaced: edits.length };
  }
  let out = "";
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.replacement;
    at = edit.end;
  }
  out += text.slice(at);
  return { text: out, replaced: edits.length };
}
