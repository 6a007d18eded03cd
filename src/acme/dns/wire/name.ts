/**
 * Domain names on the DNS wire (RFC 1035 §3.1, §4.1.4): encoding without compression, strict
 * decoding that follows compression pointers only backwards and refuses loops, over-long labels
 * and names, and truncated input.
 */
import { DnsWireError } from "./wire-error.js";

const MAX_LABEL = 63;
const MAX_NAME = 255;

/** The name in canonical form: lowercase, no trailing dot, "" for the root. */
export function canonicalName(name: string): string {
  return name.replace(/\.$/, "").toLowerCase();
}

/** The labels of `name` ("" or "." is the root, no labels). @throws DnsWireError on an empty or over-long label. */
export function nameLabels(name: string): string[] {
  const trimmed = name.replace(/\.$/, "");
  if (trimmed === "") return [];
  const labels = trimmed.split(".");
  for (const label of labels) {
    if (label.length === 0) throw new DnsWireError(`empty label in domain name "${name}"`);
    if (Buffer.byteLength(label, "latin1") > MAX_LABEL) throw new DnsWireError(`label longer than ${MAX_LABEL} bytes in domain name "${name}"`);
  }
  return labels;
}

/**
 * The wire form of `name` (uncompressed), lowercased when `canonical` (RFC 4034 §6.2, for TSIG).
 * @throws DnsWireError when a label is empty or too long or the name exceeds 255 bytes.
 */
export function encodeName(name: string, canonical = false): Buffer {
  const parts: Buffer[] = [];
  for (const label of nameLabels(canonical ? name.toLowerCase() : name)) {
    const bytes = Buffer.from(label, "latin1");
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const out = Buffer.concat(parts);
  if (out.length > MAX_NAME) throw new DnsWireError(`domain name longer than ${MAX_NAME} bytes: "${name.slice(0, 40)}…"`);
  return out;
}

/**
 * Reads the name at `offset` of `message`.
 * @returns the name (no trailing dot, "" for the root) and the offset just after it in place.
 * @throws DnsWireError on truncation, a forward or looping pointer, a reserved label type, or a name over 255 bytes.
 */
export function decodeName(message: Uint8Array, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let position = offset;
  let next = -1;
  let length = 1;
  let jumps = 0;
  for (;;) {
    const len = message[position];
    if (len === undefined) throw new DnsWireError(`domain name at byte ${offset} runs past the end of the message`);
    if ((len & 0xc0) === 0xc0) {
      const low = message[position + 1];
      if (low === undefined) throw new DnsWireError(`compression pointer at byte ${position} is truncated`);
      const target = ((len & 0x3f) << 8) | low;
      // Pointers must point backwards (to an earlier name), which also rules out loops.
      if (target >= position || ++jumps > 127) throw new DnsWireError(`compression pointer at byte ${position} does not point to an earlier name`);
      if (next === -1) next = position + 2;
      position = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsWireError(`reserved label type 0x${len.toString(16)} at byte ${position}`);
    if (len === 0) {
      if (next === -1) next = position + 1;
      break;
    }
    if (position + 1 + len > message.length) throw new DnsWireError(`label at byte ${position} runs past the end of the message`);
    length += len + 1;
    if (length > MAX_NAME) throw new DnsWireError(`domain name at byte ${offset} is longer than ${MAX_NAME} bytes`);
    labels.push(Buffer.from(message.subarray(position + 1, position + 1 + len)).toString("latin1"));
    position += 1 + len;
  }
  return { name: labels.join("."), next };
}
