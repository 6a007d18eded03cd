/**
 * The Cloudflare provider (API v4 with an API token, cert-manager's `apiTokenSecretRef`): TXT
 * records through the zone's dns_records, the token's own status and expiry through
 * `/user/tokens/verify`, and the token itself read, created and deleted through `/user/tokens`
 * (rotation: a new token with the same policies, proven, then the old one deleted).
 * Every answer is parsed with zod; a refusal names Cloudflare's status and error codes.
 */
import { z } from "zod";
import { RemoteError } from "../../errors.js";
import { callJsonApi, type FetchFn, type JsonReply } from "./http-api.js";
import { DnsProviderError, type DnsProvider, type TxtRecord } from "./provider.js";

/** The public API's base URL. */
export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

/** Settings of the Cloudflare provider. */
export interface CloudflareConfig {
  apiToken: string;
  /** Base URL, default {@link CLOUDFLARE_API} (tests point it at a local server). */
  apiUrl?: string;
  fetch?: FetchFn;
  ttl?: number;
}

const envelope = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number(), message: z.string() })).default([]),
  result: z.unknown().optional(),
});
const zones = z.array(z.object({ id: z.string(), name: z.string() }));
const records = z.array(z.object({ id: z.string(), name: z.string(), type: z.string(), content: z.string() }));
const tokenDetails = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string().optional(),
  policies: z.array(z.looseObject({ effect: z.string(), resources: z.unknown(), permission_groups: z.array(z.looseObject({ id: z.string() })) })),
  condition: z.unknown().optional(),
  issued_on: z.string().optional(),
  expires_on: z.string().optional(),
  not_before: z.string().optional(),
});
/** A token as `GET /user/tokens/{id}` describes it (no value). */
export type CloudflareTokenDetails = z.infer<typeof tokenDetails>;
const verifyResult = z.object({ id: z.string(), status: z.enum(["active", "disabled", "expired"]), expires_on: z.string().optional(), not_before: z.string().optional() });

/** What Cloudflare says about a token. */
export interface CloudflareTokenStatus {
  id: string;
  status: "active" | "disabled" | "expired";
  expiresOn?: Date;
}

/** Cloudflare DNS records with an API token. */
export class CloudflareProvider implements DnsProvider {
  readonly kind = "cloudflare";
  readonly describe: string;
  private readonly base: string;
  private readonly zoneIds = new Map<string, string>();

  constructor(private readonly config: CloudflareConfig) {
    this.base = (config.apiUrl ?? CLOUDFLARE_API).replace(/\/$/, "");
    this.describe = `cloudflare ${new URL(this.base).host}`;
  }

  private async call<T>(what: string, method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const reply: JsonReply = await callJsonApi(this.config.fetch ?? fetch, `${this.base}${path}`, this.config.apiToken, { method, body, what: `Cloudflare ${what}` });
    const parsed = envelope.safeParse(reply.body);
    if (!parsed.success) throw new RemoteError(`Cloudflare ${what} failed: HTTP ${reply.status} with an answer that is not the v4 envelope (check apiUrl)`, { code: "DnsApiMalformed", status: reply.status });
    if (reply.status >= 400 || !parsed.data.success) {
      const codes = parsed.data.errors.map((e) => `${e.code} ${e.message}`).join("; ");
      const tokenCall = path.startsWith("/user/tokens/") && path !== "/user/tokens/verify" || path === "/user/tokens";
      const denied = tokenCall ? "the API token is invalid, expired, or may not manage API tokens (use one with User › API Tokens › Edit)" : "the API token is invalid, expired, or lacks Zone:DNS:Edit on this zone";
      const hint = reply.status === 401 || reply.status === 403 ? denied : "see Cloudflare's error code";
      throw new DnsProviderError(`Cloudflare ${what} refused: HTTP ${reply.status}${codes ? ` (${codes})` : ""} (${hint})`, `HTTP ${reply.status}`, { status: reply.status });
    }
    const result = schema.safeParse(parsed.data.result);
    if (!result.success) throw new RemoteError(`Cloudflare ${what} failed: unexpected result shape at ${result.error.issues[0]?.path.join(".") ?? "result"} (check apiUrl)`, { code: "DnsApiMalformed" });
    return result.data;
  }

  private async zoneId(zone: string): Promise<string> {
    const known = this.zoneIds.get(zone);
    if (known) return known;
    const found = (await this.call("zone lookup", "GET", `/zones?name=${encodeURIComponent(zone)}`, zones)).find((z) => z.name === zone);
    if (!found) throw new DnsProviderError(`Cloudflare zone lookup found no zone ${zone} for this token (check the zone name and the token's zone resources)`, "NoZone");
    this.zoneIds.set(zone, found.id);
    return found.id;
  }

  private async existing(zoneId: string, record: TxtRecord) {
    const list = await this.call("record lookup", "GET", `/zones/${zoneId}/dns_records?type=TXT&name=${encodeURIComponent(record.fqdn)}`, records);
    return list.filter((r) => r.type === "TXT" && r.name === record.fqdn && unquote(r.content) === record.value);
  }

  /** @throws DnsProviderError (HTTP 401/403, …) or RemoteError. */
  async present(record: TxtRecord): Promise<void> {
    const id = await this.zoneId(record.zone);
    if ((await this.existing(id, record)).length > 0) return;
    await this.call("record create", "POST", `/zones/${id}/dns_records`, z.unknown(), { type: "TXT", name: record.fqdn, content: record.value, ttl: this.config.ttl ?? 120 });
  }

  /** @throws DnsProviderError (HTTP 401/403, …) or RemoteError. */
  async cleanUp(record: TxtRecord): Promise<void> {
    const id = await this.zoneId(record.zone);
    for (const r of await this.existing(id, record)) await this.call("record delete", "DELETE", `/zones/${id}/dns_records/${r.id}`, z.unknown());
  }

  /** The token's id, status and expiry (`GET /user/tokens/verify`). @throws DnsProviderError or RemoteError. */
  async verifyToken(): Promise<CloudflareTokenStatus> {
    const r = await this.call("token verify", "GET", "/user/tokens/verify", verifyResult);
    return { id: r.id, status: r.status, ...(r.expires_on ? { expiresOn: new Date(r.expires_on) } : {}) };
  }

  /**
   * A token's name, policies, restrictions and times (`GET /user/tokens/{id}`; needs API Tokens Read or Write).
   * @throws DnsProviderError or RemoteError.
   */
  async tokenDetails(tokenId: string): Promise<CloudflareTokenDetails> {
    const r = await this.call("token details", "GET", `/user/tokens/${encodeURIComponent(tokenId)}`, tokenDetails);
    return r;
  }

  /**
   * Creates a token (`POST /user/tokens`; needs API Tokens Write) with the given name, policies,
   * condition and expiry. @returns its id and value. @throws DnsProviderError or RemoteError.
   */
  async createToken(spec: { name: string; policies: unknown[]; condition?: unknown; expiresOn?: Date }): Promise<{ id: string; value: string }> {
    const body = { name: spec.name, policies: spec.policies, ...(spec.condition ? { condition: spec.condition } : {}), ...(spec.expiresOn ? { expires_on: spec.expiresOn.toISOString().replace(/\.\d{3}Z$/, "Z") } : {}) };
    return this.call("token create", "POST", "/user/tokens", z.object({ id: z.string().min(1), value: z.string().min(1) }), body);
  }

  /** Deletes (revokes) a token (`DELETE /user/tokens/{id}`; needs API Tokens Write). @throws DnsProviderError or RemoteError. */
  async deleteToken(tokenId: string): Promise<void> {
    await this.call("token delete", "DELETE", `/user/tokens/${encodeURIComponent(tokenId)}`, z.unknown());
  }
}

/** Cloudflare may return TXT content in quotes. */
function unquote(content: string): string {
  return content.length >= 2 && content.startsWith('"') && content.endsWith('"') ? content.slice(1, -1) : content;
}
