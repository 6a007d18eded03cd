/**
 * A minimal HTTPS JSON client for the real kube-apiserver (and a plain one for OpenBao), used by
 * the launcher and the real-tier tests for setup and for reading state back — deliberately not the
 * product's client, so a test never proves the product with the product.
 */
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";

/** A response: status and parsed JSON body (text when not JSON, undefined when empty). */
export interface JsonResponse {
  status: number;
  body: unknown;
  text: string;
}

/** Sends one request with a JSON body (or a patch body when contentType says so). */
export function jsonRequest(
  url: string,
  method: string,
  opts: { ca?: string; token?: string; vaultToken?: string; body?: unknown; contentType?: string; timeoutMs?: number } = {},
): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (payload !== undefined) headers["Content-Type"] = opts.contentType ?? "application/json";
    if (opts.token !== undefined) headers["Authorization"] = `Bearer ${opts.token}`;
    if (opts.vaultToken !== undefined) headers["X-Vault-Token"] = opts.vaultToken;
    const request = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(u, { method, headers, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let body: unknown = undefined;
        if (text !== "") {
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Requests against one API server as one identity. */
export class KubeHttp {
  constructor(
    readonly url: string,
    readonly caPem: string,
    readonly token: string,
  ) {}

  /** Any request; the raw response. */
  send(method: string, path: string, body?: unknown, contentType?: string): Promise<JsonResponse> {
    return jsonRequest(`${this.url}${path}`, method, { ca: this.caPem, token: this.token, ...(body !== undefined ? { body } : {}), ...(contentType !== undefined ? { contentType } : {}) });
  }

  /**
   * A request that must succeed (2xx; with `allow`, those statuses too).
   * @throws Error with the method, path, status and the server's message.
   */
  async must<T = unknown>(method: string, path: string, body?: unknown, opts: { allow?: number[]; contentType?: string } = {}): Promise<T> {
    const res = await this.send(method, path, body, opts.contentType);
    if ((res.status < 200 || res.status >= 300) && !(opts.allow ?? []).includes(res.status)) {
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
    }
    return res.body as T;
  }

  /** GET an object; undefined on 404. */
  async get<T = unknown>(path: string): Promise<T | undefined> {
    const res = await this.send("GET", path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
    return res.body as T;
  }

  /** Creates an object, tolerating AlreadyExists. */
  async ensure(path: string, body: unknown): Promise<void> {
    await this.must("POST", path, body, { allow: [409] });
  }

  /** A TokenRequest token for a ServiceAccount (which must exist). */
  async serviceAccountToken(namespace: string, name: string, opts: { audiences?: string[]; expirationSeconds?: number } = {}): Promise<string> {
    const body = await this.must("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { ...(opts.audiences !== undefined ? { audiences: opts.audiences } : {}), expirationSeconds: opts.expirationSeconds ?? 86_400 },
    });
    return (body as { status: { token: string } }).status.token;
  }
}
