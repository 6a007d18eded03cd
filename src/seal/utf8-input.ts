/**
 * Manifest bytes to text, refusing invalid UTF-8 as the API server does: decoding it leniently
 * would turn the bad bytes into U+FFFD, so the sealed value would silently differ from the file.
 * The error names the file, the document and the key (or field) holding the bad bytes.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import { InputError } from "../errors.js";

// ignoreBOM: a BOM stays in the text, as Buffer#toString keeps it.
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Byte offset of the first invalid UTF-8 sequence in `bytes`, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= bytes.length) return i;
    let cp = b & (0xff >> (need + 2));
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** The dotted path of the deepest map entry whose value holds character `offset`, or "". */
function pathAt(node: Node | null | undefined, offset: number, prefix: string): string {
  if (!node) return prefix;
  if (isMap(node)) {
    for (const pair of node.items) {
      const value = pair.value as Node | null;
      const key = isScalar(pair.key) ? String(pair.key.value) : "?";
      const keyRange = (pair.key as Node | null)?.range;
      if (keyRange && offset >= keyRange[0] && offset < keyRange[1]) return prefix ? `${prefix}.${key}` : key;
      if (value?.range && offset >= value.range[0] && offset < value.range[2]) return pathAt(value, offset, prefix ? `${prefix}.${key}` : key);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const r = (item as Node | null)?.range;
      if (r && offset >= r[0] && offset < r[2]) prefix = pathAt(item as Node, offset, `${prefix}[${i}]`);
    });
  }
  return prefix;
}

/**
 * Decodes manifest bytes as UTF-8.
 * @throws InputError naming `source`, the document and key when the bytes are not valid UTF-8.
 */
export function decodeManifest(bytes: Buffer, source: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, Math.max(at, 0)).toString("utf8");
    const line = before.split("\n").length;
    const text = bytes.toString("utf8");
    let where = `${source} line ${line}`;
    try {
      const docs = parseAllDocuments(text);
      const list = Array.isArray(docs) ? docs : [docs];
      const index = list.findIndex((doc) => doc.range[0] <= before.length && before.length < doc.range[2]);
      const doc = list[index];
      if (doc) {
        const path = pathAt(doc.contents as Node | null, before.length, "");
        const field = /^(stringData|data)\.(.+)$/.exec(path);
        where = `${source}, document ${index}, ${field ? `${field[1]} key "${field[2]}"` : path ? `field ${path}` : "outside any field"} (line ${line})`;
      }
    } catch {
      // keep the line number alone
    }
    throw new InputError(`invalid UTF-8: ${where} (the API server refuses it; save the file as UTF-8, or put binary values base64-encoded under data)`, { code: "InvalidUTF8" });
  }
}
