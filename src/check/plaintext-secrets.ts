/**
 * The plaintext-Secret finder behind `sealbridge check`: which documents of a YAML or JSON text
 * are `kind: Secret` manifests with values in `data` or `stringData`. Pure: text in, findings out.
 */
import { InputError, isSealbridgeError } from "../errors.js";
import { parseManifestDocuments, type ManifestDocument } from "../manifest/documents.js";

/** One plaintext Secret found in a text. Holds key names only, never values. */
export interface PlaintextSecretFinding {
  /** 0-based index of the `---`-separated document. */
  document: number;
  /** 0-based index within a `kind: List` document's `items`, when the Secret is one. */
  item?: number;
  namespace?: string;
  name?: string;
  /** Keys of `data` and `stringData` that hold a non-empty value, in file order, deduplicated. */
  keys: string[];
}

/**
 * Finds the plaintext Secrets in a manifest text (multi-document YAML, or JSON). Secrets with
 * only empty `data`/`stringData` values are not findings, and neither are SealedSecrets or
 * AgeSecrets. A text that does not contain the word `Secret` at all is not parsed (so unrelated
 * JSON/YAML a hook is handed, even invalid, never fails the check).
 * @throws InputError naming `source` and the document when the text is not valid YAML/JSON.
 */
export function findPlaintextSecrets(text: string, source: string): PlaintextSecretFinding[] {
  if (!text.includes("Secret")) return [];
  const findings: PlaintextSecretFinding[] = [];
  for (const doc of parseDocuments(text, source)) {
    const value = doc.value;
    if (isList(value)) {
      value.items.forEach((item, i) => {
        const finding = plaintextSecret(item);
        if (finding) findings.push({ document: doc.index, item: i, ...finding });
      });
    } else {
      const finding = plaintextSecret(value);
      if (finding) findings.push({ document: doc.index, ...finding });
    }
  }
  return findings;
}

/**
 * One line per finding: `FILE:doc N: Secret ns/name has plaintext keys a, b → run: sealbridge seal -f FILE -w`.
 * Names and keys are printed JSON-quoted when they hold anything but plain characters, so a
 * crafted key cannot forge output lines.
 */
export function describeFinding(file: string, finding: PlaintextSecretFinding): string {
  const where = `${file}:doc ${finding.document}${finding.item === undefined ? "" : ` item ${finding.item}`}`;
  const id = finding.name === undefined ? "(unnamed)" : `${finding.namespace === undefined ? "" : `${safe(finding.namespace)}/`}${safe(finding.name)}`;
  const keys = finding.keys.map(safe).join(", ");
  const noun = finding.keys.length === 1 ? "key" : "keys";
  return `${where}: Secret ${id} has plaintext ${noun} ${keys} → run: sealbridge seal -f ${shellQuote(file)} -w`;
}

function parseDocuments(text: string, source: string): ManifestDocument[] {
  try {
    return parseManifestDocuments(text, source);
  } catch (err) {
    if (isSealbridgeError(err)) throw err;
    // yaml's own limits (e.g. alias expansion) throw plain errors; they are still bad input.
    throw new InputError(`cannot parse manifest: ${source} (${err instanceof Error ? err.name : "error"}; check the YAML)`, {
      code: "InvalidYAML",
      cause: err,
    });
  }
}

function isList(value: unknown): value is { items: unknown[] } {
  if (!isObject(value)) return false;
  const kind = value["kind"];
  return typeof kind === "string" && kind.endsWith("List") && Array.isArray(value["items"]);
}

function plaintextSecret(value: unknown): Omit<PlaintextSecretFinding, "document" | "item"> | null {
  if (!isObject(value) || value["kind"] !== "Secret") return null;
  const apiVersion = value["apiVersion"];
  if (apiVersion !== undefined && apiVersion !== "v1") return null;
  const keys = new Set<string>();
  for (const field of ["data", "stringData"]) {
    const map = value[field];
    if (!isObject(map)) continue;
    for (const [key, v] of Object.entries(map)) {
      if (v !== null && v !== undefined && v !== "") keys.add(key);
    }
  }
  if (keys.size === 0) return null;
  const metadata = isObject(value["metadata"]) ? value["metadata"] : {};
  const finding: Omit<PlaintextSecretFinding, "document" | "item"> = { keys: [...keys] };
  if (typeof metadata["name"] === "string") finding.name = metadata["name"];
  if (typeof metadata["namespace"] === "string") finding.namespace = metadata["namespace"];
  return finding;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function safe(s: string): string {
  return /^[-._a-zA-Z0-9]+$/.test(s) ? s : JSON.stringify(s);
}

function shellQuote(s: string): string {
  return /^[-._/a-zA-Z0-9]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
