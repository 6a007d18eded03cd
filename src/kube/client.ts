/**
 * The KubeClient implementation: URLs built directly from the ResourceRef, requests over
 * node:http(s) with a keep-alive agent, JSON bodies, watches parsed line by line from the
 * chunked stream. No discovery round trips: every call already knows its resource.
 */
import { request as httpRequest } from "node:http";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { KubeConnection } from "./config.js";
import { KubeApiError } from "./errors.js";
import type { KubeRequestTarget } from "./errors.js";
import type { KubeClient, KubeObject, ListOptions, ObjectList, ResourceRef, WatchEnd, WatchEvent } from "./types.js";
import { readAll } from "../stream-read.js";

/** Timeouts and identification of an HttpKubeClient. */
export interface HttpKubeClientOptions {
  /** Per-request timeout for non-watch calls. Default 30 s. */
  requestTimeoutMs?: number;
  /** Server-side watch timeout; the informer re-watches when it ends. Default 5 min. */
  watchTimeoutSeconds?: number;
  /** Sent as the User-Agent header. */
  userAgent?: string;
}

interface Answer {
  status: number;
  body: unknown;
  /** The Retry-After header in milliseconds, when the server sent one in seconds. */
  retryAfterMs?: number;
}

/** `Retry-After: <seconds>` in milliseconds (HTTP dates are not used by the API server). */
function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  return Number(text) * 1000;
}

/** Builds `/api/v1/namespaces/ns/secrets/name` style paths. */
export function resourcePath(res: ResourceRef, namespace: string | undefined, name?: string, subresource?: string): string {
  let path = res.group === "" ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (res.namespaced && namespace !== undefined) path += `/namespaces/${encodeURIComponent(namespace)}`;
  path += `/${res.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

function resourceName(res: ResourceRef): string {
  return res.group === "" ? res.plural : `${res.plural}.${res.group}`;
}

function apiVersionOf(res: ResourceRef): string {
  return res.group === "" ? res.version : `${res.group}/${res.version}`;
}

function statusFields(body: unknown): { reason: string; message: string; code?: number } {
  if (body && typeof body === "object") {
    const b = body as { reason?: unknown; message?: unknown; code?: unknown };
    return {
      reason: typeof b.reason === "string" ? b.reason : "",
      message: typeof b.message === "string" ? b.message : "",
      ...(typeof b.code === "number" ? { code: b.code } : {}),
    };
  }
  return { reason: "", message: "" };
}

const REASON_BY_STATUS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

/** A KubeClient speaking HTTP to one API server. */
export class HttpKubeClient implements KubeClient {
  readonly #conn: KubeConnection;
  readonly #timeoutMs: number;
  readonly #watchTimeout: number;
  readonly #userAgent: string;

  constructor(connection: KubeConnection, options: HttpKubeClientOptions = {}) {
    this.#conn = connection;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#watchTimeout = options.watchTimeoutSeconds ?? 300;
    this.#userAgent = options.userAgent ?? "sealbridge";
  }

  async get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T | null> {
    const target = { verb: "get", resource: resourceName(res), namespace, name };
    const answer = await this.#send(target, "GET", resourcePath(res, namespace, name));
    if (answer.status === 404) return null;
    return this.#expect<T>(target, answer, res);
  }

  async list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const target = { verb: "list", resource: resourceName(res), namespace };
    const query = new URLSearchParams();
    if (opts.labelSelector) query.set("labelSelector", opts.labelSelector);
    if (opts.fieldSelector) query.set("fieldSelector", opts.fieldSelector);
    if (opts.limit !== undefined) query.set("limit", String(opts.limit));
    if (opts.continue) query.set("continue", opts.continue);
    const answer = await this.#send(target, "GET", resourcePath(res, namespace), query);
    const body = this.#expect<{ items?: T[]; metadata?: { resourceVersion?: string; continue?: string } }>(target, answer);
    const apiVersion = apiVersionOf(res);
    const items = (body.items ?? []).map((item) => (item.apiVersion && item.kind ? item : { ...item, apiVersion, kind: res.kind }));
    return {
      items,
      resourceVersion: body.metadata?.resourceVersion ?? "",
      ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}),
    };
  }

  async create<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T): Promise<T> {
    const namespace = res.namespaced ? obj.metadata.namespace : undefined;
    const target = { verb: "create", resource: resourceName(res), namespace, name: obj.metadata.name ?? obj.metadata.generateName };
    const body = { apiVersion: apiVersionOf(res), kind: res.kind, ...obj };
    return this.#expect<T>(target, await this.#send(target, "POST", resourcePath(res, namespace), undefined, body, "application/json"), res);
  }

  async replace<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T): Promise<T> {
    const namespace = res.namespaced ? obj.metadata.namespace : undefined;
    const name = obj.metadata.name ?? "";
    const target = { verb: "update", resource: resourceName(res), namespace, name };
    const body = { apiVersion: apiVersionOf(res), kind: res.kind, ...obj };
    return this.#expect<T>(target, await this.#send(target, "PUT", resourcePath(res, namespace, name), undefined, body, "application/json"), res);
  }

  async mergePatch<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, patch: unknown): Promise<T> {
    const target = { verb: "patch", resource: resourceName(res), namespace, name };
    const answer = await this.#send(target, "PATCH", resourcePath(res, namespace, name), undefined, patch, "application/merge-patch+json");
    return this.#expect<T>(target, answer, res);
  }

  /**
   * Server-side apply: `PATCH` with `application/apply-patch+yaml` (the JSON body is YAML) as
   * `fieldManager`; `force` takes over fields other managers own (a conflict answers 409 without it).
   */
  async apply<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T, opts: { fieldManager: string; force?: boolean }): Promise<T> {
    const namespace = res.namespaced ? obj.metadata.namespace : undefined;
    const name = obj.metadata.name ?? "";
    const target = { verb: "apply", resource: resourceName(res), namespace, name };
    const query = new URLSearchParams({ fieldManager: opts.fieldManager, force: String(opts.force ?? false) });
    const body = { apiVersion: apiVersionOf(res), kind: res.kind, ...obj };
    return this.#expect<T>(target, await this.#send(target, "PATCH", resourcePath(res, namespace, name), query, body, "application/apply-patch+yaml"), res);
  }

  /** Sends `{"status": status}` as a merge patch to the `/status` subresource. */
  async patchStatus<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, status: unknown): Promise<T> {
    const target = { verb: "patch status", resource: resourceName(res), namespace, name };
    const answer = await this.#send(target, "PATCH", resourcePath(res, namespace, name, "status"), undefined, { status }, "application/merge-patch+json");
    return this.#expect<T>(target, answer, res);
  }

  async delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<boolean> {
    const target = { verb: "delete", resource: resourceName(res), namespace, name };
    const body = opts?.propagationPolicy ? { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: opts.propagationPolicy } : undefined;
    const answer = await this.#send(target, "DELETE", resourcePath(res, namespace, name), undefined, body, body ? "application/json" : undefined);
    if (answer.status === 404) return false;
    this.#expect(target, answer);
    return true;
  }

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: { resourceVersion: string; labelSelector?: string; fieldSelector?: string; timeoutSeconds?: number },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    const target: KubeRequestTarget = { verb: "watch", resource: resourceName(res), namespace };
    const query = new URLSearchParams({ watch: "true", allowWatchBookmarks: "true", resourceVersion: opts.resourceVersion });
    const timeoutSeconds = opts.timeoutSeconds ?? this.#watchTimeout;
    query.set("timeoutSeconds", String(timeoutSeconds));
    if (opts.labelSelector) query.set("labelSelector", opts.labelSelector);
    if (opts.fieldSelector) query.set("fieldSelector", opts.fieldSelector);
    return new Promise<WatchEnd>((resolve) => {
      if (signal.aborted) {
        resolve({ gone: false });
        return;
      }
      let settled = false;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        req.destroy();
        resolve(end);
      };
      const onAbort = (): void => finish({ gone: false });
      signal.addEventListener("abort", onAbort, { once: true });
      const req = this.#open(target, "GET", resourcePath(res, namespace), query, undefined, undefined, 0, (response) => {
        if (response.statusCode !== 200) {
          void collect(response).then(
            (text) => {
              const status = response.statusCode ?? 0;
              if (status === 410) return finish({ gone: true });
              finish({ gone: false, error: this.#errorFrom(target, status, parseJson(text), retryAfterMs(response.headers["retry-after"])) });
            },
            (err: unknown) => finish({ gone: false, error: this.#networkError(target, err) }),
          );
          return;
        }
        response.setEncoding("utf8");
        let buffer = "";
        response.on("data", (chunk: string) => {
          buffer += chunk;
          let start = 0;
          for (let nl = buffer.indexOf("\n"); nl !== -1 && !settled; nl = buffer.indexOf("\n", start)) {
            const line = buffer.slice(start, nl).trim();
            start = nl + 1;
            if (line === "") continue;
            const event = parseJson(line) as { type?: string; object?: unknown } | undefined;
            if (!event || typeof event.type !== "string") {
              finish({ gone: false, error: new KubeApiError(target, 200, "InvalidWatchEvent", "unparsable watch event") });
              return;
            }
            if (event.type === "ERROR") {
              const st = statusFields(event.object);
              if (st.code === 410 || st.reason === "Expired" || st.reason === "Gone") return finish({ gone: true });
              return finish({ gone: false, error: new KubeApiError(target, st.code, st.reason || "WatchError", st.message) });
            }
            if (event.type === "ADDED" || event.type === "MODIFIED" || event.type === "DELETED" || event.type === "BOOKMARK") {
              try {
                onEvent({ type: event.type, object: event.object as T });
              } catch (err) {
                finish({ gone: false, error: err instanceof Error ? err : new Error(String(err)) });
                return;
              }
            }
          }
          buffer = buffer.slice(start);
        });
        response.on("end", () => finish({ gone: false }));
        response.on("error", (err) => finish({ gone: false, error: this.#networkError(target, err) }));
        response.on("close", () => finish({ gone: false }));
      });
      req.on("error", (err) => finish({ gone: false, error: this.#networkError(target, err) }));
      // A connection that silently died sends nothing, not even bookmarks: give up well after
      // the server's own timeout would have ended the watch.
      req.setTimeout((timeoutSeconds + 30) * 1000, () => req.destroy(Object.assign(new Error("watch idle too long"), { code: "Timeout" })));
    });
  }

  #expect<T>(target: KubeRequestTarget, answer: Answer, res?: ResourceRef): T {
    if (answer.status >= 200 && answer.status < 300) {
      const obj = answer.body as T;
      if (res && obj && typeof obj === "object") {
        const o = obj as unknown as KubeObject;
        if (!o.apiVersion) o.apiVersion = apiVersionOf(res);
        if (!o.kind) o.kind = res.kind;
      }
      return obj;
    }
    throw this.#errorFrom(target, answer.status, answer.body, answer.retryAfterMs);
  }

  #errorFrom(target: KubeRequestTarget, status: number, body: unknown, retryAfter?: number): KubeApiError {
    const st = statusFields(body);
    return new KubeApiError(target, status, st.reason || REASON_BY_STATUS[status] || "Unknown", st.message, retryAfter !== undefined ? { retryAfterMs: retryAfter } : {});
  }

  #networkError(target: KubeRequestTarget, err: unknown): KubeApiError {
    const code = (err as { code?: unknown })?.code;
    return new KubeApiError(target, undefined, typeof code === "string" ? code : "NetworkError", "", { cause: err });
  }

  async #send(target: KubeRequestTarget, method: string, path: string, query?: URLSearchParams, body?: unknown, contentType?: string): Promise<Answer> {
    const answer = await this.#sendOnce(target, method, path, query, body, contentType);
    if (answer.status !== 401) return answer;
    // Rotated tokens (projected service account tokens, exec plugins): re-read once and retry.
    this.#conn.invalidate();
    return this.#sendOnce(target, method, path, query, body, contentType);
  }

  #sendOnce(target: KubeRequestTarget, method: string, path: string, query?: URLSearchParams, body?: unknown, contentType?: string): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const req = this.#open(target, method, path, query, body, contentType, this.#timeoutMs, (response) => {
        collect(response).then(
          (text) => {
            const retryAfter = retryAfterMs(response.headers["retry-after"]);
            resolve({ status: response.statusCode ?? 0, body: parseJson(text), ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}) });
          },
          (err: unknown) => reject(this.#networkError(target, err)),
        );
      });
      req.on("error", (err) => reject(this.#networkError(target, err)));
      req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "Timeout" })));
    });
  }

  #open(
    _target: KubeRequestTarget,
    method: string,
    path: string,
    query: URLSearchParams | undefined,
    body: unknown,
    contentType: string | undefined,
    timeoutMs: number,
    onResponse: (res: IncomingMessage) => void,
  ) {
    const base = this.#conn.server;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const qs = query && [...query.keys()].length > 0 ? `?${query.toString()}` : "";
    const send = base.protocol === "http:" ? httpRequest : httpsRequest;
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.#userAgent };
    if (payload) {
      headers["content-type"] = contentType ?? "application/json";
      headers["content-length"] = String(payload.length);
    }
    const req = send({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[|\]$/g, ""),
      port: base.port || (base.protocol === "http:" ? 80 : 443),
      method,
      path: `${base.pathname.replace(/\/$/, "")}${path}${qs}`,
      agent: this.#conn.agent,
      headers,
      ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
    });
    req.on("response", onResponse);
    // Auth headers may need a refresh (token files, exec plugins): fetch them before sending.
    this.#conn.headers().then(
      (auth) => {
        for (const [k, v] of Object.entries(auth)) req.setHeader(k, v);
        req.end(payload);
      },
      (err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return req;
  }
}

async function collect(response: IncomingMessage): Promise<string> {
  return ((await readAll(response)) ?? Buffer.alloc(0)).toString("utf8");
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
