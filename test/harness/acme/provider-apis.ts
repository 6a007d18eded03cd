/**
 * Local stand-ins for the Cloudflare v4 and DigitalOcean v2 DNS APIs, answering with the shapes
 * of their public documentation, plus a small authoritative DNS server (our wire codec, UDP)
 * that serves what the APIs hold, so a DNS-01 round trip can be checked end to end.
 * Cloudflare: https://developers.cloudflare.com/api/resources/dns/subresources/records/ ,
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/ ,
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/subresources/value/methods/update/ ,
 *   https://developers.cloudflare.com/fundamentals/api/troubleshooting/ (verify answer example),
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/get/ (token details),
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/create/ (create: the answer carries `value`),
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/delete/ (delete: `result: {id}`),
 *   https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/ (policies: effect, resources, permission_groups[].id).
 * DigitalOcean: https://docs.digitalocean.com/reference/api/api-reference/#tag/Domain-Records ,
 *   https://docs.digitalocean.com/reference/pydo/reference/domains/create_record/ .
 */
import { createSocket, type Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { decodeMessage, encodeMessage } from "../../../src/acme/dns/wire/message.js";
import { canonicalName } from "../../../src/acme/dns/wire/name.js";
import { RRTYPE, type ResourceRecord } from "../../../src/acme/dns/wire/record.js";

/** A TXT record the fake APIs hold. */
interface StoredRecord {
  id: string;
  fqdn: string;
  value: string;
}

/** A Cloudflare token of the fake. */
export interface FakeToken {
  id: string;
  value: string;
  status: "active" | "disabled" | "expired";
  expiresOn?: string;
  /** May edit DNS in the zone. */
  dnsEdit: boolean;
  /** May manage API tokens (User › API Tokens › Edit). */
  tokensWrite?: boolean;
  name?: string;
  issuedOn?: string;
}

/** Permission group ids as this fake defines them (Cloudflare lists the real ones at /user/tokens/permission_groups). */
export const FAKE_PERMISSION_GROUPS = { dnsWrite: "4755a26eedb94da69e1066d98aa820be", tokensWrite: "686d18d5ac6c441c867cbf6771e58a0a" } as const;

/** Faults the tests switch on. */
export interface ProviderApiFaults {
  /** Tokens created through POST /user/tokens cannot edit DNS (their proof fails). */
  createdTokensLackDns?: boolean;
  /** DELETE /user/tokens/{id} answers 500. */
  deleteFails?: boolean;
}

/** The running fakes. */
export interface ProviderApis {
  zone: string;
  /** e.g. http://127.0.0.1:PORT/client/v4 */
  cloudflareUrl: string;
  /** e.g. http://127.0.0.1:PORT */
  digitaloceanUrl: string;
  dnsPort: number;
  tokens: FakeToken[];
  faults: ProviderApiFaults;
  doTokens: Set<string>;
  records: StoredRecord[];
  /** Every request line seen, with its Authorization header redacted. */
  requests: string[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Starts the fakes for `zone` (default example.test). */
export async function startProviderApis(zone = "example.test"): Promise<ProviderApis> {
  const zoneId = randomBytes(16).toString("hex");
  const state: Omit<ProviderApis, "cloudflareUrl" | "digitaloceanUrl" | "dnsPort" | "close"> = { zone, tokens: [], faults: {}, doTokens: new Set(), records: [], requests: [] };
  const policiesOf = (t: FakeToken) => [
    {
      id: randomBytes(16).toString("hex"),
      effect: "allow",
      resources: { [`com.cloudflare.api.account.zone.${zoneId}`]: "*" },
      permission_groups: [...(t.dnsEdit ? [{ id: FAKE_PERMISSION_GROUPS.dnsWrite, name: "DNS Write" }] : []), ...(t.tokensWrite ? [{ id: FAKE_PERMISSION_GROUPS.tokensWrite, name: "API Tokens Write" }] : [])],
    },
  ];
  const cf = (errors: Array<{ code: number; message: string }>) => ({ success: false, errors, messages: [], result: null });
  const remove = (id: string) => {
    const at = state.records.findIndex((r) => r.id === id);
    if (at !== -1) state.records.splice(at, 1);
  };
  const ok = (result: unknown) => ({ success: true, errors: [], messages: [], result });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    state.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (url.pathname.startsWith("/client/v4/")) {
      const token = state.tokens.find((t) => t.value === bearer);
      const path = url.pathname.slice("/client/v4".length);
      // An unknown token: 401 with code 1000 (documented "Invalid API Token").
      if (!token) return send(res, 401, cf([{ code: 1000, message: "Invalid API Token" }]));
      if (path === "/user/tokens/verify") return send(res, 200, ok({ id: token.id, status: token.status, ...(token.expiresOn ? { expires_on: token.expiresOn } : {}) }));
      const roll = /^\/user\/tokens\/([^/]+)\/value$/.exec(path);
      if (roll && req.method === "PUT") {
        const target = state.tokens.find((t) => t.id === roll[1]);
        if (!target) return send(res, 404, cf([{ code: 1003, message: "Not found" }]));
        target.value = `cf-rolled-${randomBytes(20).toString("hex")}`;
        return send(res, 200, ok(target.value));
      }
      if (token.status !== "active") return send(res, 403, cf([{ code: 9109, message: "Unauthorized to access requested resource" }]));
      const manage = /^\/user\/tokens(?:\/([^/]+))?$/.exec(path);
      if (manage) {
        if (!token.tokensWrite) return send(res, 403, cf([{ code: 9109, message: "Unauthorized to access requested resource" }]));
        const target = manage[1] ? state.tokens.find((t) => t.id === manage[1]) : undefined;
        if (manage[1] && !target) return send(res, 404, cf([{ code: 1003, message: "Not found" }]));
        if (req.method === "GET" && target) {
          return send(res, 200, ok({ id: target.id, name: target.name ?? "dns", status: target.status, issued_on: target.issuedOn ?? "2026-01-01T00:00:00Z", modified_on: target.issuedOn ?? "2026-01-01T00:00:00Z", ...(target.expiresOn ? { expires_on: target.expiresOn } : {}), policies: policiesOf(target), condition: { request_ip: { in: ["127.0.0.0/8"], not_in: [] } } }));
        }
        if (req.method === "DELETE" && target) {
          if (state.faults.deleteFails) return send(res, 500, cf([{ code: 10000, message: "Internal error" }]));
          state.tokens.splice(state.tokens.indexOf(target), 1);
          return send(res, 200, ok({ id: target.id }));
        }
        if (req.method === "POST" && !manage[1]) {
          const body = (await readBody(req)) as { name?: unknown; policies?: Array<{ effect?: unknown; resources?: unknown; permission_groups?: Array<{ id?: unknown }> }>; expires_on?: unknown };
          const groups = Array.isArray(body.policies) ? body.policies.flatMap((p) => (p.effect === "allow" && p.resources && Array.isArray(p.permission_groups) ? p.permission_groups.map((g) => g.id) : [])) : [];
          if (typeof body.name !== "string" || body.name === "" || groups.length === 0) return send(res, 400, cf([{ code: 9106, message: "Invalid policies or name" }]));
          const created: FakeToken = {
            id: randomBytes(16).toString("hex"),
            value: `cf-created-${randomBytes(20).toString("hex")}`,
            status: "active",
            name: body.name,
            issuedOn: new Date().toISOString(),
            ...(typeof body.expires_on === "string" ? { expiresOn: body.expires_on } : {}),
            dnsEdit: groups.includes(FAKE_PERMISSION_GROUPS.dnsWrite) && !state.faults.createdTokensLackDns,
            tokensWrite: groups.includes(FAKE_PERMISSION_GROUPS.tokensWrite),
          };
          state.tokens.push(created);
          return send(res, 200, ok({ id: created.id, name: created.name, status: "active", issued_on: created.issuedOn, ...(created.expiresOn ? { expires_on: created.expiresOn } : {}), policies: body.policies, value: created.value }));
        }
        return send(res, 405, cf([{ code: 10405, message: "Method not allowed" }]));
      }
      if (path === "/zones" && req.method === "GET") return send(res, 200, ok(url.searchParams.get("name") === zone ? [{ id: zoneId, name: zone, status: "active" }] : []));
      const records = new RegExp(`^/zones/${zoneId}/dns_records(?:/([^/]+))?$`).exec(path);
      if (!records) return send(res, 404, cf([{ code: 7003, message: "Could not route to this path" }]));
      // A token without Zone:DNS:Edit: 403 with code 10000 ("Authentication error").
      if (!token.dnsEdit) return send(res, 403, cf([{ code: 10000, message: "Authentication error" }]));
      if (req.method === "GET") {
        const name = url.searchParams.get("name");
        return send(res, 200, ok(state.records.filter((r) => !name || r.fqdn === name).map((r) => ({ id: r.id, type: "TXT", name: r.fqdn, content: `"${r.value}"`, ttl: 120, proxied: false }))));
      }
      if (req.method === "POST") {
        const body = (await readBody(req)) as { type: string; name: string; content: string };
        const record = { id: randomBytes(16).toString("hex"), fqdn: body.name, value: body.content };
        state.records.push(record);
        return send(res, 200, ok({ id: record.id, type: "TXT", name: record.fqdn, content: record.value, ttl: 120 }));
      }
      if (req.method === "DELETE" && records[1]) {
        remove(records[1]);
        return send(res, 200, ok({ id: records[1] }));
      }
      return send(res, 405, cf([{ code: 10405, message: "Method not allowed" }]));
    }
    if (url.pathname.startsWith("/v2/")) {
      if (!state.doTokens.has(bearer)) return send(res, 401, { id: "Unauthorized", message: "Unable to authenticate you" });
      const m = /^\/v2\/domains\/([^/]+)\/records(?:\/(\d+))?$/.exec(url.pathname);
      if (!m || m[1] !== zone) return send(res, 404, { id: "not_found", message: "The resource you were accessing could not be found." });
      const full = (name: string) => (name === "@" ? zone : `${name}.${zone}`);
      if (req.method === "GET") {
        const name = url.searchParams.get("name");
        const list = state.records.filter((r) => !name || r.fqdn === name).map((r) => ({ id: Number(r.id), type: "TXT", name: r.fqdn.slice(0, -(zone.length + 1)), data: r.value, ttl: 60, priority: null, port: null, weight: null, flags: null, tag: null }));
        return send(res, 200, { domain_records: list, links: {}, meta: { total: list.length } });
      }
      if (req.method === "POST") {
        const body = (await readBody(req)) as { type: string; name: string; data: string; ttl: number };
        const record = { id: String(Math.floor(Math.random() * 1e8)), fqdn: full(body.name), value: body.data };
        state.records.push(record);
        return send(res, 201, { domain_record: { id: Number(record.id), type: "TXT", name: body.name, data: body.data, ttl: body.ttl, priority: null, port: null, weight: null, flags: null, tag: null } });
      }
      if (req.method === "DELETE" && m[2]) {
        remove(m[2]);
        res.writeHead(204);
        return res.end();
      }
    }
    send(res, 404, { message: "not found" });
  };

  const http: Server = createServer((req, res) => void handle(req, res).catch(() => send(res, 500, { message: "fake failed" })));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  const httpPort = (http.address() as { port: number }).port;

  const dns: Socket = createSocket("udp4");
  dns.on("message", (raw, peer) => {
    let query;
    try {
      query = decodeMessage(raw).message;
    } catch {
      return;
    }
    const q = query.questions[0];
    if (!q) return;
    const name = canonicalName(q.name);
    const inZone = name === zone || name.endsWith(`.${zone}`);
    const answers: ResourceRecord[] = [];
    const additionals: ResourceRecord[] = [];
    if (q.type === RRTYPE.SOA && name === zone) answers.push({ name: zone, class: 1, ttl: 60, rdata: { type: "SOA", mname: `ns1.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 60, retry: 60, expire: 600, minimum: 1 } });
    if (q.type === RRTYPE.NS && name === zone) {
      answers.push({ name: zone, class: 1, ttl: 60, rdata: { type: "NS", host: `ns1.${zone}` } });
      additionals.push({ name: `ns1.${zone}`, class: 1, ttl: 60, rdata: { type: "A", address: "127.0.0.1" } });
    }
    if (q.type === RRTYPE.A && name === `ns1.${zone}`) answers.push({ name, class: 1, ttl: 60, rdata: { type: "A", address: "127.0.0.1" } });
    if (q.type === RRTYPE.TXT) for (const r of state.records) if (r.fqdn === name) answers.push({ name, class: 1, ttl: 60, rdata: { type: "TXT", strings: [r.value] } });
    const known = answers.length > 0 || name === zone || name === `ns1.${zone}`;
    const reply = encodeMessage({
      id: query.id,
      flags: { qr: true, opcode: 0, aa: inZone, tc: false, rd: query.flags.rd, ra: false, rcode: !inZone ? 5 : known ? 0 : 3 },
      questions: [q],
      answers,
      authorities: [],
      additionals,
    });
    dns.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((r) => dns.bind(0, "127.0.0.1", () => r()));

  return Object.assign(state, {
    cloudflareUrl: `http://127.0.0.1:${httpPort}/client/v4`,
    digitaloceanUrl: `http://127.0.0.1:${httpPort}`,
    dnsPort: dns.address().port,
    async close() {
      dns.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  });
}
