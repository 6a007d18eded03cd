/**
 * Resource records on the DNS wire: the record data types sealbridge reads or writes (A, AAAA,
 * NS, CNAME, SOA, TXT, TSIG), any other type kept as raw bytes, and the empty data of UPDATE's
 * delete forms (RFC 2136 §2.5). Decoding is strict: each record's data must be consumed exactly.
 */
import { isIP } from "node:net";
import { decodeName, encodeName } from "./name.js";
import { DnsWireError } from "./wire-error.js";

/** Record type codes (RFC 1035, 3596, 6891, 8945). */
export const RRTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, TXT: 16, AAAA: 28, OPT: 41, TSIG: 250, ANY: 255 } as const;
/** Record classes (RFC 1035, RFC 2136 §1.3). */
export const RRCLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

/** The data of one record, tagged by its type. */
export type Rdata =
  | { type: "A"; address: string }
  | { type: "AAAA"; address: string }
  | { type: "NS"; host: string }
  | { type: "CNAME"; target: string }
  | { type: "SOA"; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: "TXT"; strings: string[] }
  | { type: "TSIG"; algorithm: string; timeSigned: number; fudge: number; mac: Buffer; originalId: number; error: number; other: Buffer }
  /** A record with no data (RDLENGTH 0) of type `code`: UPDATE's "delete an RRset" and prerequisites. */
  | { type: "EMPTY"; code: number }
  /** Any other type, kept as bytes. */
  | { type: "RAW"; code: number; bytes: Buffer };

/** One resource record. */
export interface ResourceRecord {
  name: string;
  class: number;
  ttl: number;
  rdata: Rdata;
}

/** The numeric type of `rdata`. */
export function rdataTypeCode(rdata: Rdata): number {
  switch (rdata.type) {
    case "EMPTY":
    case "RAW":
      return rdata.code;
    default:
      return RRTYPE[rdata.type];
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** An IPv6 address in its shortest standard text form (RFC 5952), via the WHATWG URL parser. */
function normalizeV6(address: string): string {
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

function encodeAddress(address: string, family: 4 | 6): Buffer {
  if (isIP(address) !== family) throw new DnsWireError(`"${address}" is not an IPv${family} address`);
  if (family === 4) return Buffer.from(address.split(".").map(Number));
  const [head = "", tail = ""] = normalizeV6(address).split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = normalizeV6(address).includes("::") ? [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t] : h;
  return Buffer.concat(groups.map((g) => u16(parseInt(g, 16))));
}

function decodeAddress(bytes: Uint8Array, family: 4 | 6): string {
  if (family === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return normalizeV6(groups.join(":"));
}

/** The RDATA bytes of `rdata` (names uncompressed; canonical when `canonical`). @throws DnsWireError on values that do not fit. */
export function encodeRdata(rdata: Rdata, canonical = false): Buffer {
  switch (rdata.type) {
    case "A":
      return encodeAddress(rdata.address, 4);
    case "AAAA":
      return encodeAddress(rdata.address, 6);
    case "NS":
      return encodeName(rdata.host, canonical);
    case "CNAME":
      return encodeName(rdata.target, canonical);
    case "SOA":
      return Buffer.concat([
        encodeName(rdata.mname, canonical),
        encodeName(rdata.rname, canonical),
        ...[rdata.serial, rdata.refresh, rdata.retry, rdata.expire, rdata.minimum].map(u32),
      ]);
    case "TXT": {
      if (rdata.strings.length === 0) throw new DnsWireError("a TXT record needs at least one string");
      return Buffer.concat(
        rdata.strings.map((s) => {
          if (/[^\x00-\xff]/.test(s)) throw new DnsWireError("TXT strings must be bytes (characters up to U+00FF)");
          const bytes = Buffer.from(s, "latin1");
          if (bytes.length > 255) throw new DnsWireError("a TXT string is longer than 255 bytes (split it)");
          return Buffer.concat([Buffer.from([bytes.length]), bytes]);
        }),
      );
    }
    case "TSIG": {
      const time = Buffer.alloc(6);
      time.writeUIntBE(rdata.timeSigned, 0, 6);
      return Buffer.concat([
        encodeName(rdata.algorithm, true),
        time,
        u16(rdata.fudge),
        u16(rdata.mac.length),
        rdata.mac,
        u16(rdata.originalId),
        u16(rdata.error),
        u16(rdata.other.length),
        rdata.other,
      ]);
    }
    case "EMPTY":
      return Buffer.alloc(0);
    case "RAW":
      return rdata.bytes;
  }
}

/** A reader over one record's RDATA that refuses to run past it. */
class RdataReader {
  constructor(
    private readonly message: Uint8Array,
    private position: number,
    private readonly end: number,
  ) {}
  private need(n: number, what: string): void {
    if (this.position + n > this.end) throw new DnsWireError(`${what} runs past the end of its record data`);
  }
  name(): string {
    const { name, next } = decodeName(this.message.subarray(0, this.end), this.position);
    this.position = next;
    return name;
  }
  uint(bytes: 1 | 2 | 4 | 6, what: string): number {
    this.need(bytes, what);
    const value = Buffer.from(this.message.buffer, this.message.byteOffset, this.message.length).readUIntBE(this.position, bytes);
    this.position += bytes;
    return value;
  }
  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const out = Buffer.from(this.message.subarray(this.position, this.position + n));
    this.position += n;
    return out;
  }
  done(type: string): void {
    if (this.position !== this.end) throw new DnsWireError(`${type} record data has ${this.end - this.position} bytes left over`);
  }
  atEnd(): boolean {
    return this.position >= this.end;
  }
}

/**
 * Decodes the RDATA of a record of type `code` at `start..end` of `message` (names may point
 * back into the message).
 * @throws DnsWireError when the data is truncated, over-long or malformed for its type.
 */
export function decodeRdata(message: Uint8Array, code: number, start: number, end: number): Rdata {
  if (start === end) return { type: "EMPTY", code };
  const r = new RdataReader(message, start, end);
  let rdata: Rdata;
  switch (code) {
    case RRTYPE.A:
      rdata = { type: "A", address: decodeAddress(r.bytes(4, "A address"), 4) };
      break;
    case RRTYPE.AAAA:
      rdata = { type: "AAAA", address: decodeAddress(r.bytes(16, "AAAA address"), 6) };
      break;
    case RRTYPE.NS:
      rdata = { type: "NS", host: r.name() };
      break;
    case RRTYPE.CNAME:
      rdata = { type: "CNAME", target: r.name() };
      break;
    case RRTYPE.SOA:
      rdata = {
        type: "SOA",
        mname: r.name(),
        rname: r.name(),
        serial: r.uint(4, "SOA serial"),
        refresh: r.uint(4, "SOA refresh"),
        retry: r.uint(4, "SOA retry"),
        expire: r.uint(4, "SOA expire"),
        minimum: r.uint(4, "SOA minimum"),
      };
      break;
    case RRTYPE.TXT: {
      const strings: string[] = [];
      while (!r.atEnd()) strings.push(r.bytes(r.uint(1, "TXT string length"), "TXT string").toString("latin1"));
      rdata = { type: "TXT", strings };
      break;
    }
    case RRTYPE.TSIG: {
      const algorithm = r.name();
      const timeSigned = r.uint(6, "TSIG time");
      const fudge = r.uint(2, "TSIG fudge");
      const mac = r.bytes(r.uint(2, "TSIG MAC size"), "TSIG MAC");
      const originalId = r.uint(2, "TSIG original ID");
      const error = r.uint(2, "TSIG error");
      const other = r.bytes(r.uint(2, "TSIG other length"), "TSIG other data");
      rdata = { type: "TSIG", algorithm, timeSigned, fudge, mac, originalId, error, other };
      break;
    }
    default:
      rdata = { type: "RAW", code, bytes: r.bytes(end - start, "record data") };
  }
  r.done(rdata.type);
  return rdata;
}
