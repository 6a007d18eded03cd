import { parseAllDocuments, type Document } from "yaml";
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
    return { index, value: documentValue(doc, source, index) };
  });
}

/** How many alias expansions a document may make (yaml's default; a "billion laughs" needs far more). */
const MAX_ALIAS_COUNT = 100;

/**
 * The value of one parsed document, with yaml's alias-expansion limit turned into a clear error.
 * @throws InputError naming `source` and the document when the document expands too many aliases.
 */
export function documentValue(doc: Document.Parsed, source: string, index: number): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new InputError(`invalid YAML: ${source}, document ${index}: its aliases expand more than ${MAX_ALIAS_COUNT} times, as in a YAML alias bomb (write the values out instead of using * aliases)`, { cause: err, code: "InvalidYAML" });
    }
    throw err;
  }
}

/** 1-based line number of character offset `offset` in `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
