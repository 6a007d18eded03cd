/**
 * DNS messages on the wire (RFC 1035 §4.1; UPDATE's sections per RFC 2136 §2): header with
 * flags, the question (UPDATE: zone) section and three record sections. Decoding is strict: the
 * counts must match, every record must parse, and nothing may follow the last record.
 */
import { decodeName, encodeName } from "./name.js";
import { decodeRdata, encodeRdata, rdataTypeCode, type ResourceRecord } from "./record.js";
import { DnsWireError } from "./wire-error.js";

/** Operation codes (RFC 1035, RFC 2136). */
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;

/** Response codes (RFC 1035, RFC 2136 §2.2) and the TSIG errors carried in the TSIG record (RFC 8945 §3). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

/** The name of response code `code`, e.g. `REFUSED`, or `RCODE<n>` for one not listed. */
export function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(RCODE)) if (value === code) return name;
  return `RCODE${code}`;
}

/** The header flags. */
export interface DnsFlags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
}

/** One question (UPDATE: the zone). */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** A DNS message; for UPDATE the sections are zone, prerequisite, update and additional. */
export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** The wire form of one record (names uncompressed). @throws DnsWireError when a value does not fit. */
export function encodeRecord(rr: ResourceRecord): Buffer {
  const data = encodeRdata(rr.rdata);
  if (data.length > 0xffff) throw new DnsWireError("record data longer than 65535 bytes");
  const ttl = Buffer.alloc(4);
  ttl.writeUInt32BE(rr.ttl);
  return Buffer.concat([encodeName(rr.name), u16(rdataTypeCode(rr.rdata)), u16(rr.class), ttl, u16(data.length), data]);
}

function encodeFlags(f: DnsFlags): number {
  return (
    (f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x0400 : 0) | (f.tc ? 0x0200 : 0) | (f.rd ? 0x0100 : 0) | (f.ra ? 0x0080 : 0) | (f.rcode & 0xf)
  );
}

/** The wire form of `message` (no compression). @throws DnsWireError when a name or value does not fit. */
export function encodeMessage(message: DnsMessage): Buffer {
  const sections = [message.questions, message.answers, message.authorities, message.additionals];
  for (const s of sections) if (s.length > 0xffff) throw new DnsWireError("more than 65535 entries in a section");
  return Buffer.concat([
    u16(message.id),
    u16(encodeFlags(message.flags)),
    ...sections.map((s) => u16(s.length)),
    ...message.questions.map((q) => Buffer.concat([encodeName(q.name), u16(q.type), u16(q.class)])),
    ...[message.answers, message.authorities, message.additionals].flatMap((s) => s.map(encodeRecord)),
  ]);
}

/** Where each record of a decoded message starts and ends (for TSIG, which signs the bytes before its record). */
export interface DecodedMessage {
  message: DnsMessage;
  /** Byte offset at which the last additional record starts (the TSIG record's position), or -1. */
  lastAdditionalOffset: number;
}

/**
 * Decodes a whole message.
 * @throws DnsWireError when it is shorter than its header and counts say, has a malformed
 * record, or has bytes after the last record.
 */
export function decodeMessage(bytes: Uint8Array): DecodedMessage {
  if (bytes.length < 12) throw new DnsWireError(`message of ${bytes.length} bytes is shorter than a DNS header`);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const raw = view.readUInt16BE(2);
  const flags: DnsFlags = {
    qr: (raw & 0x8000) !== 0,
    opcode: (raw >> 11) & 0xf,
    aa: (raw & 0x0400) !== 0,
    tc: (raw & 0x0200) !== 0,
    rd: (raw & 0x0100) !== 0,
    ra: (raw & 0x0080) !== 0,
    rcode: raw & 0xf,
  };
  const counts = [view.readUInt16BE(4), view.readUInt16BE(6), view.readUInt16BE(8), view.readUInt16BE(10)] as const;
  let position = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]; i++) {
    const { name, next } = decodeName(bytes, position);
    if (next + 4 > bytes.length) throw new DnsWireError(`question ${i + 1} is truncated`);
    questions.push({ name, type: view.readUInt16BE(next), class: view.readUInt16BE(next + 2) });
    position = next + 4;
  }
  let lastAdditionalOffset = -1;
  const readSection = (count: number, section: string, additional: boolean): ResourceRecord[] => {
    const out: ResourceRecord[] = [];
    for (let i = 0; i < count; i++) {
      if (additional && i === count - 1) lastAdditionalOffset = position;
      const { name, next } = decodeName(bytes, position);
      if (next + 10 > bytes.length) throw new DnsWireError(`${section} record ${i + 1} (${name || "."}) is truncated`);
      const type = view.readUInt16BE(next);
      const rrClass = view.readUInt16BE(next + 2);
      const ttl = view.readUInt32BE(next + 4);
      const length = view.readUInt16BE(next + 8);
      const start = next + 10;
      if (start + length > bytes.length) throw new DnsWireError(`${section} record ${i + 1} (${name || "."}) data runs past the end of the message`);
      out.push({ name, class: rrClass, ttl, rdata: decodeRdata(bytes, type, start, start + length) });
      position = start + length;
    }
    return out;
  };
  const answers = readSection(counts[1], "answer", false);
  const authorities = readSection(counts[2], "authority", false);
  const additionals = readSection(counts[3], "additional", true);
  if (position !== bytes.length) throw new DnsWireError(`${bytes.length - position} bytes follow the last record`);
  return { message: { id: view.readUInt16BE(0), flags, questions, answers, authorities, additionals }, lastAdditionalOffset };
}
