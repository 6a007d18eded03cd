/**
 * Request bodies that hold one JSON or YAML document (a SealedSecret sent to `/v1/verify` or
 * `/v1/rotate`), parsed with limits that hold before any expensive work: one linear pass over
 * the bytes measures nesting (flow `[`/`{` outside strings, and YAML block indentation) and
 * refuses what is too deep, so that neither the JSON nor the YAML parser ever sees a nesting bomb.
 * JSON goes to `JSON.parse` (fast); YAML, whose parser is about a hundred times slower, has its
 * own smaller size cap.
 */
import { parse as parseYaml } from "yaml";

/** Nesting and size limits of a document body. */
export interface DocumentLimits {
  /** Deepest accepted nesting of `[` / `{` (and of YAML block indentation levels). Default 64. */
  maxDepth?: number;
  /** Largest YAML body (JSON bodies are bounded only by the server's body limit). Default 1 MiB. */
  maxYamlBytes?: number;
  /** Widest accepted YAML line indentation, in columns. Default 256. */
  maxIndent?: number;
}

/** The parsed document, or why the body was refused (status and a one-line message with no body content). */
export type DocumentResult = { ok: true; doc: unknown } | { ok: false; status: 400 | 413; message: string };

/** The syntax a body is written in, or why its shape is refused. */
type ScanResult = { ok: true; syntax: "json" | "yaml" } | { ok: false; message: string };

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const OPEN_SQUARE = 0x5b;
const CLOSE_SQUARE = 0x5d;
const OPEN_CURLY = 0x7b;
const CLOSE_CURLY = 0x7d;
const DASH = 0x2d;
const QUESTION = 0x3f;

/** Bytes after which a quote opens a string (a quote inside a plain scalar, as in `it's`, does not). */
function opensToken(prev: number): boolean {
  return prev === -1 || prev === SPACE || prev === TAB || prev === LF || prev === CR || prev === OPEN_SQUARE || prev === OPEN_CURLY || prev === 0x2c || prev === 0x3a || prev === DASH || prev === QUESTION;
}

/**
 * One pass over `body`: the deepest flow nesting outside quoted strings and comments, and the
 * widest YAML line prefix (indentation plus `- ` / `? ` indicators, each a block level).
 * Iterative, so no input can exhaust the stack.
 */
function scanShape(body: Buffer, maxDepth: number, maxIndent: number): ScanResult {
  let i = 0;
  while (i < body.length && (body[i] === SPACE || body[i] === TAB || body[i] === LF || body[i] === CR)) i++;
  const syntax = body[i] === OPEN_CURLY || body[i] === OPEN_SQUARE ? "json" : "yaml";
  let depth = 0;
  let prev = -1;
  let lineStart = true;
  let prefix = 0;
  for (; i < body.length; i++) {
    const c = body[i]!;
    if (lineStart && syntax === "yaml") {
      if (c === SPACE || c === TAB || ((c === DASH || c === QUESTION) && (body[i + 1] === SPACE || body[i + 1] === LF))) {
        prefix++;
        if (prefix > maxIndent) return { ok: false, message: `a YAML line is indented more than ${maxIndent} columns (at byte ${i})` };
        prev = c;
        continue;
      }
      lineStart = false;
    }
    if (c === LF) {
      lineStart = true;
      prefix = 0;
    } else if (c === DQUOTE && opensToken(prev)) {
      for (i++; i < body.length && body[i] !== DQUOTE; i++) if (body[i] === BACKSLASH) i++;
    } else if (c === SQUOTE && syntax === "yaml" && opensToken(prev)) {
      for (i++; i < body.length; i++) {
        if (body[i] !== SQUOTE) continue;
        if (body[i + 1] === SQUOTE) i++;
        else break;
      }
    } else if (c === HASH && syntax === "yaml" && (prev === -1 || prev === SPACE || prev === TAB || prev === LF)) {
      while (i + 1 < body.length && body[i + 1] !== LF) i++;
    } else if (c === OPEN_SQUARE || c === OPEN_CURLY) {
      depth++;
      if (depth > maxDepth) return { ok: false, message: `the document nests deeper than ${maxDepth} levels (at byte ${i})` };
    } else if ((c === CLOSE_SQUARE || c === CLOSE_CURLY) && depth > 0) {
      depth--;
    }
    prev = c;
  }
  return { ok: true, syntax };
}

/**
 * Parses `body` as one JSON or YAML document within `limits`. The nesting check runs first and
 * costs one pass over the bytes; a refused body is never handed to a parser.
 * Never throws: a malformed or refused body is `{ ok: false }` with status 400 (or 413 for a
 * YAML body over its size cap).
 */
export function parseDocumentBody(body: Buffer, limits: DocumentLimits = {}): DocumentResult {
  const maxDepth = limits.maxDepth ?? 64;
  const shape = scanShape(body, maxDepth, limits.maxIndent ?? 256);
  if (!shape.ok) return { ok: false, status: 400, message: `${shape.message} (send one SealedSecret)` };
  const maxYaml = limits.maxYamlBytes ?? 1024 * 1024;
  if (shape.syntax === "json") {
    try {
      return { ok: true, doc: JSON.parse(body.toString("utf8")) as unknown };
    } catch {
      // YAML flow syntax (`{a: 1}`) is not JSON: the YAML parser may take it, within its cap.
      if (body.length > maxYaml) return { ok: false, status: 400, message: "the body is not valid JSON (send one SealedSecret as JSON or YAML)" };
    }
  }
  if (body.length > maxYaml) {
    return { ok: false, status: 413, message: `a YAML body over ${maxYaml} bytes is not accepted (send it as JSON, e.g. kubeseal -o json, or yq -o json)` };
  }
  try {
    return { ok: true, doc: parseYaml(body.toString("utf8"), { maxAliasCount: 100 }) as unknown };
  } catch {
    return { ok: false, status: 400, message: "the body is not JSON or YAML (send one SealedSecret)" };
  }
}
