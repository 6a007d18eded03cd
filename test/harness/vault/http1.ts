/**
 * A minimal HTTP/1.1 server over `node:net`. Vault's API uses the non-standard `LIST` method, which
 * Node's own HTTP parser (llhttp) rejects with 400 before any handler runs, so the Vault test
 * server parses requests itself: request line, headers, bodies by Content-Length or chunked,
 * `Expect: 100-continue` (curl sends it for larger bodies), keep-alive and pipelining (requests on
 * one connection are answered in order), and a request size limit.
 */
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { STATUS_CODES } from "node:http";

/** A parsed request. */
export interface RawRequest {
  method: string;
  /** The request target as sent (`/v1/secret/data/x?version=2`). */
  target: string;
  /** Header names lowercased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  remoteAddress: string;
}

/** A response to write. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Handles one request. Must not throw (a throw becomes a 500). */
export type RawHandler = (req: RawRequest) => Promise<RawResponse>;

const maxHeadBytes = 64 * 1024;
const idleTimeoutMs = 30_000;

interface Framing {
  method: string;
  target: string;
  headers: Record<string, string>;
  headEnd: number;
  keepAlive: boolean;
}

function parseHead(buf: Buffer, end: number): Framing | null {
  const lines = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^([A-Z-]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0] ?? "");
  if (m === null) return null;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const conn = (headers["connection"] ?? "").toLowerCase();
  const keepAlive = m[3] === "1" ? !conn.includes("close") : conn.includes("keep-alive");
  return { method: m[1] ?? "GET", target: m[2] ?? "/", headers, headEnd: end + 4, keepAlive };
}

/** Decodes a complete chunked body starting at `start`; null when more bytes are needed. */
function parseChunked(buf: Buffer, start: number): { body: Buffer; end: number } | null {
  const parts: Buffer[] = [];
  let pos = start;
  for (;;) {
    const lineEnd = buf.indexOf("\r\n", pos);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(buf.subarray(pos, lineEnd).toString("latin1").split(";")[0] ?? "", 16);
    if (!Number.isFinite(size) || size < 0) throw new Error("bad chunk size");
    pos = lineEnd + 2;
    if (size === 0) {
      const trailerEnd = buf.indexOf("\r\n\r\n", pos - 2);
      if (trailerEnd < 0) return null;
      return { body: Buffer.concat(parts), end: trailerEnd + 4 };
    }
    if (buf.length < pos + size + 2) return null;
    parts.push(buf.subarray(pos, pos + size));
    pos += size + 2;
  }
}

function serialize(res: RawResponse, method: string, keepAlive: boolean): Buffer {
  const body = res.body === undefined || method === "HEAD" || res.status === 204 || res.status === 304 ? "" : res.body;
  const head = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? "Unknown"}`, `Date: ${new Date().toUTCString()}`];
  for (const [k, v] of Object.entries(res.headers)) head.push(`${k}: ${v}`);
  if (res.status !== 204 && res.status !== 304) head.push(`Content-Length: ${method === "HEAD" ? 0 : Buffer.byteLength(body)}`);
  head.push(`Connection: ${keepAlive ? "keep-alive" : "close"}`);
  if (keepAlive) head.push(`Keep-Alive: timeout=${idleTimeoutMs / 1000}`);
  return Buffer.from(`${head.join("\r\n")}\r\n\r\n${body}`, "utf8");
}

/** A listening raw HTTP server. */
export interface RawServer {
  readonly port: number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` (0 = a free port).
 * @throws Error when the port cannot be bound.
 */
export async function listenRaw(port: number, handler: RawHandler, maxBodyBytes: number): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    let buf: Buffer = Buffer.alloc(0);
    let busy = false;
    sockets.add(socket);
    socket.setNoDelay(true);
    // Idle connections close after 30 s; the Keep-Alive hint below lets clients' agents retire
    // them first. A connection waiting on a slow (fault-delayed) handler is not idle.
    socket.setTimeout(idleTimeoutMs, () => {
      if (busy) socket.setTimeout(idleTimeoutMs);
      else socket.destroy();
    });
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let continued = false;
    const fail = (status: number): void => {
      socket.end(serialize({ status, headers: { "Content-Type": "application/json" }, body: '{"errors":[]}' }, "GET", false));
      buf = Buffer.alloc(0);
    };
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (!socket.destroyed) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) {
            if (buf.length > maxHeadBytes) fail(431);
            return;
          }
          const head = parseHead(buf, end);
          if (head === null) return fail(400);
          let body: Buffer;
          let next: number;
          const te = (head.headers["transfer-encoding"] ?? "").toLowerCase();
          const length = Number.parseInt(head.headers["content-length"] ?? "0", 10) || 0;
          if (length > maxBodyBytes) {
            socket.end(serialize({ status: 413, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ errors: ["http: request body too large"] }) }, head.method, false));
            return;
          }
          const wantsContinue = (head.headers["expect"] ?? "").toLowerCase() === "100-continue";
          if (te.includes("chunked")) {
            let parsed: { body: Buffer; end: number } | null;
            try {
              parsed = parseChunked(buf, head.headEnd);
            } catch {
              return fail(400);
            }
            if (parsed === null) {
              if (wantsContinue && !continued) socket.write("HTTP/1.1 100 Continue\r\n\r\n");
              continued = true;
              return;
            }
            body = parsed.body;
            next = parsed.end;
          } else {
            if (buf.length < head.headEnd + length) {
              if (wantsContinue && !continued) socket.write("HTTP/1.1 100 Continue\r\n\r\n");
              continued = true;
              return;
            }
            body = buf.subarray(head.headEnd, head.headEnd + length);
            next = head.headEnd + length;
          }
          continued = false;
          buf = buf.subarray(next);
          let res: RawResponse;
          try {
            res = await handler({ method: head.method, target: head.target, headers: head.headers, body, remoteAddress: socket.remoteAddress ?? "127.0.0.1" });
          } catch (err) {
            res = { status: 500, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ errors: [(err as Error).message] }) };
          }
          if (socket.destroyed) return;
          socket.write(serialize(res, head.method, head.keepAlive));
          if (!head.keepAlive) {
            socket.end();
            return;
          }
        }
      } finally {
        busy = false;
      }
    };
    socket.on("data", (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      void pump().then(() => {
        if (buf.indexOf("\r\n\r\n") >= 0 && !busy) void pump();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
