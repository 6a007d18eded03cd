/**
 * Rotating a Cloudflare API token, proven first: verify the current token (learning its id), read
 * its policies, create a new token with the same name, policies, IP condition and lifetime,
 * prove the new one (verify says active, then a real DNS-01 round trip), store it in the source,
 * and only then delete the old one. Until the store succeeded the old token keeps working and a
 * new token that failed is deleted again. (Cloudflare's "roll" — `PUT /user/tokens/{id}/value` —
 * invalidates the old value at once, so it cannot be proven first and is not used.) Token
 * management needs a token with User › API Tokens › Edit: the current one, or `admin`.
 * Values are never printed.
 */
import { RemoteError, isSealbridgeError } from "../../errors.js";
import type { DnsLookupConfig } from "./authoritative.js";
import { CloudflareProvider, type CloudflareConfig } from "./cloudflare.js";
import { probeCredential } from "./probe.js";
import type { PropagationWait } from "./propagation.js";

/** How a rotation went, for the progress lines. */
export interface RotationReport {
  /** The new token's id. */
  tokenId: string;
  /** The old token's id (deleted). */
  previousTokenId: string;
  expiresOn?: Date;
  steps: string[];
}

/** Inputs of {@link rotateCloudflareToken} besides the current token. */
export interface RotationOptions {
  zone: string;
  lookup: DnsLookupConfig;
  wait: PropagationWait;
  /** Stores the proven new value in the source. */
  store: (newToken: string) => Promise<void>;
  now: Date;
  /** A token allowed to manage API tokens (default: the current token). */
  adminToken?: string;
}

const message = (err: unknown) => (isSealbridgeError(err) || err instanceof Error ? err.message : String(err));

/**
 * Rotates the token in `current`.
 * @throws DnsProviderError when Cloudflare refuses a step (e.g. HTTP 403: the token may not manage
 * tokens); RemoteError when the new token fails its proof or cannot be stored (it is deleted
 * again and the old one still works), or when the old token could not be deleted after the new
 * one was stored (the message says so: delete it by hand).
 */
export async function rotateCloudflareToken(current: CloudflareConfig, options: RotationOptions): Promise<RotationReport> {
  const steps: string[] = [];
  const before = await new CloudflareProvider(current).verifyToken();
  steps.push(`current token ${before.id} is ${before.status}`);
  const admin = new CloudflareProvider({ ...current, ...(options.adminToken ? { apiToken: options.adminToken } : {}) });
  const details = await admin.tokenDetails(before.id);
  // The same lifetime from now when the old token had one.
  const issued = details.issued_on ? Date.parse(details.issued_on) : NaN;
  const expires = details.expires_on ? Date.parse(details.expires_on) : NaN;
  const expiresOn = Number.isFinite(issued) && Number.isFinite(expires) && expires > issued ? new Date(options.now.getTime() + (expires - issued)) : undefined;
  const policies = details.policies.map((p) => ({ effect: p.effect, resources: p.resources, permission_groups: p.permission_groups.map((g) => ({ id: g.id })) }));
  const created = await admin.createToken({ name: details.name, policies, ...(details.condition ? { condition: details.condition } : {}), ...(expiresOn ? { expiresOn } : {}) });
  steps.push(`created token ${created.id} with the policies of ${before.id}${expiresOn ? ` (expires ${expiresOn.toISOString().replace(/\.\d{3}Z$/, "Z")})` : ""}`);
  const discard = async (why: string): Promise<never> => {
    try {
      await admin.deleteToken(created.id);
      steps.push(`deleted the new token ${created.id}`);
    } catch (err) {
      throw new RemoteError(`${why}; deleting the new token ${created.id} failed too: ${message(err)} (delete it in the dashboard; the old token ${before.id} still works)`, { code: "DnsTokenUnproven" });
    }
    throw new RemoteError(`${why} (it was deleted again and nothing was stored; the old token ${before.id} still works)`, { code: "DnsTokenUnproven" });
  };
  const next = new CloudflareProvider({ ...current, apiToken: created.value });
  let after;
  try {
    after = await next.verifyToken();
  } catch (err) {
    return discard(`new Cloudflare token ${created.id} failed its verify: ${message(err)}`);
  }
  if (after.status !== "active") return discard(`new Cloudflare token ${created.id} is ${after.status}`);
  const probe = await probeCredential(next, options.zone, options.lookup, options.wait);
  steps.push(...probe.steps);
  if (!probe.ok) return discard(`new Cloudflare token ${created.id} failed its DNS-01 round trip (${probe.answer}): ${probe.message}`);
  try {
    await options.store(created.value);
  } catch (err) {
    return discard(`storing the new Cloudflare token ${created.id} in the source failed: ${message(err)}`);
  }
  steps.push("stored the new token in the source");
  try {
    await admin.deleteToken(before.id);
  } catch (err) {
    throw new RemoteError(`the new token ${created.id} is proven and stored, but deleting the old token ${before.id} failed: ${message(err)} (delete it in the dashboard)`, { code: "DnsTokenNotRevoked" });
  }
  steps.push(`deleted the old token ${before.id}`);
  return { tokenId: created.id, previousTokenId: before.id, ...(after.expiresOn ? { expiresOn: after.expiresOn } : {}), steps };
}
