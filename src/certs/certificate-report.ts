/**
 * One certificate checked: where it came from, what it is, and its judgement. Built by
 * {@link checkCertificate} from loaded PEM text (pure; sources are read by the CLI or the
 * controller) and rendered by the CLI, the gauges, status and alerts alike.
 */
import { X509Certificate } from "node:crypto";
import { parseCertificateChain, type CertificateInfo, type ParsedChain } from "./certificate-info.js";
import { judgeCertificate, type CertState, type IssuanceFailure, type Severity } from "./certificate-state.js";
import { verifyChain, verifyHostname } from "./chain.js";
import type { Thresholds } from "./thresholds.js";

/** Where a certificate was found. */
export interface CertificateSourceRef {
  kind: "Secret" | "ConfigMap" | "Endpoint" | "File" | "Certificate";
  namespace?: string;
  name: string;
  /** The data key (Secret/ConfigMap) or `host:port` (Endpoint). */
  key?: string;
}

/** A certificate to check, as loaded. */
export interface CertificateInput {
  source: CertificateSourceRef;
  /** PEM text; undefined when loading failed (then `problems` says why). */
  pem?: string;
  problems?: string[];
  /** Trust bundle (PEM); when absent only the links inside the chain are verified. */
  bundlePem?: string;
  /** A name the certificate must cover (an endpoint's SNI or host). */
  hostname?: string;
  /** OpenSSL's verdict for a served chain (endpoints). */
  authorizationError?: string;
  renewalTime?: Date;
  issuanceFailure?: IssuanceFailure;
  staleServing?: string;
}

/** The result for one certificate (the leaf of its chain). */
export interface CertificateReport {
  source: CertificateSourceRef;
  subject?: string;
  issuer?: string;
  dnsNames?: string[];
  notBefore?: string;
  notAfter?: string;
  renewalTime?: string;
  serialNumber?: string;
  fingerprint256?: string;
  daysLeft?: number;
  state: CertState;
  severity: Severity;
  message: string;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Checks that each certificate of the chain names the next as its issuer (order and
 * completeness; without a trust bundle there is nothing to verify signatures up to).
 */
function verifyLinks(chain: ParsedChain): string | null {
  for (let i = 0; i + 1 < chain.infos.length; i++) {
    const child = chain.names[i];
    const parent = chain.names[i + 1];
    const linked = child && parent ? child.issuer.equals(parent.subject) : (chain.x509s()[i] as X509Certificate).checkIssued(chain.x509s()[i + 1] as X509Certificate);
    if (!linked) return `certificate ${i + 2} of the chain did not issue certificate ${i + 1} (put the chain in order: leaf first, then its issuers)`;
  }
  return null;
}

/** What parsing and verifying a certificate found; independent of the time of judgement. */
export interface Inspection {
  info?: CertificateInfo;
  problems: string[];
}

/**
 * Parses the PEM and verifies chain and hostname. Expiry is not a problem here (the judgement
 * decides it at its own `now`), so an inspection can be kept and judged again later.
 */
export function inspectCertificate(input: CertificateInput): Inspection {
  const problems = [...(input.problems ?? [])];
  let info: CertificateInfo | undefined;
  if (input.pem !== undefined) {
    const parsed = parseCertificateChain(input.pem);
    problems.push(...parsed.problems);
    info = parsed.infos[0];
    if (info !== undefined) {
      if (input.bundlePem !== undefined) {
        const roots = parseCertificateChain(input.bundlePem);
        if (roots.infos.length === 0) problems.push(`the trust bundle has no certificate (${roots.problems.join("; ")})`);
        else {
          // Checked at the leaf's own start, so only trust (not time) decides here.
          const broken = verifyChain(parsed.x509s(), roots.x509s(), info.notBefore);
          if (broken !== null && !broken.includes("expired at") && !broken.includes("not valid before")) problems.push(`chain not trusted: ${broken}`);
        }
      } else if (input.authorizationError !== undefined && input.authorizationError !== "CERT_HAS_EXPIRED") {
        problems.push(`chain not trusted: ${input.authorizationError}`);
      } else {
        const broken = verifyLinks(parsed);
        if (broken !== null) problems.push(broken);
      }
      if (input.hostname !== undefined) {
        const mismatch = verifyHostname(parsed.x509s()[0] as X509Certificate, input.hostname);
        if (mismatch !== null) problems.push(mismatch);
      }
    }
  }
  return info === undefined ? { problems } : { info, problems };
}

/** Judges an inspection at `now` into a report. Never throws. */
export function reportFor(input: CertificateInput, inspection: Inspection, thresholds: Thresholds, now: Date): CertificateReport {
  const info = inspection.info;
  const judged = judgeCertificate(
    {
      ...(info === undefined ? {} : { cert: info }),
      problems: inspection.problems,
      ...(input.renewalTime === undefined ? {} : { renewalTime: input.renewalTime }),
      ...(input.issuanceFailure === undefined ? {} : { issuanceFailure: input.issuanceFailure }),
      ...(input.staleServing === undefined ? {} : { staleServing: input.staleServing }),
      thresholds,
    },
    now,
  );
  const report: CertificateReport = { source: input.source, state: judged.state, severity: judged.severity, message: judged.message };
  if (info !== undefined) {
    report.subject = info.subject;
    report.issuer = info.issuer;
    report.dnsNames = [...info.dnsNames, ...info.ipAddresses];
    report.notBefore = iso(info.notBefore);
    report.notAfter = iso(info.notAfter);
    report.serialNumber = info.serialNumber;
    report.fingerprint256 = info.fingerprint256;
  }
  if (judged.renewalTime !== undefined) report.renewalTime = iso(judged.renewalTime);
  if (judged.daysLeft !== undefined) report.daysLeft = Math.floor(judged.daysLeft * 10) / 10;
  return report;
}

/** Checks one loaded certificate at `now` (inspect, then judge). Never throws. */
export function checkCertificate(input: CertificateInput, thresholds: Thresholds, now: Date): CertificateReport {
  return reportFor(input, inspectCertificate(input), thresholds, now);
}

/** Names a source in one line: `Secret web/www-tls[tls.crt]`, `Endpoint www.example.test:443`. */
export function describeSource(s: CertificateSourceRef): string {
  const nsName = s.namespace === undefined ? s.name : `${s.namespace}/${s.name}`;
  if (s.kind === "Endpoint" || s.kind === "File") return `${s.kind} ${s.key ?? s.name}`;
  return `${s.kind} ${nsName}${s.key === undefined ? "" : `[${s.key}]`}`;
}

/** The message without its relative part ("(35 days left)"), so it changes only when the facts do. */
export function stableMessage(message: string): string {
  return message.replace(/ \(\d+ (?:days|hours) (?:left|ago)\)/g, "");
}
