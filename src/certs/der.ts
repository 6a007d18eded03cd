/**
 * A minimal DER reader for the fields of an X.509 certificate that expiry checks need (RFC 5280
 * §4.1): serial, issuer, validity, subject, subjectAltName, basicConstraints. It is about ten
 * times cheaper than constructing node:crypto's X509Certificate, which matters when a cluster
 * has thousands of TLS Secrets; signatures are still verified with X509Certificate where a
 * trust bundle or hostname is checked. Returns null on anything unexpected (the caller then
 * falls back to X509Certificate), never throws.
 */
import { createHash } from "node:crypto";

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  pos: number;
  start: number;
  end: number;
  /** Offset after the whole element. */
  next: number;
}

function tlv(buf: Uint8Array, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos] as number;
  let len = buf[pos + 1] as number;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[p + i] as number);
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, pos, start: p, end: p + len, next: p + len };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let p = parent.start;
  while (p < parent.end) {
    const t = tlv(buf, p, parent.end);
    if (!t) return null;
    out.push(t);
    p = t.next;
  }
  return out;
}

function oid(buf: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    const b = buf[i] as number;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

function time(buf: Uint8Array, t: Tlv): Date | null {
  const s = Buffer.from(buf.subarray(t.start, t.end)).toString("latin1");
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : t.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : null;
  if (!m) return null;
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** OpenSSL's short names, as node:crypto prints them. */
const NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
};
// String types whose bytes print as they are (UTF8String, PrintableString, IA5String, T61String).
const PLAIN_STRINGS = new Set([0x0c, 0x13, 0x16, 0x14]);

/** Formats a Name as node:crypto does for plain names (`CN=x\nO=y`), or null for anything else. */
function name(buf: Uint8Array, t: Tlv): string | null {
  const rdns = children(buf, t);
  if (!rdns) return null;
  const lines: string[] = [];
  for (const rdn of rdns) {
    const atvs = children(buf, rdn);
    if (!atvs || atvs.length !== 1) return null;
    const parts = children(buf, atvs[0] as Tlv);
    if (!parts || parts.length !== 2) return null;
    const [type, value] = parts as [Tlv, Tlv];
    const short = NAMES[oid(buf, type)];
    if (short === undefined || !PLAIN_STRINGS.has(value.tag)) return null;
    const text = Buffer.from(buf.subarray(value.start, value.end)).toString(value.tag === 0x0c ? "utf8" : "latin1");
    // OpenSSL escapes these; leave such names to X509Certificate.
    if (/[,+"\\<>;=\n\r\u0000-\u001f\u007f-\uffff]/.test(text) || text.startsWith(" ") || text.startsWith("#") || text.endsWith(" ")) return null;
    lines.push(`${short}=${text}`);
  }
  return lines.join("\n");
}

/** The fields read from DER; `issuerRaw`/`subjectRaw` are the encoded Names (for chain links). */
export interface DerCertificate {
  subject: string;
  issuer: string;
  subjectRaw: Buffer;
  issuerRaw: Buffer;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  isCA: boolean;
  fingerprint256: string;
}

function ip(bytes: Uint8Array): string | null {
  if (bytes.length === 4) return [...bytes].join(".");
  return null; // IPv6 formatting is left to X509Certificate
}

/** Reads a certificate's fields from DER. @returns null when the DER is not a plain certificate. */
export function readDerCertificate(der: Uint8Array): DerCertificate | null {
  const cert = tlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30 || cert.next !== der.length) return null;
  const top = children(der, cert);
  if (!top || top.length !== 3 || top[0]?.tag !== 0x30) return null;
  const tbs = children(der, top[0]);
  if (!tbs) return null;
  let i = 0;
  if (tbs[0]?.tag === 0xa0) i++;
  const serial = tbs[i];
  const issuer = tbs[i + 2];
  const validity = tbs[i + 3];
  const subject = tbs[i + 4];
  if (!serial || serial.tag !== 0x02 || !issuer || issuer.tag !== 0x30 || !validity || validity.tag !== 0x30 || !subject || subject.tag !== 0x30) return null;
  const times = children(der, validity);
  const notBefore = times?.[0] ? time(der, times[0]) : null;
  const notAfter = times?.[1] ? time(der, times[1]) : null;
  const subjectText = name(der, subject);
  const issuerText = name(der, issuer);
  if (!notBefore || !notAfter || subjectText === null || issuerText === null) return null;
  let serialBytes = Buffer.from(der.subarray(serial.start, serial.end));
  while (serialBytes.length > 1 && serialBytes[0] === 0) serialBytes = serialBytes.subarray(1);
  const out: DerCertificate = {
    subject: subjectText,
    issuer: issuerText,
    subjectRaw: Buffer.from(der.subarray(subject.pos, subject.end)),
    issuerRaw: Buffer.from(der.subarray(issuer.pos, issuer.end)),
    serialNumber: serialBytes.toString("hex").toUpperCase(),
    notBefore,
    notAfter,
    dnsNames: [],
    ipAddresses: [],
    isCA: false,
    fingerprint256: (createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g) ?? []).join(":"),
  };
  const extsWrapper = tbs.find((t) => t.tag === 0xa3);
  if (extsWrapper) {
    const seq = children(der, extsWrapper)?.[0];
    const exts = seq ? children(der, seq) : null;
    if (!exts) return null;
    for (const ext of exts) {
      const parts = children(der, ext);
      if (!parts || parts.length < 2) return null;
      const id = oid(der, parts[0] as Tlv);
      const value = parts[parts.length - 1] as Tlv;
      if (value.tag !== 0x04) return null;
      const inner = tlv(der, value.start, value.end);
      if (!inner) return null;
      if (id === "2.5.29.17") {
        for (const gn of children(der, inner) ?? []) {
          const bytes = der.subarray(gn.start, gn.end);
          if (gn.tag === 0x82) out.dnsNames.push(Buffer.from(bytes).toString("latin1"));
          else if (gn.tag === 0x87) {
            const text = ip(bytes);
            if (text === null) return null;
            out.ipAddresses.push(text);
          } else return null; // other name forms: let X509Certificate describe them
        }
      } else if (id === "2.5.29.19") {
        const fields = children(der, inner) ?? [];
        out.isCA = fields[0]?.tag === 0x01 && der[fields[0].start] !== 0;
      }
    }
  }
  return out;
}

/**
 * The keyIdentifier of a certificate's Authority Key Identifier extension (RFC 5280 §4.2.1.1),
 * e.g. for its ACME Renewal Information identifier.
 * @returns null when the DER is not a certificate or has no such extension or keyIdentifier.
 */
export function authorityKeyIdentifier(der: Uint8Array): Buffer | null {
  const cert = tlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return null;
  const tbsTlv = children(der, cert)?.[0];
  const tbs = tbsTlv && tbsTlv.tag === 0x30 ? children(der, tbsTlv) : null;
  const extsWrapper = tbs?.find((t) => t.tag === 0xa3);
  const seq = extsWrapper ? children(der, extsWrapper)?.[0] : undefined;
  for (const ext of (seq ? children(der, seq) : null) ?? []) {
    const parts = children(der, ext);
    if (!parts || parts.length < 2 || oid(der, parts[0] as Tlv) !== "2.5.29.35") continue;
    const value = parts[parts.length - 1] as Tlv;
    const inner = value.tag === 0x04 ? tlv(der, value.start, value.end) : null;
    // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, … }
    const keyId = inner && inner.tag === 0x30 ? (children(der, inner) ?? []).find((c) => c.tag === 0x80) : undefined;
    return keyId ? Buffer.from(der.subarray(keyId.start, keyId.end)) : null;
  }
  return null;
}
