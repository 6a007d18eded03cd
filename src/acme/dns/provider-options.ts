/**
 * Building a DNS provider from `--dns NAME --dns-opt key=value…` (or a CRD's solver block with
 * its secrets resolved): option names are cert-manager's solver field names (rfc2136:
 * nameserver, tsigKeyName, tsigAlgorithm, tsigSecret for tsigSecretSecretRef; cloudflare:
 * apiToken for apiTokenSecretRef; digitalocean: token for tokenSecretRef), checked with zod.
 */
import { isIP } from "node:net";
import { z } from "zod";
import type { Clock } from "../../clock.js";
import { InputError } from "../../errors.js";
import { CloudflareProvider } from "./cloudflare.js";
import { DigitalOceanProvider } from "./digitalocean.js";
import type { FetchFn } from "./http-api.js";
import type { DnsProvider } from "./provider.js";
import { Rfc2136Provider } from "./rfc2136.js";
import { TSIG_ALGORITHMS } from "./tsig.js";
import type { DnsServer } from "./transport.js";

/** The providers, by the name `--dns` takes. */
export const DNS_PROVIDERS = ["rfc2136", "cloudflare", "digitalocean"] as const;
export type DnsProviderName = (typeof DNS_PROVIDERS)[number];

/**
 * `HOST[:PORT]` or `[V6]:PORT` as a server (port 53 when absent).
 * @throws InputError when it is not of that form.
 */
export function parseServer(text: string, where: string, defaultPort = 53): DnsServer {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1];
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!host || !(port > 0 && port < 65536) || (text.startsWith("[") && isIP(host) !== 6)) {
    throw new InputError(`invalid DNS server address: ${where} "${text}" (use HOST:PORT, e.g. 127.0.0.1:53 or [::1]:53)`);
  }
  return { host, port };
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "must be base64");
const rfc2136Schema = z
  .object({
    nameserver: z.string().min(1),
    tsigKeyName: z.string().min(1).optional(),
    tsigAlgorithm: z.enum(["HMACSHA256", "HMACSHA512"], { message: "must be HMACSHA256 or HMACSHA512" }).default("HMACSHA256"),
    tsigSecret: base64.optional(),
    protocol: z.enum(["UDP", "TCP"]).default("UDP"),
  })
  .strict()
  .refine((o) => (o.tsigKeyName === undefined) === (o.tsigSecret === undefined), { message: "tsigKeyName and tsigSecret go together" });
const cloudflareSchema = z.object({ apiToken: z.string().min(1), apiUrl: z.url().optional() }).strict();
const digitaloceanSchema = z.object({ token: z.string().min(1), apiUrl: z.url().optional() }).strict();

/** A provider plus where its changes can be checked. */
export interface ConfiguredProvider {
  provider: DnsProvider;
  /** For rfc2136, its nameserver is the natural resolver and its port the authoritative port. */
  nameserver?: DnsServer;
}

function fail(provider: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const field = issue?.path.join(".") || "options";
  // The message never carries the value (it may be a secret).
  throw new InputError(`invalid --dns-opt for ${provider}: ${field} ${issue?.message ?? "is invalid"} (see \`sealbridge dns --help\` for the option names)`);
}

/**
 * Builds the provider `name` from its options.
 * @throws InputError naming the option (never its value) when one is missing, unknown or invalid.
 */
export function buildProvider(name: string, options: Record<string, string>, deps: { clock: Clock; fetch?: FetchFn }): ConfiguredProvider {
  switch (name) {
    case "rfc2136": {
      const r = rfc2136Schema.safeParse(options);
      if (!r.success) fail(name, r.error);
      const nameserver = parseServer(r.data.nameserver, "--dns-opt nameserver");
      const tsig = r.data.tsigKeyName && r.data.tsigSecret ? { name: r.data.tsigKeyName, algorithm: TSIG_ALGORITHMS[r.data.tsigAlgorithm], secret: Buffer.from(r.data.tsigSecret, "base64") } : undefined;
      return { provider: new Rfc2136Provider({ nameserver, transport: r.data.protocol === "TCP" ? "tcp" : "udp", ...(tsig ? { tsig } : {}) }, deps.clock), nameserver };
    }
    case "cloudflare": {
      const r = cloudflareSchema.safeParse(options);
      if (!r.success) fail(name, r.error);
      return { provider: new CloudflareProvider({ apiToken: r.data.apiToken, ...(r.data.apiUrl ? { apiUrl: r.data.apiUrl } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}) }) };
    }
    case "digitalocean": {
      const r = digitaloceanSchema.safeParse(options);
      if (!r.success) fail(name, r.error);
      return { provider: new DigitalOceanProvider({ token: r.data.token, ...(r.data.apiUrl ? { apiUrl: r.data.apiUrl } : {}), ...(deps.fetch ? { fetch: deps.fetch } : {}) }) };
    }
    default:
      throw new InputError(`unknown DNS provider: --dns ${name} (use one of ${DNS_PROVIDERS.join(", ")})`);
  }
}

/**
 * Parses repeated `key=value` flags into an object.
 * @throws InputError for an entry without `=` or a repeated key.
 */
export function parseKeyValues(entries: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, entry] of entries.entries()) {
    const at = entry.indexOf("=");
    // The entry itself is not echoed: it may be a secret given without its key.
    if (at <= 0) throw new InputError(`invalid ${flag} #${i + 1}: expected key=value (e.g. ${flag} nameserver=127.0.0.1:53)`);
    const key = entry.slice(0, at);
    if (key in out) throw new InputError(`${flag} ${key} given twice (give each option once)`);
    out[key] = entry.slice(at + 1);
  }
  return out;
}
