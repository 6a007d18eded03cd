/**
 * A tiny HTTP client for the Vault test server's own tests: one call → status, parsed body,
 * headers and raw text. It uses `node:http` with a keep-alive agent (as node-vault's axios does),
 * which can send Vault's `LIST` method as it is.
 */
import { Agent, request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";

/** One answer. */
export interface VaultAnswer {
  status: number;
  body: any;
  text: string;
  headers: IncomingHttpHeaders;
}

/** Options of {@link call}. */
export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send this string as the body instead of JSON. */
  raw?: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * Sends `method /v1/path` to `addr` and reads the whole answer.
 * @throws Error when the connection fails.
 */
export async function call(addr: string, method: string, path: string, opts: CallOptions = {}): Promise<VaultAnswer> {
  try {
    return await callOnce(addr, method, path, opts);
  } catch (err) {
    // A kept-alive socket the server closed (a restarted node) fails once; Node's docs advise a retry.
    if ((err as { reusedSocket?: boolean }).reusedSocket) return callOnce(addr, method, path, opts);
    throw err;
  }
}

function callOnce(addr: string, method: string, path: string, opts: CallOptions): Promise<VaultAnswer> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers["X-Vault-Token"] = opts.token;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] ??= "application/json";
  }
  if (body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(`${addr}/v1/${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown = null;
        try {
          parsed = text === "" ? null : JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers });
      });
    });
    req.on("error", (err) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
    req.end(body);
  });
}
