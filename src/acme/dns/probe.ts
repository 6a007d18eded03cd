/**
 * Proving a DNS credential: a real DNS-01 round trip — create a probe TXT record, read it back
 * from every authoritative server of the zone, delete it, see it gone. The provider's refusal
 * (REFUSED, NOTAUTH/BADKEY, HTTP 401/403) is the answer reported.
 */
import { randomBytes } from "node:crypto";
import type { DnsLookupConfig } from "./authoritative.js";
import { waitForPropagation, type PropagationWait } from "./propagation.js";
import { DnsProviderError, type DnsProvider } from "./provider.js";

/** How a probe ended. */
export type ProbeResult =
  | { ok: true; fqdn: string; steps: string[] }
  /** `answer`: the provider's refusal token, or `Unreachable`/`NotPropagated`. */
  | { ok: false; answer: string; message: string; steps: string[] };

/**
 * Runs the round trip in `zone` with a random probe name and value.
 * @returns ok, or the answer and message of the first step that failed (the probe record is
 * deleted again whenever it was created). Never throws for provider or DNS failures.
 */
export async function probeCredential(provider: DnsProvider, zone: string, lookup: DnsLookupConfig, wait: PropagationWait, random: () => string = () => randomBytes(8).toString("hex")): Promise<ProbeResult> {
  const id = random();
  const record = { zone, fqdn: `_sealbridge-probe-${id}.${zone}`, value: `sealbridge-probe-${id}` };
  const steps: string[] = [];
  const failure = (err: unknown, fallback: string): ProbeResult => ({
    ok: false,
    answer: err instanceof DnsProviderError ? err.answer : fallback,
    message: err instanceof Error ? err.message : String(err),
    steps,
  });
  try {
    await provider.present(record);
  } catch (err) {
    return failure(err, "Unreachable");
  }
  steps.push(`created TXT ${record.fqdn} through ${provider.describe}`);
  let result: ProbeResult | undefined;
  try {
    const check = await waitForPropagation(record.fqdn, record.value, lookup, wait);
    steps.push(`read it back from every authoritative server of ${check.zone}`);
  } catch (err) {
    result = failure(err, "NotPropagated");
  }
  try {
    await provider.cleanUp(record);
    steps.push(`deleted TXT ${record.fqdn}`);
  } catch (err) {
    return result ?? failure(err, "Unreachable");
  }
  return result ?? { ok: true, fqdn: record.fqdn, steps };
}
