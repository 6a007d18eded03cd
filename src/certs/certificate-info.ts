/**
 * What sealbridge reads from a certificate (node:crypto X509Certificate): subject, SANs, issuer,
 * validity, serial, fingerprint. Pure apart from parsing; no key material is ever read.
 */
import { X509Certificate } from "node:crypto";
import { readDerCertificate } from "./der.js";
import { parsePem } from "./pem.js";

/** The fields of one certificate that checks and outputs use. */
export interface CertificateInfo {
  /** RFC 2253-like one-line subject, e.g. `CN=www.example.test, O=Example`. */
  subject: string;
  commonName?: string;
  issuer: string;
  /** DNS names and IP addresses from subjectAltName, in order. */
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  serialNumber: string;
  /** SHA-256 fingerprint, `AB:CD:…`: identifies "the same certificate". */
  fingerprint256: string;
  isCA: boolean;
}

/** A parsed PEM chain: certificates in file order (the leaf first by convention). */
export interface ParsedChain {
  infos: CertificateInfo[];
  /** The encoded issuer and subject Names of each certificate (null when read by X509Certificate). */
  names: Array<{ issuer: Buffer; subject: Buffer } | null>;
  /** Blocks that were not certificates or did not parse, one message each. */
  problems: string[];
  /** node:crypto certificates, built on first use (signature and hostname checks). */
  x509s(): X509Certificate[];
}

function oneLine(dn: string): string {
  return dn.split("\n").filter(Boolean).join(", ");
}

function sanList(san: string | undefined, prefix: string): string[] {
  if (san === undefined) return [];
  return san
    .split(/,\s*/)
    .filter((part) => part.startsWith(prefix))
    .map((part) => part.slice(prefix.length));
}

/** Reads the fields of one parsed certificate. */
export function certificateInfo(cert: X509Certificate): CertificateInfo {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1];
  const info: CertificateInfo = {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    dnsNames: sanList(cert.subjectAltName, "DNS:"),
    ipAddresses: sanList(cert.subjectAltName, "IP Address:"),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    isCA: cert.ca,
  };
  if (cn !== undefined) info.commonName = cn;
  return info;
}

/**
 * Parses every CERTIFICATE block of PEM text. Other blocks (keys) are skipped without reading;
 * an unparsable certificate is a problem, not an exception. Fields come from the cheap DER
 * reader (der.ts) and from X509Certificate only when it cannot read them.
 */
export function parseCertificateChain(pem: string): ParsedChain {
  const { blocks, problems } = parsePem(pem);
  const ders: Buffer[] = [];
  const infos: CertificateInfo[] = [];
  const names: ParsedChain["names"] = [];
  const built = new Map<number, X509Certificate>();
  const out: string[] = [...problems];
  let index = 0;
  for (const block of blocks) {
    if (block.label !== "CERTIFICATE" && block.label !== "X509 CERTIFICATE" && block.label !== "TRUSTED CERTIFICATE") continue;
    index++;
    const fast = readDerCertificate(block.der);
    if (fast) {
      const info: CertificateInfo = {
        subject: oneLine(fast.subject),
        issuer: oneLine(fast.issuer),
        dnsNames: fast.dnsNames,
        ipAddresses: fast.ipAddresses,
        notBefore: fast.notBefore,
        notAfter: fast.notAfter,
        serialNumber: fast.serialNumber,
        fingerprint256: fast.fingerprint256,
        isCA: fast.isCA,
      };
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(fast.subject)?.[1];
      if (cn !== undefined) info.commonName = cn;
      infos.push(info);
      names.push({ issuer: fast.issuerRaw, subject: fast.subjectRaw });
      ders.push(block.der);
      continue;
    }
    try {
      const cert = new X509Certificate(block.der);
      built.set(ders.length, cert);
      infos.push(certificateInfo(cert));
      names.push(null);
      ders.push(block.der);
    } catch {
      out.push(`certificate ${index} is not a valid X.509 certificate`);
    }
  }
  if (blocks.length === 0 && problems.length === 0) out.push("no PEM block found");
  else if (ders.length === 0 && out.length === 0) out.push("no CERTIFICATE block found");
  let all: X509Certificate[] | undefined;
  return {
    infos,
    names,
    problems: out,
    x509s: () => (all ??= ders.map((der, i) => built.get(i) ?? new X509Certificate(der))),
  };
}
