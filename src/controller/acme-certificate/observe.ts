/**
 * AcmeCertificate observe: reads the TLS Secret, the account key, the next key and the solver's
 * credential from the cache, asks the CA for its renewal window (ARI) and, when an issuance is
 * due or under way, takes exactly one order step. Everything it talks to comes in `deps`.
 */
import { X509Certificate } from "node:crypto";
import type { AcmeCertificate } from "../../api/acme-certificate.js";
import type { AcmeServer } from "../../acme/acme-server.js";
import type { DnsLookupConfig } from "../../acme/dns/authoritative.js";
import type { DnsProvider } from "../../acme/dns/provider.js";
import type { RenewalWindow } from "../../acme/ari.js";
import { parseDuration } from "../../duration.js";
import { AcmeProblemError } from "../../acme/acme-errors.js";
import { RemoteError } from "../../errors.js";
import { SECRETS } from "../../kube/resources.js";
import { secretKeyValue } from "../../kube/secret-content.js";
import type { ObserveContext } from "../runtime/kind.js";
import { issuanceNeed, nextKeySecretName, type AcmeObserved, type CurrentCertificate } from "./plan.js";
import { renewalTime } from "./renewal-time.js";

/** The adapters AcmeCertificate uses (built by the controller, fakes in tests). */
export interface AcmeDeps {
  acme(options: { directoryUrl: string; accountKeyPem: string; caPem?: string }): Promise<AcmeServer>;
  /** The solver's provider, its credential already read. */
  provider(dns01: AcmeCertificate["spec"]["dns01"], credential: string | undefined): DnsProvider;
  lookup(dns01: AcmeCertificate["spec"]["dns01"]): DnsLookupConfig;
  newPrivateKey(): Promise<string>;
  /** The CA's ARI window for the certificate, or null (no ARI). */
  renewalWindow(acme: AcmeServer, certPem: string): Promise<RenewalWindow | null>;
}

/** The first certificate of a PEM chain, parsed; null when there is none or it does not parse. */
function readCertificate(pem: string | undefined): CurrentCertificate | null {
  const first = pem?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  if (!first) return null;
  try {
    const x = new X509Certificate(first);
    const dnsNames = (x.subjectAltName ?? "").split(", ").flatMap((s) => (s.startsWith("DNS:") ? [s.slice(4)] : []));
    return { notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo), dnsNames };
  } catch {
    return null;
  }
}

function credentialRef(dns01: AcmeCertificate["spec"]["dns01"]): { name: string; key: string } | undefined {
  return dns01.rfc2136?.tsigSecretSecretRef ?? dns01.cloudflare?.apiTokenSecretRef ?? dns01.digitalocean?.tokenSecretRef;
}

/**
 * What the plan needs, having taken at most one ACME step.
 * @throws nothing for CA/DNS failures (they become `unreachable`, or `caError` when the CA answered
 * with a problem); only programming errors escape.
 */
export async function observeAcmeCertificate(ctx: ObserveContext, deps: AcmeDeps, cert: AcmeCertificate): Promise<AcmeObserved> {
  const ns = cert.metadata.namespace ?? "default";
  const secrets = ctx.cache(SECRETS);
  const get = (name: string) => secrets.get(`${ns}/${name}`);
  const now = ctx.clock.now();
  const tlsSecret = get(cert.spec.secretName) ?? null;
  const chainPem = secretKeyValue(tlsSecret, "tls.crt");
  const current = readCertificate(chainPem);
  const base: AcmeObserved = { tlsSecret, current, renewalTime: null };

  const accountRef = cert.spec.issuer.accountKeySecretRef;
  const accountKeyPem = secretKeyValue(get(accountRef.name), accountRef.key ?? "tls.key");
  if (!accountKeyPem) return { ...base, newAccountKeyPem: await deps.newPrivateKey() };
  const ref = credentialRef(cert.spec.dns01);
  const credential = ref ? secretKeyValue(get(ref.name), ref.key) : undefined;
  if (ref && credential === undefined) return { ...base, missing: `Secret ${ns}/${ref.name} key ${ref.key} (the DNS solver's credential) does not exist` };
  const caRef = cert.spec.issuer.caBundleSecretRef;
  const caPem = caRef ? secretKeyValue(get(caRef.name), caRef.key) : undefined;
  if (caRef && caPem === undefined) return { ...base, missing: `Secret ${ns}/${caRef.name} key ${caRef.key} (caBundleSecretRef) does not exist` };

  const acme = await deps.acme({ directoryUrl: cert.spec.issuer.directoryUrl, accountKeyPem, ...(caPem ? { caPem } : {}) });
  if (current && chainPem) {
    let window: RenewalWindow | null = null;
    try {
      window = await deps.renewalWindow(acme, chainPem);
    } catch {
      window = null; // ARI is advice: without it, renewBefore or 2/3 of the lifetime decides.
    }
    base.renewalTime = renewalTime(current, cert.spec.renewBefore ? parseDuration(cert.spec.renewBefore) : undefined, window ?? undefined);
  }

  const prev = cert.status ?? {};
  // An order for other names than the spec's now is abandoned; a new one starts.
  const order = prev.order && [...prev.order.dnsNames].sort().join() === [...cert.spec.dnsNames].sort().join() ? prev.order : undefined;
  if (!order) {
    if (!issuanceNeed(cert, base, now)) return base;
    if (prev.nextAttemptTime && new Date(prev.nextAttemptTime) > now) return base;
  }
  const nextKeyPem = secretKeyValue(get(nextKeySecretName(cert.spec)), "tls.key");
  if (order?.stage === "Finalizing" && !nextKeyPem) return { ...base, newNextKeyPem: await deps.newPrivateKey() };
  try {
    // Loaded here, not at start: acme-client and its dependencies take seconds to import.
    const { advanceOrder } = await import("../../acme/order-steps.js");
    const step = await advanceOrder(
      { acme, dns: deps.provider(cert.spec.dns01, credential), lookup: deps.lookup(cert.spec.dns01), clock: ctx.clock, zone: cert.spec.dns01.zone, ...(cert.spec.issuer.email ? { email: cert.spec.issuer.email } : {}) },
      cert.spec.dnsNames,
      order,
      nextKeyPem ?? "",
    );
    return { ...base, step, ...(nextKeyPem ? { nextKeyPem } : {}) };
  } catch (err) {
    // The CA answered, with an error the order steps do not settle (a 5xx, or a 4xx before any order).
    if (err instanceof AcmeProblemError) return { ...base, caError: err.message };
    if (err instanceof RemoteError) return { ...base, unreachable: err.message };
    throw err;
  }
}
