/**
 * ESO's property lookup for the Vault provider (`getSecretValue`): no property gives the whole
 * secret as JSON, an exact top-level key wins, otherwise the property is a gjson path (`a.b`,
 * `list.0`, `list.#`, `a\.b` for a key holding a dot, `*`/`?` wildcards).
 * Values come out as ESO renders them: strings as is, other values JSON-encoded the way Go's
 * encoding/json does (sorted keys, `<`, `>`, `&` escaped).
 */
import { InputError } from "../errors.js";

/** JSON value as decoded from Vault. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const GO_ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029" };

/** Encodes `value` exactly as Go's `json.Marshal` would (map keys sorted, HTML characters escaped). */
export function goJson(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
  if (typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${goString(k)}:${goJson(value[k])}`).join(",")}}`;
  }
  if (typeof value === "string") return goString(value);
  return JSON.stringify(value);
}

function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c);
}

/** How ESO turns one value of the map into Secret bytes (`GetByteValueFromMap`). */
export function valueBytes(value: JsonValue | undefined): Buffer {
  if (typeof value === "string") return Buffer.from(value, "utf8");
  if (value === null || value === undefined) return Buffer.alloc(0);
  return Buffer.from(goJson(value), "utf8");
}

/** gjson's `Result.String()`: strings raw, integers raw, JSON values re-encoded, null empty. */
function gjsonString(value: JsonValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return goJson(value);
}

function splitPath(path: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "\\" && i + 1 < path.length) {
      current += path[i + 1];
      i++;
    } else if (c === ".") {
      parts.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function wildcardRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "s");
}

/**
 * Evaluates a gjson path over `data`.
 * @returns undefined when the path matches nothing.
 * @throws InputError for gjson features sealbridge does not implement (queries `#(...)`, modifiers `@…`).
 */
export function gjsonGet(data: JsonValue, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = data;
  for (const part of splitPath(path)) {
    if (current === undefined) return undefined;
    if (part.startsWith("@") || part.startsWith("#(") || part.includes("|")) {
      throw new InputError(`unsupported property syntax "${part}": gjson path (use plain keys, indexes, # or wildcards)`, {
        code: "UnsupportedProperty",
      });
    }
    if (Array.isArray(current)) {
      if (part === "#") {
        current = current.length;
      } else if (/^\d+$/.test(part)) {
        current = current[Number(part)];
      } else {
        return undefined;
      }
    } else if (current !== null && typeof current === "object") {
      const obj: { [key: string]: JsonValue } = current;
      if (/[*?]/.test(part)) {
        const re = wildcardRegExp(part);
        const match = Object.keys(obj).find((k) => re.test(k));
        current = match === undefined ? undefined : obj[match];
      } else {
        current = Object.hasOwn(obj, part) ? obj[part] : undefined;
      }
    } else {
      return undefined;
    }
  }
  return current;
}

/**
 * The bytes ESO puts into a Secret for `property` of a secret's `data`.
 * @returns null when the property does not exist (ESO: "cannot find secret data for key").
 * @throws InputError for unsupported gjson syntax.
 */
export function propertyValue(data: { [key: string]: JsonValue }, property: string | undefined): Buffer | null {
  if (property === undefined || property === "") return Buffer.from(goJson(data), "utf8");
  if (Object.hasOwn(data, property)) return valueBytes(data[property]);
  const found = gjsonGet(data, property);
  if (found === undefined) return null;
  return Buffer.from(gjsonString(found), "utf8");
}

/**
 * ESO's `GetSecretMap` (dataFrom.extract): the value at `property` (or the whole secret) must be
 * a JSON object; each of its keys becomes a Secret key.
 * @returns null when the property does not exist.
 * @throws InputError when the value is not a JSON object (the condition names the key, never the value).
 */
export function extractMap(data: { [key: string]: JsonValue }, property: string | undefined, where: string): Map<string, Buffer> | null {
  const raw = propertyValue(data, property);
  if (raw === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`value is not a JSON object: ${where} (dataFrom.extract needs a secret or property holding key/value pairs)`, {
      code: "NotJsonObject",
    });
  }
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(parsed as Record<string, JsonValue>)) out.set(k, valueBytes(v));
  return out;
}
