/**
 * The production adapters of AcmeCertificate: acme-client through AcmeServer, the DNS provider
 * from the cert-manager-shaped solver and its credential, propagation checked through the rfc2136
 * nameserver or the given resolvers, ECDSA P-256 keys, ARI from the CA's directory.
 */
import type { AcmeCertificate } from "../../api/acme-certificate.js";
import type { DnsServer } from "../../acme/dns/transport.js";
import { buildProvider, parseServer } from "../../acme/dns/provider-options.js";
import type { Clock } from "../../clock.js";
import type { AcmeDeps } from "./observe.js";

/** Settings the controller passes in (flags, not spec). */
export interface AcmeDepsOptions {
  clock: Clock;
  /** Resolvers for CNAME/zone/NS lookups when the solver is not rfc2136 (the system's by default). */
  resolvers: DnsServer[];
  /** Port of authoritative servers (53; tests use the test server's). */
  authoritativePort?: number;
}

function solverOptions(dns01: AcmeCertificate["spec"]["dns01"], credential: string | undefined): { name: string; options: Record<string, string> } {
  if (dns01.rfc2136) {
    const r = dns01.rfc2136;
    return {
      name: "rfc2136",
      options: {
        nameserver: r.nameserver,
        ...(r.tsigKeyName ? { tsigKeyName: r.tsigKeyName } : {}),
        ...(r.tsigAlgorithm ? { tsigAlgorithm: r.tsigAlgorithm } : {}),
        ...(credential !== undefined ? { tsigSecret: credential.trim() } : {}),
      },
    };
  }
  if (dns01.cloudflare) return { name: "cloudflare", options: { apiToken: (credential ?? "").trim() } };
  return { name: "digitalocean", options: { token: (credential ?? "").trim() } };
}

/** The adapters. */
export function acmeDeps(options: AcmeDepsOptions): AcmeDeps {
  return {
    // acme-client is imported on first use: it takes seconds to load, and most controllers never issue.
    acme: async (o) => new (await import("../../acme/acme-server.js")).AcmeServer({ ...o, clock: options.clock }),
    provider: (dns01, credential) => {
      const { name, options: opts } = solverOptions(dns01, credential);
      return buildProvider(name, opts, { clock: options.clock }).provider;
    },
    lookup: (dns01) => {
      const ns = dns01.rfc2136 ? parseServer(dns01.rfc2136.nameserver, "spec.dns01.rfc2136.nameserver") : undefined;
      return {
        resolvers: ns ? [ns] : options.resolvers,
        authoritativePort: options.authoritativePort ?? ns?.port ?? 53,
        timeoutMs: 5000,
        cnameStrategy: dns01.cnameStrategy ?? "Follow",
      };
    },
    newPrivateKey: async () => (await import("../../acme/acme-server.js")).newAccountKey(),
    renewalWindow: async (acme, certPem) => (await import("../../acme/ari.js")).renewalWindow(acme, certPem),
  };
}
