/**
 * The services/pods `proxy` subresource
 * (https://kubernetes.io/docs/tasks/access-application-cluster/access-cluster-services/#manually-constructing-apiserver-proxy-urls):
 * `/api/v1/namespaces/<ns>/services/<[scheme:]name[:port]>/proxy/<path>` forwards to a loopback
 * backend that the test registered for that service (or pod), since nothing here runs pods.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import { serviceUnavailable } from "./status.js";

/** Where proxied requests go, by `services/<ns>/<name>` or `pods/<ns>/<name>`. */
export class ProxyBackends {
  private readonly backends = new Map<string, string>();

  /** Registers (or, with null, removes) the backend base URL of a service or pod. */
  set(kind: "services" | "pods", namespace: string, name: string, baseUrl: string | null): void {
    const key = `${kind}/${namespace}/${name}`;
    if (baseUrl === null) this.backends.delete(key);
    else this.backends.set(key, baseUrl.replace(/\/+$/, ""));
  }

  /** The backend base URL, or undefined. */
  get(kind: string, namespace: string, name: string): string | undefined {
    return this.backends.get(`${kind}/${namespace}/${name}`);
  }

  /** Forgets every backend. */
  clear(): void {
    this.backends.clear();
  }
}

/** Splits `https:name:port` / `name:port` / `name` into its parts. */
export function parseProxyName(raw: string): { scheme?: string; name: string; port?: string } {
  const parts = raw.split(":");
  if (parts.length === 3) return { scheme: parts[0], name: parts[1] ?? "", port: parts[2] };
  if (parts.length === 2) return { name: parts[0] ?? "", port: parts[1] };
  return { name: raw };
}

const HOP_HEADERS = new Set(["authorization", "host", "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-authorization"]);

/**
 * Forwards `req` (whose body was already read into `body`) to `baseUrl` + `/` + `tail` + query,
 * streaming the answer back. The caller's bearer token is not forwarded, as the real proxy.
 * @throws ApiError 503 when the backend cannot be reached.
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  baseUrl: string,
  tail: string[],
  search: string,
): Promise<number> {
  const target = new URL(`${baseUrl}/${tail.map(encodeURIComponent).join("/")}${search}`);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
  headers["content-length"] = String(body.length);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(target, { method: req.method, headers, rejectUnauthorized: false }, (up) => {
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) h[k] = v;
      res.writeHead(up.statusCode ?? 502, h);
      up.pipe(res);
      up.on("end", () => resolve(up.statusCode ?? 502));
      up.on("error", () => resolve(up.statusCode ?? 502));
    });
    out.on("error", (e) => reject(serviceUnavailable(`error trying to reach service: ${e.message}`)));
    out.end(body);
  });
}
