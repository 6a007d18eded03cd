/**
 * The production adapters of DnsCredential: the probe through the same providers and
 * propagation check as `sealbridge dns verify`, Cloudflare's verify endpoint for expiry; Vault
 * reads come from the ESO connections (passed in by the controller wiring).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { CredentialProvider } from "../../api/dns-credential.js";
import { CloudflareProvider } from "../../acme/dns/cloudflare.js";
import { probeCredential } from "../../acme/dns/probe.js";
import { buildProvider, parseServer } from "../../acme/dns/provider-options.js";
import type { DnsServer } from "../../acme/dns/transport.js";
import type { Clock } from "../../clock.js";
import type { CredentialDeps } from "./observe.js";

/** Controller settings for the probes. */
export interface CredentialDepsOptions {
  clock: Clock;
  resolvers: DnsServer[];
  authoritativePort?: number;
  readVault: CredentialDeps["readVault"];
  /** Give up waiting for propagation after this long. Default 60 s. */
  propagationTimeoutMs?: number;
}

function providerOf(p: CredentialProvider, value: string, clock: Clock) {
  if (p.rfc2136) return buildProvider("rfc2136", { nameserver: p.rfc2136.nameserver, tsigKeyName: p.rfc2136.tsigKeyName, ...(p.rfc2136.tsigAlgorithm ? { tsigAlgorithm: p.rfc2136.tsigAlgorithm } : {}), tsigSecret: value }, { clock });
  if (p.cloudflare) return buildProvider("cloudflare", { apiToken: value, ...(p.cloudflare.apiUrl ? { apiUrl: p.cloudflare.apiUrl } : {}) }, { clock });
  return buildProvider("digitalocean", { token: value, ...(p.digitalocean?.apiUrl ? { apiUrl: p.digitalocean.apiUrl } : {}) }, { clock });
}

/** The adapters. */
export function credentialDeps(options: CredentialDepsOptions): CredentialDeps {
  return {
    readVault: options.readVault,
    async probe(provider, zone, value) {
      let built;
      try {
        built = providerOf(provider, value, options.clock);
      } catch (err) {
        return { ok: false, answer: "InvalidCredential", message: err instanceof Error ? err.message : String(err), steps: [] };
      }
      const ns = provider.rfc2136 ? parseServer(provider.rfc2136.nameserver, "spec.provider.rfc2136.nameserver") : undefined;
      const lookup = { resolvers: ns ? [ns] : options.resolvers, authoritativePort: options.authoritativePort ?? ns?.port ?? 53, timeoutMs: 5000 };
      return probeCredential(built.provider, zone, lookup, { sleep: async (ms) => void (await sleep(ms)), timeoutMs: options.propagationTimeoutMs ?? 60_000 });
    },
    async tokenExpiry(provider, value) {
      if (!provider.cloudflare) return undefined;
      try {
        return (await new CloudflareProvider({ apiToken: value, ...(provider.cloudflare.apiUrl ? { apiUrl: provider.cloudflare.apiUrl } : {}) }).verifyToken()).expiresOn;
      } catch {
        return undefined;
      }
    },
  };
}
