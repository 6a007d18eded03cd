/**
 * One Vault node's HTTP server on 127.0.0.1: path cleaning (Go's ServeMux answers 301 to the
 * cleaned path), `/v1/` routing, token headers (`X-Vault-Token`, else `Authorization: Bearer`),
 * method → operation (LIST and `?list=true`), body parsing and size limit, faults and counters,
 * and the JSON replies with `Cache-Control: no-store` (vault-api.md §1).
 */
import { listenRaw } from "./http1.js";
import type { RawRequest, RawResponse, RawServer } from "./http1.js";
import type { Operation } from "./backend.js";
import type { ClusterCore } from "./core.js";
import { errorReply } from "./envelope.js";
import type { VaultReply } from "./envelope.js";
import type { Body } from "./fields.js";
import { jsonSyntaxText } from "./fields.js";
import type { Faults, RequestCounter } from "./faults.js";
import { handleLogical } from "./router.js";
import { handleSealEndpoint, sealEndpointPaths } from "./sys-seal-endpoints.js";

const maxRequestBytes = 32 * 1024 * 1024;

/** Go's path.Clean for a URL path. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  const cleaned = `/${out.join("/")}`;
  return p.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned;
}

function parseLogicalBody(raw: string, contentType: string): { body: Body } | { reply: VaultReply } {
  const trimmed = raw.trim();
  if (trimmed === "") return { body: {} };
  if (contentType.startsWith("application/x-www-form-urlencoded") && !/^[{[]/.test(trimmed)) {
    return { body: Object.fromEntries(new URLSearchParams(trimmed)) };
  }
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { reply: errorReply(400, ["failed to parse JSON input: json: cannot unmarshal array into Go value of type map[string]interface {}"]) };
    }
    return { body: parsed as Body };
  } catch (err) {
    return { reply: errorReply(400, [`failed to parse JSON input: ${jsonSyntaxText(err)}`]) };
  }
}

function operationFor(method: string, query: URLSearchParams): Operation | "bad-list" | null {
  switch (method) {
    case "GET": {
      const list = query.get("list");
      if (list === null) return "read";
      if (["1", "t", "T", "true", "TRUE", "True"].includes(list)) return "list";
      if (["0", "f", "F", "false", "FALSE", "False"].includes(list)) return "read";
      return "bad-list";
    }
    case "LIST":
      return "list";
    case "POST":
    case "PUT":
      return "update";
    case "DELETE":
      return "delete";
    case "PATCH":
      return "patch";
    default:
      return null;
  }
}

/** One node of a test cluster. */
export class VaultNode {
  private server: RawServer | null = null;
  private port = 0;

  constructor(
    readonly index: number,
    private readonly core: ClusterCore,
    private readonly faults: Faults,
    private readonly counter: RequestCounter,
    private readonly addrs: () => readonly string[],
  ) {}

  /** `http://127.0.0.1:PORT` once listening. */
  get addr(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts listening (on the previous port after a restart, else a free one). */
  async listen(): Promise<void> {
    this.server = await listenRaw(this.port, (req) => this.serve(req), maxRequestBytes);
    this.port = this.server.port;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) await server.close();
  }

  private async serve(req: RawRequest): Promise<RawResponse> {
    let reply: VaultReply;
    try {
      reply = await this.route(req);
    } catch (err) {
      reply = errorReply(500, [(err as Error).message]);
    }
    const headers: Record<string, string> = { "Cache-Control": "no-store", ...(reply.headers ?? {}) };
    if (reply.body !== undefined) headers["Content-Type"] = "application/json";
    return { status: reply.status, headers, ...(reply.body !== undefined ? { body: JSON.stringify(reply.body) } : {}) };
  }

  private async route(req: RawRequest): Promise<VaultReply> {
    const method = req.method.toUpperCase();
    const url = new URL(req.target, "http://127.0.0.1");
    const pathname = url.pathname;
    this.counter.record(method, pathname);
    const delay = this.faults.delayFor(pathname);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const fault = this.faults.failureFor(pathname);
    if (fault !== null) return fault;
    const cleaned = cleanPath(pathname);
    if (cleaned !== pathname) return { status: 301, headers: { Location: `${cleaned}${url.search}` } };
    if (!pathname.startsWith("/v1/")) return errorReply(404, []);
    const raw = req.body.toString("utf8");
    let path = pathname.slice(4);
    const node = this.core.nodeSeals[this.index];
    if (sealEndpointPaths.has(path.replace(/\/$/, ""))) {
      return handleSealEndpoint(this.core, { path: path.replace(/\/$/, ""), method, query: url.searchParams, rawBody: raw, node: this.index, addrs: this.addrs() });
    }
    const op = operationFor(method, url.searchParams);
    if (op === null) return errorReply(405, []);
    if (op === "bad-list") return errorReply(400, []);
    const contentType = (req.headers["content-type"] ?? "").toLowerCase();
    if (op === "patch" && !contentType.startsWith("application/merge-patch+json")) {
      return errorReply(415, [`PATCH requires Content-Type of application/merge-patch+json, provided ${contentType}`]);
    }
    const parsed = parseLogicalBody(raw, contentType);
    if ("reply" in parsed) return parsed.reply;
    if (op === "list" && !path.endsWith("/")) path += "/";
    // `X-Vault-Request: true` is accepted and ignored: only Vault Agent's auto-auth listener requires
    // it (SSRF protection, hashicorp/vault#7627); the server itself does not.
    const xToken = req.headers["x-vault-token"];
    const auth = req.headers["authorization"];
    const token =
      typeof xToken === "string" ? xToken : typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice(7).trim() : null;
    const core = this.core;
    const index = this.index;
    return handleLogical(core, {
      index,
      sealed: node?.sealed ?? true,
      standby: core.haEnabled && core.storage.activeNode !== index,
      seal: () => node?.seal(core.storage, core.nodeSeals),
      stepDown: () => node?.stepDown(core.storage, core.nodeSeals),
    }, {
      operation: op,
      path,
      query: url.searchParams,
      data: parsed.body,
      token,
      remoteAddr: req.remoteAddress,
    });
  }
}
