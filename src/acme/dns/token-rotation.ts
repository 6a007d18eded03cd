/**
 * Rolling a Cloudflare API token: verify the current token (learning its id), roll its secret,
 * prove the new value with the token verify endpoint and a real DNS-01 round trip, then hand it
 * to `store` (the source). The new value is only stored once it is proven; it is never printed.
 */
import { RemoteError } from "../../errors.js";
import type { DnsLookupConfig } from "./authoritative.js";
import { CloudflareProvider, type CloudflareConfig } from "./cloudflare.js";
import { probeCredential } from "./probe.js";
import type { PropagationWait } from "./propagation.js";

/** How a rotation went, for the progress lines. */
export interface RotationReport {
  tokenId: string;
  expiresOn?: Date;
  steps: string[];
}

/**
 * Rotates the token in `current`.
 * @throws DnsProviderError when Cloudflare refuses (e.g. the token may not roll itself: HTTP 403);
 * RemoteError when the new token fails its proof (it is then not stored; the old one no longer works).
 */
export async function rotateCloudflareToken(
  current: CloudflareConfig,
  zone: string,
  lookup: DnsLookupConfig,
  wait: PropagationWait,
  store: (newToken: string) => Promise<void>,
): Promise<RotationReport> {
  const steps: string[] = [];
  const before = await new CloudflareProvider(current).verifyToken();
  steps.push(`current token ${before.id} is ${before.status}`);
  const newToken = await new CloudflareProvider(current).rollToken(before.id);
  steps.push(`rolled token ${before.id}`);
  const next = new CloudflareProvider({ ...current, apiToken: newToken });
  const after = await next.verifyToken();
  if (after.status !== "active") throw new RemoteError(`new Cloudflare token ${after.id} is ${after.status} after rolling (check the token in the dashboard)`, { code: "DnsTokenInactive" });
  const probe = await probeCredential(next, zone, lookup, wait);
  steps.push(...probe.steps);
  if (!probe.ok) throw new RemoteError(`new Cloudflare token failed its DNS-01 round trip: ${probe.message} (it was not stored)`, { code: "DnsTokenUnproven" });
  await store(newToken);
  steps.push("stored the new token in the source");
  return { tokenId: after.id, ...(after.expiresOn ? { expiresOn: after.expiresOn } : {}), steps };
}
