/**
 * The controller's small HTTP server: `/healthz`, `/readyz`, and routes other parts register
 * (`/v1/cert.pem`, `/v1/verify`, `/metrics` …). One node:http server, exact-path routing,
 * buffered bodies with a size cap; handler failures answer 500 without leaking details.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { StructuredLogger as ControllerLogger } from "../log.js";
import { readAll } from "../stream-read.js";

/** Where to listen: `host` undefined means all interfaces; port 0 picks a free port. */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/** What a route handler sees of a request. */
export interface HttpRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a route handler answers. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** Answers one request; a thrown error becomes a 500 without details. */
export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

/** The part of the server colleagues use: register a route. */
export interface RouteRegistry {
  /**
   * Serves `method path` (exact path match) with `handler`.
   * @throws Error when the same method and path are registered twice.
   */
  addRoute(method: string, path: string, handler: RouteHandler): void;
}

/** A readiness or liveness verdict; `reason` is shown in the response body. */
export interface ProbeResult {
  ok: boolean;
  reason: string;
}

/** Logger and body limit of an HttpServer. */
export interface HttpServerOptions {
  log?: ControllerLogger;
  /** Largest accepted request body; larger ones answer 413. Default 4 MiB. */
  maxBodyBytes?: number;
}

/** The bound address of a listening server. */
export interface BoundAddress {
  host: string;
  port: number;
}

/** A node:http server with probes and registered routes. */
export class HttpServer implements RouteRegistry {
  readonly #routes = new Map<string, RouteHandler>();
  readonly #maxBody: number;
  readonly #log: ControllerLogger | undefined;
  #server: Server | undefined;
  #ready: () => ProbeResult = () => ({ ok: true, reason: "ok" });
  #live: () => ProbeResult = () => ({ ok: true, reason: "ok" });

  constructor(options: HttpServerOptions = {}) {
    this.#maxBody = options.maxBodyBytes ?? 4 * 1024 * 1024;
    this.#log = options.log;
    this.addRoute("GET", "/healthz", async () => probeResponse(this.#live()));
    this.addRoute("GET", "/readyz", async () => probeResponse(this.#ready()));
  }

  addRoute(method: string, path: string, handler: RouteHandler): void {
    const key = `${method.toUpperCase()} ${path}`;
    if (this.#routes.has(key)) throw new Error(`route registered twice: ${key} (register each route once)`);
    this.#routes.set(key, handler);
  }

  /** Sets what `/readyz` reports. */
  setReadiness(check: () => ProbeResult): void {
    this.#ready = check;
  }

  /** Sets what `/healthz` reports. */
  setLiveness(check: () => ProbeResult): void {
    this.#live = check;
  }

  /**
   * Starts listening.
   * @throws Error when the address cannot be bound (in use, not permitted).
   */
  async listen(address: ListenAddress): Promise<BoundAddress> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        this.#log?.error({ err: errorSummary(err) }, "http handler failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal error\n");
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address.port, address.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    const bound = server.address() as AddressInfo;
    return { host: bound.address, port: bound.port };
  }

  /** Stops listening and closes idle and active connections; resolves when closed. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    const handler = this.#routes.get(`${method} ${url.pathname}`) ?? (method === "HEAD" ? this.#routes.get(`GET ${url.pathname}`) : undefined);
    if (!handler) {
      const known = [...this.#routes.keys()].some((k) => k.endsWith(` ${url.pathname}`));
      req.resume();
      res.writeHead(known ? 405 : 404, { "content-type": "text/plain" });
      res.end(known ? "method not allowed\n" : "not found\n");
      return;
    }
    const body = await readBody(req, this.#maxBody);
    if (body === null) {
      res.writeHead(413, { "content-type": "text/plain", connection: "close" });
      res.end("request body too large\n");
      return;
    }
    const answer = await handler({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    const payload = typeof answer.body === "string" ? Buffer.from(answer.body) : answer.body;
    res.writeHead(answer.status, { "content-length": String(payload.length), ...answer.headers });
    res.end(method === "HEAD" ? undefined : payload);
  }
}

function probeResponse(result: ProbeResult): HttpResponse {
  return { status: result.ok ? 200 : 503, headers: { "content-type": "text/plain" }, body: `${result.reason}\n` };
}

/** Reads the whole body; `null` when it exceeds `max` bytes (the rest is drained, not kept). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return readAll(req, max);
}

function errorSummary(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: "unknown", message: String(err) };
}
