/**
 * Minimal DER encoding of X.509 v3 certificates (RFC 5280 §4.1) signed with ECDSA P-256 via
 * node:crypto, so the test server's CA and serving certificate take milliseconds to make
 * (node-forge only signs with RSA, whose key generation costs hundreds of milliseconds).
 */
import { createHash, sign, type KeyObject } from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, c: Buffer): Buffer => tlv(0xa0 + n, c);
const bitString = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);

function integer(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && ((v[1] ?? 0) & 0x80) === 0) v = v.subarray(1);
  if (((v[0] ?? 0) & 0x80) !== 0) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [(parts[0] ?? 0) * 40 + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const stack: number[] = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) stack.unshift((v & 0x7f) | 0x80);
    out.push(...stack);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return tlv(0x17, Buffer.from(s, "ascii"));
}

function name(cn: string): Buffer {
  return seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn, "utf8")))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function keyId(spkiDer: Buffer): Buffer {
  return createHash("sha1").update(spkiDer).digest();
}

/** What goes into one certificate. */
export interface CertificateSpec {
  subjectCN: string;
  issuerCN: string;
  serial: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the certified key. */
  subjectSpki: Buffer;
  /** DER SubjectPublicKeyInfo of the signing key (for the authority key identifier). */
  issuerSpki: Buffer;
  /** ECDSA P-256 private key of the issuer. */
  issuerKey: KeyObject;
  ca: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
}

/** Encodes and signs a certificate; returns PEM. */
export function makeCertificate(c: CertificateSpec): string {
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const exts: Buffer[] = [
    extension("2.5.29.19", true, c.ca ? seq(bool(true)) : seq()),
    // keyUsage: CA = digitalSignature|keyCertSign|cRLSign; leaf = digitalSignature.
    extension("2.5.29.15", true, c.ca ? bitString(Buffer.from([0x86]), 1) : bitString(Buffer.from([0x80]), 7)),
    extension("2.5.29.14", false, octets(keyId(c.subjectSpki))),
  ];
  if (!c.ca) {
    exts.push(extension("2.5.29.35", false, seq(tlv(0x80, keyId(c.issuerSpki)))));
    exts.push(extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"))));
    const alt = [
      ...(c.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d, "ascii"))),
      ...(c.ipAddresses ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split(".").map(Number)))),
    ];
    exts.push(extension("2.5.29.17", false, seq(...alt)));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(c.serial),
    ecdsaSha256,
    name(c.issuerCN),
    seq(utcTime(c.notBefore), utcTime(c.notAfter)),
    name(c.subjectCN),
    c.subjectSpki,
    explicit(3, seq(...exts)),
  );
  const signature = sign("sha256", tbs, c.issuerKey);
  const der = seq(tbs, ecdsaSha256, bitString(signature));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
