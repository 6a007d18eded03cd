/** The DNS credential link: each DnsCredential proven (its Ready condition, written after a DNS-01 round trip). */
import { worstFirst, worstStatus, type CheckResult } from "../check-result.js";
import type { Observed } from "../observed.js";
import { readyItem, unreadList } from "./status-objects.js";

const FIX: Record<string, string> = {
  SourceUnavailable: "make the credential's source readable: the Secret key (or Vault key through its SecretStore) spec.source names",
  CredentialRejected: "the DNS provider refused the credential: put a valid one in the source (a TSIG secret or API token with DNS edit rights on the zone)",
  Expired: "the credential expired at the provider: issue a new one into the source",
  Expiring: "the credential expires soon at the provider: issue a new one into the source",
};

/** Judges every DnsCredential. Pure. */
export function dnsCredentialsCheck(o: Observed): CheckResult {
  const name = "dns-credentials";
  const read = o.dnsCredentials;
  if (read === undefined) return { name, status: "skip", message: "not observed" };
  if (!read.ok) return unreadList(name, "DnsCredentials", read);
  if (read.value.length === 0) return { name, status: "skip", message: "no DnsCredentials (not used)" };
  const judged = read.value.map(readyItem);
  const items = judged.map(({ object, status, message }) => ({ object, status, message }));
  const status = worstStatus(items.map((i) => i.status));
  const first = worstFirst(judged)[0];
  if (first === undefined || first.status === "ok") return { name, status, message: `${items.length} DNS credential(s) proven`, items };
  const count = judged.filter((j) => j.status !== "ok").length;
  const fix = (first.reason !== undefined ? FIX[first.reason] : undefined) ?? "see kubectl describe dnscredential for its Events, then fix its source or provider settings";
  return { name, status, message: `${count} of ${items.length} DNS credential(s) not proven; ${first.object}: ${first.message}`, fix, items: worstFirst(items) };
}
