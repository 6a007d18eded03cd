import { parseAllDocuments } from "yaml";
import { InputError } from "../errors.js";

/** One YAML or JSON document of a manifest file, with its position for error messages. */
export interface ManifestDocument {
  /** 0-based index of the document within its source. */
  index: number;
  /** The parsed value (null for an empty document). */
  value: unknown;
}

/**
 * Parses a YAML (or JSON, which is YAML) text holding one or more `---`-separated documents.
 * Empty documents are kept as `null` so indexes match what a person counts in the file.
 * A `kind: List` document is not expanded here.
 * @throws InputError naming `source` and the document index when a document is not valid YAML.
 */
export function parseManifestDocuments(text: string, source: string): ManifestDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  if (!Array.isArray(docs)) return []; // an empty stream
  return docs.map((doc, index) => {
    const first = doc.errors[0];
    if (first) {
      const line = lineAt(text, first.pos[0]);
      throw new InputError(
        `invalid YAML: ${source}, document ${index}${line ? ` line ${line}` : ""}: ${first.code} (fix the syntax and retry)`,
        { code: "InvalidYAML" },
      );
    }
    return { index, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  });
}

/** 1-based line number of character offset `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
