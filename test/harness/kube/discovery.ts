/**
 * Discovery documents of the Kubernetes test server, built from the resource registry:
 * `/version`, `/api`, `/apis` (legacy APIVersions / APIGroupList, or the aggregated
 * `apidiscovery.k8s.io/v2` APIGroupDiscoveryList when the Accept header asks for it),
 * `/api/v1`, `/apis/<group>` and `/apis/<group>/<version>`.
 * Shapes: shared/reference/kubectl-requests.md §0.1, §0.5, §4, §7.
 */
import { acceptsPlainJson, cleanPath, parseAccept } from "./media-types.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";
import { pathNotFound } from "./status.js";

export interface HarnessResponse {
  status: number;
  contentType: string;
  /** JSON-serialisable value, or raw bytes. */
  body: unknown;
}

/**
 * What `/version` says. kubectl on this machine is a dispatcher that picks its real binary from
 * `minor` (§0.1): "32" makes it run kubectl 1.32, the version kubectl-requests.md recorded.
 */
export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-04-22T00:00:00Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
} as const;

const JSON_TYPE = "application/json";
const DISCOVERY_GROUP = "apidiscovery.k8s.io";

/** How a subresource is described: its kind (when not the parent's) and verbs. */
interface SubresourceShape {
  group?: string;
  version?: string;
  kind?: string;
  verbs: string[];
}

function subresourceShape(t: ResourceType, sub: string): SubresourceShape {
  switch (sub) {
    case "token":
      return { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] };
    case "scale":
      return { group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] };
    case "proxy":
      return { kind: `${t.kind}ProxyOptions`, verbs: ["create", "delete", "get", "patch", "update"] };
    case "finalize":
      return { verbs: ["update"] };
    default:
      return { verbs: ["get", "patch", "update"] };
  }
}

function rank(v: string): [number, number, number, string] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0, v];
  const major = Number(m[1]);
  if (m[2] === undefined) return [0, -major, 0, v];
  return [m[2] === "beta" ? 1 : 2, -major, -Number(m[3]), v];
}

/**
 * Orders versions as Kubernetes prefers them: GA before beta before alpha before anything
 * else, higher numbers first (k8s.io/apimachinery version.CompareKubeAwareVersionStrings).
 */
export function sortVersionsByPriority(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < 3; i++) {
      const d = (ra[i] as number) - (rb[i] as number);
      if (d !== 0) return d;
    }
    return ra[3] < rb[3] ? -1 : ra[3] > rb[3] ? 1 : 0;
  });
}

/** Non-core groups in registry order, each with its versions in priority order. */
function groupsOf(types: readonly ResourceType[]): Map<string, string[]> {
  const raw = new Map<string, string[]>();
  for (const t of types) {
    if (t.group === "") continue;
    const vs = raw.get(t.group) ?? [];
    vs.push(t.version);
    raw.set(t.group, vs);
  }
  const out = new Map<string, string[]>();
  for (const [g, vs] of raw) out.set(g, sortVersionsByPriority(vs));
  return out;
}

function groupEntry(group: string, versions: string[]): Record<string, unknown> {
  const gv = (v: string) => ({ groupVersion: `${group}/${v}`, version: v });
  return { name: group, versions: versions.map(gv), preferredVersion: gv(versions[0] ?? "") };
}

function legacyResources(t: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
  if (t.shortNames.length > 0) main["shortNames"] = t.shortNames;
  if (t.categories.length > 0) main["categories"] = t.categories;
  const subs = t.subresources.map((sub) => {
    const s = subresourceShape(t, sub);
    const entry: Record<string, unknown> = { name: `${t.plural}/${sub}`, singularName: "", namespaced: t.namespaced };
    if (s.group !== undefined) entry["group"] = s.group;
    if (s.version !== undefined) entry["version"] = s.version;
    entry["kind"] = s.kind ?? t.kind;
    entry["verbs"] = s.verbs;
    return entry;
  });
  return [main, ...subs];
}

/** The legacy APIResourceList of one group-version (`/api/v1`, `/apis/<g>/<v>`). */
function resourceList(groupVersion: string, types: ResourceType[]): Record<string, unknown> {
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources: types.flatMap(legacyResources) };
}

function aggregatedResource(t: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames.length > 0) r["shortNames"] = t.shortNames;
  if (t.categories.length > 0) r["categories"] = t.categories;
  if (t.subresources.length > 0) {
    r["subresources"] = t.subresources.map((sub) => {
      const s = subresourceShape(t, sub);
      return {
        subresource: sub,
        responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: s.kind ?? t.kind },
        verbs: s.verbs,
      };
    });
  }
  return r;
}

function aggregatedGroup(name: string, versions: string[], types: readonly ResourceType[]): Record<string, unknown> {
  return {
    metadata: { name },
    versions: versions.map((v) => ({
      version: v,
      resources: types.filter((t) => t.group === name && t.version === v).map(aggregatedResource),
      freshness: "Current",
    })),
  };
}

/** The aggregated discovery version the Accept header asks for first, or null for legacy. */
function aggregatedVersionWanted(accept: string | undefined): "v2" | "v2beta1" | null {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return null;
  for (const r of ranges) {
    const p = r.params;
    if (r.type === JSON_TYPE && p["as"] === "APIGroupDiscoveryList" && p["g"] === DISCOVERY_GROUP && (p["v"] === "v2" || p["v"] === "v2beta1")) {
      return p["v"];
    }
    if (acceptsPlainJson(r)) return null;
  }
  return null;
}

function aggregated(version: "v2" | "v2beta1", items: Record<string, unknown>[]): HarnessResponse {
  return {
    status: 200,
    contentType: `${JSON_TYPE};g=${DISCOVERY_GROUP};v=${version};as=APIGroupDiscoveryList`,
    body: { kind: "APIGroupDiscoveryList", apiVersion: `${DISCOVERY_GROUP}/${version}`, metadata: {}, items },
  };
}

function ok(body: unknown): HarnessResponse {
  return { status: 200, contentType: JSON_TYPE, body };
}

function notFound(): HarnessResponse {
  return { status: 404, contentType: JSON_TYPE, body: pathNotFound().body };
}

/**
 * Answers /version, /api, /apis, /api/v1, /apis/<group>, /apis/<group>/<version>, honouring the
 * aggregated-discovery Accept header. Returns null when `path` is not a discovery path; a
 * discovery-shaped path for a group or version that is not served answers a 404 Status.
 * Never throws.
 */
export function discoveryResponse(path: string, accept: string | undefined, types: readonly ResourceType[]): HarnessResponse | null {
  const p = cleanPath(path);
  if (p === "/version") return ok({ ...SERVER_VERSION });
  const segs = p.split("/").slice(1);
  if (segs[0] === "api") {
    if (segs.length === 1) {
      const agg = aggregatedVersionWanted(accept);
      const core = types.filter((t) => t.group === "");
      if (agg !== null) return aggregated(agg, [aggregatedGroup("", ["v1"], core)]);
      // serverAddressByClientCIDRs is left out: the listening address is not known here, and
      // clients (kubectl included) do not need it.
      return ok({ kind: "APIVersions", versions: ["v1"] });
    }
    if (segs.length === 2) {
      const core = types.filter((t) => t.group === "" && t.version === segs[1]);
      return core.length === 0 ? notFound() : ok(resourceList(segs[1] ?? "", core));
    }
    return null;
  }
  if (segs[0] !== "apis") return null;
  const groups = groupsOf(types);
  if (segs.length === 1) {
    const agg = aggregatedVersionWanted(accept);
    if (agg !== null) return aggregated(agg, [...groups].map(([g, vs]) => aggregatedGroup(g, vs, types)));
    return ok({ kind: "APIGroupList", apiVersion: "v1", groups: [...groups].map(([g, vs]) => groupEntry(g, vs)) });
  }
  const group = segs[1] ?? "";
  const versions = groups.get(group);
  if (segs.length === 2) return versions ? ok({ kind: "APIGroup", apiVersion: "v1", ...groupEntry(group, versions) }) : notFound();
  if (segs.length === 3) {
    const version = segs[2] ?? "";
    if (!versions?.includes(version)) return notFound();
    const gvTypes = types.filter((t) => t.group === group && t.version === version);
    return ok(resourceList(apiVersionOf({ group, version }), gvTypes));
  }
  return null;
}
