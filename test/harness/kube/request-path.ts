/**
 * Parsing of kube-apiserver request paths into the request attributes the handler and the RBAC
 * authorizer need (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb).
 */
import type { TypeRegistry } from "./registry.js";

/** A request for a resource (as opposed to a non-resource URL such as /version). */
export interface ResourcePath {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Path segments after the subresource (proxy paths). */
  tail: string[];
  /** True for the legacy `/watch/` path prefix. */
  watchPrefix: boolean;
}

/**
 * Splits `/api/v1/namespaces/demo/secrets/s1` and `/apis/g/v/...` into attributes; null for
 * non-resource paths (discovery, /version, /openapi, /healthz…). A namespace's own subresources
 * (`/api/v1/namespaces/demo/status`) are told apart from namespaced collections by the registry.
 */
export function parseResourcePath(path: string, registry: TypeRegistry): ResourcePath | null {
  const segs = path.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 2) {
    group = "";
    version = segs[1] ?? "";
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 3) {
    group = segs[1] ?? "";
    version = segs[2] ?? "";
    rest = segs.slice(3);
  } else return null;
  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return null;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const t = registry.find(group, version, rest[2] ?? "");
    if (t?.namespaced) {
      return {
        group, version, plural: rest[2] ?? "", namespace: rest[1], name: rest[3], subresource: rest[4], tail: rest.slice(5), watchPrefix,
      };
    }
  }
  return { group, version, plural: rest[0] ?? "", name: rest[1], subresource: rest[2], tail: rest.slice(3), watchPrefix };
}

/** The RBAC verb of a resource request (get/list/watch/create/update/patch/delete/deletecollection). */
export function requestVerb(method: string, p: ResourcePath, query: URLSearchParams): string {
  const watch = p.watchPrefix || query.get("watch") === "true" || query.get("watch") === "1";
  switch (method) {
    case "GET":
    case "HEAD":
      if (p.name === undefined || watch) return watch ? "watch" : "list";
      return "get";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return p.name === undefined ? "deletecollection" : "delete";
    default:
      return method.toLowerCase();
  }
}
