/**
 * Writing manifests back out: kubeseal's output formats (JSON by default, YAML prefixed with
 * `---`), a stable key order, and in-place rewriting of chosen documents of a multi-document
 * file that leaves every other document byte for byte as it was.
 */
import { parseAllDocuments } from "yaml";
import { InputError } from "../errors.js";
import { documentValue } from "../manifest/documents.js";
import type { ManifestFormat } from "../manifest/format.js";
import { yamlText } from "./yaml-text.js";

export const OUTPUT_FORMATS = ["json", "yaml"] as const;
export type OutputFormat = ManifestFormat;

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


function yamlBody(obj: unknown): string {
  return yamlText(orderedObject(obj));
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

/** A parsed manifest text that can be re-rendered with some documents replaced. */
export interface EditableManifest {
  /** Every document's value (null for an empty one), by index. */
  values: unknown[];
  /**
   * The text with the documents in `replacements` replaced and every other document's text
   * (comments, formatting) untouched; JSON (format "json") is rewritten whole.
   */
  render(replacements: ReadonlyMap<number, unknown>, format: OutputFormat): RewrittenManifest;
}

/**
 * Parses a manifest text once for editing.
 * @throws InputError naming the file and document when the text is not valid YAML/JSON.
 */
export function parseEditableManifest(text: string, source: string): EditableManifest {
  const parsed = parseAllDocuments(text, { uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const values = docs.map((doc, index) => {
    const first = doc.errors[0];
    if (first) {
      const line = first.linePos?.[0]?.line;
      throw new InputError(`invalid YAML: ${source}, document ${index}${line ? ` line ${line}` : ""}: ${first.code} (fix the syntax and retry)`, { code: "InvalidYAML" });
    }
    return doc.contents === null ? null : documentValue(doc, source, index);
  });
  return {
    values,
    render(replacements, format) {
      const edits: Array<{ start: number; end: number; replacement: string }> = [];
      docs.forEach((doc, index) => {
        const replacement = replacements.get(index);
        if (replacement === undefined || doc.contents === null) return;
        const start = doc.contents.range[0];
        // Content on the `---` line itself (`--- {a: 1}`): a block mapping must start on its own line.
        const lineStart = text.lastIndexOf("\n", start - 1) + 1;
        const ownLine = text.slice(lineStart, start).trim() === "";
        edits.push({ start, end: Math.max(start, doc.range[1]), replacement: `${ownLine ? "" : "\n"}${yamlBody(replacement)}` });
      });
      if (edits.length === 0) return { text, replaced: 0 };
      if (format === "json") {
        const merged = values.map((value, index) => replacements.get(index) ?? value).filter((value) => value !== null);
        return { text: `${merged.map((v) => JSON.stringify(orderedObject(v), null, 2)).join("\n")}\n`, replaced: edits.length };
      }
      let out = "";
      let at = 0;
      for (const edit of edits) {
        out += text.slice(at, edit.start) + edit.replacement;
        at = edit.end;
      }
      return { text: out + text.slice(at), replaced: edits.length };
    },
  };
}

/**
 * Replaces the documents `transform` returns a value for and keeps every other document's text
 * (comments, formatting) untouched. JSON files (format "json") are rewritten whole.
 * @throws InputError when the text is not valid YAML/JSON; whatever `transform` throws.
 */
export function rewriteManifestText(text: string, source: string, format: OutputFormat, transform: DocumentTransform): RewrittenManifest {
  const manifest = parseEditableManifest(text, source);
  const replacements = new Map<number, unknown>();
  manifest.values.forEach((value, index) => {
    if (value === null) return;
    const replacement = transform(value, index);
    if (replacement !== undefined) replacements.set(index, replacement);
  });
  return manifest.render(replacements, format);
}
