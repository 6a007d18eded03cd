/**
 * The shared part of the commands that talk to a DNS provider (`certs issue`, `dns verify`):
 * the provider from `--dns`/`--dns-opt`, and where to check propagation.
 */
import type { Clock } from "../clock.js";
import { InputError } from "../errors.js";
import type { DnsLookupConfig } from "../acme/dns/authoritative.js";
import type { DnsProvider } from "../acme/dns/provider.js";
import { buildProvider, parseKeyValues, parseServer } from "../acme/dns/provider-options.js";
import { systemResolvers } from "../acme/dns/system-resolvers.js";

/** The DNS flags. */
export interface DnsFlags {
  dns: string;
  dnsOpt: string[];
  dnsResolver: string[];
  authoritativePort?: string;
}

/**
 * The provider and the lookup configuration from the flags: resolvers from --dns-resolver, else
 * the rfc2136 nameserver, else the system's; authoritative port from --authoritative-port, else
 * the rfc2136 nameserver's, else 53.
 * @throws InputError naming the flag that is wrong.
 */
export function providerAndLookup(flags: DnsFlags, clock: Clock): { provider: DnsProvider; lookup: DnsLookupConfig } {
  const { provider, nameserver } = buildProvider(flags.dns, parseKeyValues(flags.dnsOpt, "--dns-opt"), { clock });
  return { provider, lookup: lookupFromFlags(flags, nameserver) };
}

/**
 * Where propagation is checked, from the flags alone (resolvers from --dns-resolver, else
 * `nameserver`, else the system's; the authoritative port from --authoritative-port, else
 * `nameserver`'s, else 53).
 * @throws InputError naming the flag that is wrong.
 */
export function lookupFromFlags(flags: Omit<DnsFlags, "dns" | "dnsOpt">, nameserver?: { host: string; port: number }): DnsLookupConfig {
  const resolvers = flags.dnsResolver.length
    ? flags.dnsResolver.map((r) => parseServer(r, "--dns-resolver"))
    : nameserver
      ? [nameserver]
      : systemResolvers();
  const port = flags.authoritativePort === undefined ? (nameserver?.port ?? 53) : Number(flags.authoritativePort);
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new InputError(`invalid --authoritative-port "${flags.authoritativePort}" (a port number 1-65535)`);
  return { resolvers, authoritativePort: port, timeoutMs: 5000 };
}
