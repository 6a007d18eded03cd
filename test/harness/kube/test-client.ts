/**
 * A plain HTTPS client for tests of the Kubernetes test server: one request with the server's
 * CA and a bearer token, and a watch reader that collects newline-delimited events. (Node 20's
 * global fetch cannot take a CA without the undici package, which is not a dependency.)
 */
import { request, type RequestOptions } from "node:https";
import type { IncomingHttpHeaders } from "node:http";

/** Where to send and as whom. */
export interface Target {
  url: string;
  caPem: string;
  /** Bearer token; null sends none. */
  token: string | null;
}

/** A completed answer. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when it was not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function options(t: Target, method: string, path: string, headers: Record<string, string>): RequestOptions & { href: URL } {
  const href = new URL(path, t.url);
  const h: Record<string, string> = { ...headers };
  if (t.token !== null) h["Authorization"] = `Bearer ${t.token}`;
  return { href, method, headers: h, ca: t.caPem };
}

/**
 * Sends one request; a JS object body is sent as JSON (or the given content type). A pooled
 * keep-alive connection that the server closed (restart) is retried once on a new one.
 */
export async function send(
  t: Target,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const h: Record<string, string> = { Accept: "application/json", ...headers };
  let payload: Buffer | undefined;
  if (body !== undefined) {
    payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    h["Content-Type"] ??= "application/json";
    // Node sends DELETE bodies without a length unless told (no chunked default for DELETE).
    h["Content-Length"] = String(payload.length);
  }
  const o = options(t, method, path, h);
  try {
    return await sendOnce(o, payload);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ECONNRESET" && code !== "EPIPE") throw e;
    return sendOnce(o, payload);
  }
}

function sendOnce(o: RequestOptions & { href: URL }, payload: Buffer | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(o.href, o, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * POSTs `obj` to `path` as the server's admin, for tests of other servers that need Kubernetes
 * objects (ServiceAccounts, RBAC for a TokenReview); resolves with the HTTP status.
 */
export async function createAsAdmin(server: { url: string; caPem: string; adminToken: string }, path: string, obj: unknown): Promise<number> {
  return (await send({ url: server.url, caPem: server.caPem, token: server.adminToken }, "POST", path, obj)).status;
}

/** An open watch stream. */
export interface WatchReader {
  status: Promise<number>;
  /** Events received so far (`{type, object}`). */
  events: { type: string; object: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Resolves when at least `n` events arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ended the stream; `aborted` is true when it was cut. */
  ended: Promise<{ aborted: boolean }>;
  close(): void;
}

/** Opens a watch (the path must carry `watch=true`). */
export function openWatch(t: Target, path: string, headers: Record<string, string> = {}): WatchReader {
  const o = options(t, "GET", path, { Accept: "application/json", ...headers });
  const events: WatchReader["events"] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let buf = "";
  let resolveStatus: (n: number) => void = () => undefined;
  let resolveEnd: (v: { aborted: boolean }) => void = () => undefined;
  const status = new Promise<number>((r) => (resolveStatus = r));
  const ended = new Promise<{ aborted: boolean }>((r) => (resolveEnd = r));
  const req = request(o.href, o, (res) => {
    resolveStatus(res.statusCode ?? 0);
    res.setEncoding("utf8");
    res.on("data", (c: string) => {
      buf += c;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim() !== "") events.push(JSON.parse(line) as WatchReader["events"][number]);
      }
      for (const w of [...waiters]) {
        if (events.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    res.on("end", () => resolveEnd({ aborted: false }));
    res.on("aborted", () => resolveEnd({ aborted: true }));
    res.on("error", () => resolveEnd({ aborted: true }));
  });
  req.on("error", () => {
    resolveStatus(0);
    resolveEnd({ aborted: true });
  });
  req.end();
  return {
    status,
    events,
    ended,
    waitFor(n, timeoutMs = 5000) {
      if (events.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`watch: ${events.length} of ${n} events after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    close() {
      req.destroy();
    },
  };
}
