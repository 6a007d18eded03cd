/**
 * The DigitalOcean provider (API v2 with a personal access token, cert-manager's
 * `tokenSecretRef`): TXT records through `/v2/domains/{zone}/records`, answers parsed with zod,
 * refusals naming the HTTP status and DigitalOcean's error id.
 */
import { z } from "zod";
import { RemoteError } from "../../errors.js";
import { callJsonApi, type FetchFn } from "./http-api.js";
import { DnsProviderError, type DnsProvider, type TxtRecord } from "./provider.js";

/** The public API's base URL. */
export const DIGITALOCEAN_API = "https://api.digitalocean.com";

/** Settings of the DigitalOcean provider. */
export interface DigitalOceanConfig {
  token: string;
  apiUrl?: string;
  fetch?: FetchFn;
  ttl?: number;
}

const problem = z.object({ id: z.string(), message: z.string() });
const record = z.object({ id: z.number(), type: z.string(), name: z.string(), data: z.string() });
const list = z.object({ domain_records: z.array(record) });

/** DigitalOcean domain records with a token. */
export class DigitalOceanProvider implements DnsProvider {
  readonly kind = "digitalocean";
  readonly describe: string;
  private readonly base: string;

  constructor(private readonly config: DigitalOceanConfig) {
    this.base = (config.apiUrl ?? DIGITALOCEAN_API).replace(/\/$/, "");
    this.describe = `digitalocean ${new URL(this.base).host}`;
  }

  private async call<T>(what: string, method: string, path: string, schema: z.ZodType<T>, expect: number, body?: unknown): Promise<T> {
    const reply = await callJsonApi(this.config.fetch ?? fetch, `${this.base}${path}`, this.config.token, { method, body, what: `DigitalOcean ${what}` });
    if (reply.status !== expect) {
      const p = problem.safeParse(reply.body);
      const hint = reply.status === 401 || reply.status === 403 ? "the token is invalid or lacks write access to domains" : "see DigitalOcean's error id";
      throw new DnsProviderError(`DigitalOcean ${what} refused: HTTP ${reply.status}${p.success ? ` (${p.data.id}: ${p.data.message})` : ""} (${hint})`, `HTTP ${reply.status}`, { status: reply.status });
    }
    const parsed = schema.safeParse(reply.body);
    if (!parsed.success) throw new RemoteError(`DigitalOcean ${what} failed: unexpected answer at ${parsed.error.issues[0]?.path.join(".") || "body"} (check apiUrl)`, { code: "DnsApiMalformed" });
    return parsed.data;
  }

  /** The record name relative to the zone, as DigitalOcean's create call takes it. */
  private relative(record: TxtRecord): string {
    return record.fqdn === record.zone ? "@" : record.fqdn.slice(0, -(record.zone.length + 1));
  }

  private async existing(r: TxtRecord) {
    const found = await this.call("record lookup", "GET", `/v2/domains/${encodeURIComponent(r.zone)}/records?type=TXT&name=${encodeURIComponent(r.fqdn)}&per_page=200`, list, 200);
    return found.domain_records.filter((x) => x.type === "TXT" && x.data === r.value && (x.name === this.relative(r) || x.name === r.fqdn));
  }

  /** @throws DnsProviderError (HTTP 401/403, …) or RemoteError. */
  async present(r: TxtRecord): Promise<void> {
    if ((await this.existing(r)).length > 0) return;
    await this.call("record create", "POST", `/v2/domains/${encodeURIComponent(r.zone)}/records`, z.unknown(), 201, { type: "TXT", name: this.relative(r), data: r.value, ttl: this.config.ttl ?? 60 });
  }

  /** @throws DnsProviderError (HTTP 401/403, …) or RemoteError. */
  async cleanUp(r: TxtRecord): Promise<void> {
    for (const x of await this.existing(r)) await this.call("record delete", "DELETE", `/v2/domains/${encodeURIComponent(r.zone)}/records/${x.id}`, z.unknown(), 204);
  }
}
