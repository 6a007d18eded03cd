/**
 * Shared HTTP plumbing of the resource handlers: the context and parsed request they receive,
 * JSON/Table answers, request body decoding (JSON, YAML, kubectl's protobuf) and list items.
 */
import type { RbacSource } from "./rbac.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import type { TokenAuthority, UserInfo } from "./auth.js";
import type { Faults } from "./faults.js";
import { decodeProtobufObject, isProtobuf } from "./protobuf.js";
import type { ProxyBackends } from "./proxy.js";
import type { TypeRegistry } from "./registry.js";
import type { ResourcePath } from "./request-path.js";
import type { ResourceType } from "./resource-types.js";
import type { Semantics } from "./semantics.js";
import { badRequest } from "./status.js";
import type { ObjectStore } from "./store.js";

/** What the resource handler works on. */
export interface KubeContext {
  store: ObjectStore;
  registry: TypeRegistry;
  semantics: Semantics;
  faults: Faults;
  tokens: TokenAuthority;
  backends: ProxyBackends;
  bookmarkIntervalMs: number;
  /** The RBAC objects, for the access review endpoints. */
  rbac: RbacSource;
  /** The server's injected clock (Table Age cells, timestamps). */
  now: () => Date;
  /** Admission plugins that are on (kube-apiserver --enable-admission-plugins). */
  admission: { ownerReferencesPermissionEnforcement: boolean };
}

/** One resource request, parsed. */
export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  path: ResourcePath;
  type: ResourceType;
  verb: string;
  query: URLSearchParams;
  body: Buffer;
  user: UserInfo;
}

/** Content-Type of Table answers. */
export const TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  // A Warning set before (a deprecated version) comes first, as kube-apiserver's warning recorder orders them.
  const prior = res.getHeader("Warning");
  if (prior !== undefined && headers["Warning"] !== undefined) headers = { ...headers, Warning: `${String(prior)}, ${headers["Warning"]}` };
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Decodes a request body: kubectl's protobuf, YAML (apply patches) or JSON; undefined when empty.
 * @throws ApiError 400 for an undecodable body.
 */
export function parseBody(r: ResourceRequest): unknown {
  const ct = r.req.headers["content-type"];
  if (isProtobuf(ct)) {
    try {
      return decodeProtobufObject(r.body);
    } catch (e) {
      throw badRequest(`the body of the request was in an unknown format - ${(e as Error).message}`);
    }
  }
  const text = r.body.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return (ct ?? "").includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    const kind = r.type.kind;
    throw badRequest(`${kind} in version "${r.type.version}" cannot be handled as a ${kind}: ${(e as Error).message}`);
  }
}

/** `Warning` response headers (299) for fieldValidation=Warn and friends. */
export function warningHeaders(warnings: string[]): Record<string, string> {
  return warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") } : {};
}

/** A list item: built-in lists carry no per-item kind/apiVersion (typed lists), custom ones do. */
export function itemForList(t: ResourceType, o: KubeObject): KubeObject {
  if (t.custom) return o;
  const rest: KubeObject = { ...o };
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}
