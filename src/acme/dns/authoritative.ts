/**
 * Finding who answers for a name: following CNAMEs from the challenge name (cert-manager's
 * `cnameStrategy: Follow`), finding the zone by walking up to its SOA, and listing the zone's
 * authoritative servers (NS hosts and their addresses) through the configured resolvers.
 */
import { RemoteError } from "../../errors.js";
import { queryServer, requireAnswer, type QueryOptions } from "./query.js";
import type { DnsServer } from "./transport.js";
import { canonicalName } from "./wire/name.js";
import { RRTYPE } from "./wire/record.js";
import type { DnsMessage } from "./wire/message.js";

/** Where to look names up. */
export interface DnsLookupConfig extends QueryOptions {
  /** Resolvers asked for CNAMEs, SOA, NS and addresses (recursive, or the zone's own server). */
  resolvers: DnsServer[];
  /** The port the authoritative servers listen on (53 in the wild; a test server's port in tests). */
  authoritativePort?: number;
  /**
   * cert-manager's `cnameStrategy`: `Follow` (the default here) writes and checks the challenge
   * record where the CNAME chain of `_acme-challenge.<name>` ends; `None` uses the name itself.
   */
  cnameStrategy?: "None" | "Follow";
}

async function ask(config: DnsLookupConfig, name: string, type: number): Promise<DnsMessage> {
  let last: unknown;
  for (const server of config.resolvers) {
    try {
      return requireAnswer(server, name, await queryServer(server, name, type, { ...config, recursionDesired: true }));
    } catch (err) {
      last = err;
    }
  }
  if (last) throw last;
  throw new RemoteError(`DNS lookup impossible: no resolvers configured (pass --dns-resolver HOST:PORT)`, { code: "DnsNoResolver" });
}

/**
 * The name the challenge record really lives at: `fqdn`, or where its CNAME chain ends (unless
 * `cnameStrategy` is `None`).
 * @throws RemoteError when the chain is longer than 10 or loops, or the resolvers fail.
 */
export async function followCnames(fqdn: string, config: DnsLookupConfig): Promise<string> {
  let name = canonicalName(fqdn);
  if (config.cnameStrategy === "None") return name;
  const seen = new Set<string>([name]);
  for (let i = 0; i < 10; i++) {
    const reply = await ask(config, name, RRTYPE.TXT);
    const cname = reply.answers.find((rr) => canonicalName(rr.name) === name && rr.rdata.type === "CNAME");
    if (!cname || cname.rdata.type !== "CNAME") return name;
    name = canonicalName(cname.rdata.target);
    if (seen.has(name)) throw new RemoteError(`CNAME loop at ${fqdn}: ${[...seen].join(" → ")} → ${name} (fix the CNAME records)`, { code: "DnsCnameLoop" });
    seen.add(name);
  }
  throw new RemoteError(`CNAME chain from ${fqdn} is longer than 10 (shorten it)`, { code: "DnsCnameLoop" });
}

/**
 * The zone `fqdn` belongs to: the nearest enclosing name that has an SOA record.
 * @throws RemoteError when no enclosing zone answers.
 */
export async function findZone(fqdn: string, config: DnsLookupConfig): Promise<string> {
  const labels = canonicalName(fqdn).split(".");
  for (let i = 0; i < labels.length; i++) {
    const candidate = labels.slice(i).join(".");
    const reply = await ask(config, candidate, RRTYPE.SOA);
    if (reply.answers.some((rr) => canonicalName(rr.name) === candidate && rr.rdata.type === "SOA")) return candidate;
  }
  throw new RemoteError(`no DNS zone found for ${fqdn} (check that the name is delegated and the resolvers see it)`, { code: "DnsNoZone" });
}

/** One authoritative server of a zone. */
export interface AuthoritativeServer {
  /** The NS host name. */
  host: string;
  address: DnsServer;
}

/**
 * The zone's authoritative servers: every NS host, each with every address (glue or A/AAAA).
 * @throws RemoteError when the zone has no NS records or a host has no address.
 */
export async function authoritativeServers(zone: string, config: DnsLookupConfig): Promise<AuthoritativeServer[]> {
  const reply = await ask(config, zone, RRTYPE.NS);
  const hosts = reply.answers.flatMap((rr) => (rr.rdata.type === "NS" && canonicalName(rr.name) === canonicalName(zone) ? [canonicalName(rr.rdata.host)] : []));
  if (hosts.length === 0) throw new RemoteError(`zone ${zone} has no NS records (check the zone)`, { code: "DnsNoZone" });
  const port = config.authoritativePort ?? 53;
  const out: AuthoritativeServer[] = [];
  for (const host of [...new Set(hosts)].sort()) {
    const addresses = new Set<string>();
    for (const type of [RRTYPE.A, RRTYPE.AAAA]) {
      const glue = reply.additionals.filter((rr) => canonicalName(rr.name) === host && (rr.rdata.type === "A" || rr.rdata.type === "AAAA"));
      const records = glue.length > 0 ? glue : (await ask(config, host, type)).answers;
      for (const rr of records) if ((rr.rdata.type === "A" || rr.rdata.type === "AAAA") && canonicalName(rr.name) === host) addresses.add(rr.rdata.address);
    }
    if (addresses.size === 0) throw new RemoteError(`nameserver ${host} of zone ${zone} has no address (add A/AAAA records for it)`, { code: "DnsNoAddress" });
    for (const address of [...addresses].sort()) out.push({ host, address: { host: address, port } });
  }
  return out;
}
