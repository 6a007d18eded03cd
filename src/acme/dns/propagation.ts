/**
 * Whether a TXT value has reached every authoritative server of its zone: each server is asked
 * directly (no recursion, no cache) until all of them answer with the value. One check is a pure
 * round of queries; waiting polls with capped exponential backoff through an injected sleep.
 */
import { RemoteError } from "../../errors.js";
import { authoritativeServers, findZone, followCnames, type DnsLookupConfig } from "./authoritative.js";
import { queryServer } from "./query.js";
import { serverText } from "./transport.js";
import { canonicalName } from "./wire/name.js";
import { rcodeName } from "./wire/message.js";
import { RRTYPE } from "./wire/record.js";

/** What one round of queries found. */
export interface PropagationCheck {
  /** The name the record lives at after following CNAMEs. */
  fqdn: string;
  zone: string;
  /** True when every authoritative server answered the value. */
  ready: boolean;
  /** Servers that did not (yet): "ns1.example.test (127.0.0.1:53): NXDOMAIN" etc. */
  pending: string[];
}

/**
 * Asks every authoritative server of the zone of `fqdn` (after CNAMEs) for its TXT records.
 * @returns ready when each one holds `value`.
 * @throws RemoteError when the zone or its servers cannot be found (a server that does not
 * answer or answers without the value is reported in `pending`, not thrown).
 */
export async function checkPropagation(fqdn: string, value: string, config: DnsLookupConfig): Promise<PropagationCheck> {
  const target = await followCnames(fqdn, config);
  const zone = await findZone(target, config);
  const servers = await authoritativeServers(zone, config);
  const pending: string[] = [];
  for (const server of servers) {
    const where = `${server.host} (${serverText(server.address)})`;
    try {
      const reply = await queryServer(server.address, target, RRTYPE.TXT, config);
      const values = reply.answers.flatMap((rr) => (rr.rdata.type === "TXT" && canonicalName(rr.name) === target ? [rr.rdata.strings.join("")] : []));
      if (reply.flags.rcode !== 0) pending.push(`${where}: ${rcodeName(reply.flags.rcode)}`);
      else if (!values.includes(value)) pending.push(`${where}: ${values.length === 0 ? "no TXT record" : "another TXT value"}`);
    } catch (err) {
      pending.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { fqdn: target, zone, ready: pending.length === 0, pending };
}

/** Waiting's timing: backoff from `initialMs` doubling to `maxMs`, giving up after `timeoutMs` of waiting. */
export interface PropagationWait {
  sleep: (ms: number) => Promise<void>;
  initialMs?: number;
  maxMs?: number;
  timeoutMs?: number;
}

/**
 * Checks until every authoritative server answers `value`, sleeping between rounds.
 * @throws RemoteError (code DnsNotPropagated) naming the servers still behind when the time is up.
 */
export async function waitForPropagation(fqdn: string, value: string, config: DnsLookupConfig, wait: PropagationWait): Promise<PropagationCheck> {
  let delay = wait.initialMs ?? 250;
  const max = wait.maxMs ?? 10_000;
  const budget = wait.timeoutMs ?? 120_000;
  let waited = 0;
  for (;;) {
    const check = await checkPropagation(fqdn, value, config);
    if (check.ready) return check;
    if (waited >= budget) {
      throw new RemoteError(`TXT record not visible on every authoritative server of ${check.zone} after ${Math.round(waited / 1000)}s: ${check.pending.join("; ")} (check the DNS provider and the zone's NS records)`, {
        code: "DnsNotPropagated",
      });
    }
    await wait.sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, max);
  }
}
