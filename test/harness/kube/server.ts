/**
 * The HTTPS front of the Kubernetes test server: HTTP/1.1 over TLS (kubectl sends bearer tokens
 * only over TLS), request counting, injected faults, authentication (401), RBAC authorization
 * (403), then discovery/OpenAPI (the kubectl-compatibility modules) or the resource handler.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { UserInfo } from "./auth.js";
import { discoveryResponse } from "./discovery.js";
import type { Counters } from "./faults.js";
import { impersonatedUser } from "./impersonation.js";
import { openapiResponse } from "./openapi.js";
import { authorize, type RbacSource, type RequestAttributes } from "./rbac.js";
import { sendJson, type KubeContext } from "./http-io.js";
import { handleResource } from "./resource-handler.js";
import { parseResourcePath, requestVerb } from "./request-path.js";
import {
  ApiError, forbidden, forbiddenPath, internalError, pathNotFound, serviceUnavailable, tooManyRequests, unauthorized,
} from "./status.js";
import type { ServerTls } from "./tls.js";

const ANONYMOUS: UserInfo = { username: "system:anonymous", groups: ["system:unauthenticated"] };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function injected(status: number): ApiError {
  if (status === 429) return tooManyRequests();
  if (status === 503) return serviceUnavailable("the server is currently unable to handle the request");
  if (status === 500) return internalError("etcdserver: request timed out");
  const e = internalError(`injected failure ${status}`);
  return new ApiError(status, { ...e.body, code: status });
}

function sendHarness(res: ServerResponse, r: { status: number; contentType: string; body: unknown }): void {
  if (Buffer.isBuffer(r.body) || r.body instanceof Uint8Array) {
    res.writeHead(r.status, { "Content-Type": r.contentType, "Content-Length": r.body.length });
    res.end(r.body);
    return;
  }
  sendJson(res, r.status, r.body, {}, r.contentType);
}

/** The HTTPS server; `listen` may be called again after `close` (restart, same port). */
export class KubeHttpServer {
  private server: Server | undefined;
  private port: number;

  constructor(
    private readonly ctx: KubeContext,
    private readonly tls: ServerTls,
    private readonly counters: Counters,
    private readonly rbac: RbacSource,
    port: number,
    /** Overrides /version's gitVersion (and major/minor) when set. */
    private readonly gitVersion?: string,
  ) {
    this.port = port;
  }

  /** Starts listening on 127.0.0.1 (port 0 picks a free one); resolves with the port. */
  listen(): Promise<number> {
    const server = createServer({ key: this.tls.keyPem, cert: this.tls.certPem }, (req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 5000;
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        this.port = (server.address() as AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** Stops listening and drops every connection, watches included. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.ctx.faults.dropWatches();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const pathWithQuery = `${url.pathname}${url.search}`;
    let rvBefore = this.ctx.store.currentRV();
    let status = 500;
    this.ctx.faults.noteArrival(req);
    try {
      const body = await readBody(req);
      const delay = this.ctx.faults.delayFor(pathWithQuery);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const fail = this.ctx.faults.failureFor(method, pathWithQuery);
      if (fail !== undefined) throw injected(fail);
      const caller = this.authenticate(req);
      const user = impersonatedUser(req.headers, caller, (a) => this.check(caller, a));
      // Taken after the awaits above, so concurrent requests' writes are not counted as ours
      // (writes themselves run synchronously inside route).
      rvBefore = this.ctx.store.currentRV();
      status = await this.route(req, res, method, url, body, user);
    } catch (e) {
      const err = e instanceof ApiError ? e : internalError(`internal error: ${(e as Error).message}`);
      status = err.code;
      if (!res.headersSent) sendJson(res, err.code, err.body, err.headers);
      else res.destroy();
    }
    const write = ["POST", "PUT", "PATCH", "DELETE"].includes(method) && this.ctx.store.currentRV() !== rvBefore;
    this.counters.add({ method, path: pathWithQuery, status, write });
  }

  /** Applies the gitVersion option to a /version answer. */
  private withVersion<T extends { body: unknown } | null>(d: T): T {
    const m = this.gitVersion ? /^v(\d+)\.(\d+)/.exec(this.gitVersion) : null;
    const body = d?.body as Record<string, unknown> | undefined;
    if (!d || !m || !body || typeof body["gitVersion"] !== "string") return d;
    return { ...d, body: { ...body, gitVersion: this.gitVersion, major: m[1], minor: m[2] } };
  }

  private authenticate(req: IncomingMessage): UserInfo {
    const h = req.headers.authorization;
    if (!h) return ANONYMOUS;
    const m = /^Bearer\s+(.+)$/i.exec(h.trim());
    if (!m) throw unauthorized();
    const user = this.ctx.tokens.authenticate(m[1] ?? "");
    if (!user) throw unauthorized();
    return user;
  }

  private check(user: UserInfo, a: RequestAttributes): boolean {
    return authorize(user, a, this.rbac);
  }

  private async route(req: IncomingMessage, res: ServerResponse, method: string, url: URL, body: Buffer, user: UserInfo): Promise<number> {
    const path = url.pathname;
    const accept = req.headers.accept;
    const rp = parseResourcePath(path, this.ctx.registry);
    if (!rp) {
      const verb = method.toLowerCase() === "head" ? "get" : method.toLowerCase() === "post" ? "create" : method.toLowerCase();
      if (!this.check(user, { resourceRequest: false, verb, path })) throw forbiddenPath(user.username, verb, path);
      if (["/healthz", "/livez", "/readyz"].includes(path)) {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("ok");
        return 200;
      }
      const types = this.ctx.registry.all();
      const d = this.withVersion(discoveryResponse(path, accept, types));
      const o = d ?? openapiResponse(path, accept, types, (t) => this.ctx.registry.customInfo(t)?.schema);
      if (!o) throw pathNotFound();
      sendHarness(res, o);
      return o.status;
    }
    const type = this.ctx.registry.find(rp.group, rp.version, rp.plural);
    if (!type) throw pathNotFound();
    const verb = requestVerb(method, rp, url.searchParams);
    const attrs: RequestAttributes = {
      resourceRequest: true, verb, apiGroup: rp.group, resource: rp.plural, subresource: rp.subresource,
      // RequestInfo treats a namespace's own name as its namespace (requestinfo.go).
      namespace: type.namespaced ? rp.namespace : type.group === "" && type.plural === "namespaces" ? rp.name : undefined, name: rp.name,
    };
    if (!this.check(user, attrs)) throw forbidden(user.username, verb, type, rp.subresource, attrs.namespace, rp.name);
    const deprecated = type.custom ? this.ctx.registry.customInfo(type)?.deprecationWarning : undefined;
    if (deprecated !== undefined) res.setHeader("Warning", `299 - ${JSON.stringify(deprecated)}`);
    return handleResource(this.ctx, { req, res, path: rp, type, verb, query: url.searchParams, body, user });
  }
}
