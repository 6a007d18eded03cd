/**
 * The logical `sys/` endpoints: mounts (api-docs/system/mounts), auth methods
 * (api-docs/system/auth) with their lease TTL config and tune endpoints, ACL policies (api-docs/system/policies, and the legacy sys/policy),
 * seal (api-docs/system/seal), step-down (api-docs/system/step-down), capabilities-self
 * (api-docs/system/capabilities-self) and internal/ui/mounts (api-docs/system/internal-ui-mounts). The seal-lifecycle endpoints that work while sealed are in
 * `sys-seal-endpoints.ts`.
 */
import type { Backend, LogicalRequest, VaultCore } from "./backend.js";
import { badRequest, notFound, VaultApiError } from "./envelope.js";
import type { LogicalResponse } from "./envelope.js";
import { durationField, stringField } from "./fields.js";
import { mountLimits } from "./lease-ttl.js";
import type { MountEntry } from "./storage.js";
import { newMountEntry } from "./storage.js";
import { vaultVersion } from "./node-seal.js";

/** Secrets engine types this server implements (others are accepted but serve no routes). */
const secretTypes = new Set(["kv", "pki", "transit", "database", "ssh", "totp"]);
/** Auth method types this server knows. */
const authTypes = new Set(["kubernetes", "approle", "userpass", "jwt", "oidc"]);

function mountView(m: MountEntry): Record<string, unknown> {
  return {
    accessor: m.accessor,
    config: m.config,
    // Builtin plugins other than the core ones (sys, cubbyhole, identity, token) say "supported".
    ...(["sys", "cubbyhole", "identity", "token"].includes(m.type) ? {} : { deprecation_status: "supported" }),
    description: m.description,
    external_entropy_access: false,
    local: m.local,
    options: m.options,
    plugin_version: "",
    running_plugin_version: `v${vaultVersion}+builtin${m.type === "kv" || m.type === "token" ? "" : ".vault"}`,
    running_sha256: "",
    seal_wrap: m.seal_wrap,
    type: m.type,
    uuid: m.uuid,
  };
}

function normalise(path: string): string {
  return path.replace(/^\/+/, "").replace(/\/*$/, "/");
}

function enable(table: Map<string, MountEntry>, path: string, body: LogicalRequest["data"], auth: boolean): void {
  let type = stringField(body, "type");
  if (type === "") throw badRequest("backend type must be specified as a string");
  const rawOptions = body["options"];
  let options: Record<string, string> | null =
    rawOptions !== null && typeof rawOptions === "object" && !Array.isArray(rawOptions)
      ? Object.fromEntries(Object.entries(rawOptions).map(([k, v]) => [k, String(v)]))
      : null;
  if (type === "kv-v2" || type === "kv-v1") {
    options = { ...(options ?? {}), version: type === "kv-v2" ? "2" : "1" };
    type = "kv";
  }
  if (options?.["version"] !== undefined && type !== "kv") throw badRequest(`secrets engine "${type}" does not allow setting a version`);
  if (type === "kv" && options?.["version"] !== undefined && !["1", "2"].includes(options["version"])) {
    throw badRequest(`invalid version "${options["version"]}"`);
  }
  if (auth ? type === "token" : false) throw badRequest("token credential backend cannot be instantiated");
  if (!(auth ? authTypes : secretTypes).has(type)) throw badRequest(`plugin not found in the catalog: ${type}`);
  for (const existing of table.keys()) {
    if (existing.startsWith(path) || path.startsWith(existing)) {
      throw badRequest(`path is already in use at ${existing}`);
    }
  }
  if (!auth && ["sys/", "auth/", "cubbyhole/", "identity/"].some((p) => path.startsWith(p))) {
    throw badRequest(`cannot mount under ${path.split("/")[0]}/`);
  }
  const description = stringField(body, "description");
  const entry = newMountEntry(path, type, { description, options, auth });
  const config = body["config"];
  if (config !== null && typeof config === "object" && !Array.isArray(config)) setLeaseTtls(entry, config as LogicalRequest["data"]);
  table.set(path, entry);
}

/**
 * default_lease_ttl / max_lease_ttl of a mount's config or tune write (durations or seconds;
 * "system" or "0" = the system's).
 * @throws VaultApiError 400 when max would be below default.
 */
function setLeaseTtls(m: MountEntry, body: LogicalRequest["data"]): void {
  const read = (field: "default_lease_ttl" | "max_lease_ttl"): number => {
    const v = body[field];
    if (v === undefined || v === null || v === "") return m.config[field];
    if (v === "system") return 0;
    return durationField(body, field, 0);
  };
  const def = read("default_lease_ttl");
  const max = read("max_lease_ttl");
  if (def !== 0 && max !== 0 && max < def) throw badRequest(`backend max lease TTL of ${max} would be less than backend default lease TTL of ${def}`);
  m.config = { ...m.config, default_lease_ttl: def, max_lease_ttl: max };
}

/** sys/auth/<path>/tune and sys/mounts/<path>/tune (read: effective TTLs; write: set them). */
function tuneEndpoint(core: VaultCore, req: LogicalRequest, path: string, auth: boolean): LogicalResponse | null {
  const table = auth ? core.storage.authMounts : core.storage.mounts;
  const m = table.get(path);
  if (m === undefined) throw badRequest(`cannot fetch mount entry: no mount entry found for ${path}`);
  if (req.operation === "read") {
    const limits = mountLimits(m);
    const data: Record<string, unknown> = {
      default_lease_ttl: m.config.default_lease_ttl > 0 ? m.config.default_lease_ttl : limits.defaultTtl,
      description: m.description,
      force_no_cache: m.config.force_no_cache,
      max_lease_ttl: limits.maxTtl,
    };
    if (auth) data["token_type"] = "default-service";
    if (m.options !== null) data["options"] = m.options;
    return { data, injectTopLevel: true };
  }
  if (req.operation === "create" || req.operation === "update") {
    setLeaseTtls(m, req.data);
    if (typeof req.data["description"] === "string") m.description = req.data["description"];
    return null;
  }
  throw unsupported();
}

function mountsEndpoint(core: VaultCore, req: LogicalRequest, sub: string, auth: boolean): LogicalResponse | null {
  const table = auth ? core.storage.authMounts : core.storage.mounts;
  const op = req.operation;
  if (sub === "") {
    if (op !== "read") throw unsupported();
    const data = Object.fromEntries([...table.values()].map((m) => [m.path, mountView(m)]));
    return { data, injectTopLevel: true };
  }
  const tune = /^(.+)\/tune\/?$/.exec(sub);
  if (tune) return tuneEndpoint(core, req, normalise(tune[1] ?? ""), auth);
  const path = normalise(sub);
  if (op === "read") {
    const m = table.get(path);
    if (m === undefined) throw badRequest(`No ${auth ? "auth" : "secret engine"} mount at ${path}`);
    return { data: mountView(m), injectTopLevel: true };
  }
  if (op === "create" || op === "update") {
    enable(table, path, req.data, auth);
    return null;
  }
  if (op === "delete") {
    const m = table.get(path);
    if (m !== undefined) {
      if (["sys/", "cubbyhole/", "identity/", "token/"].includes(path)) throw badRequest(`cannot unmount "${path}"`);
      table.delete(path);
      core.storage.dropState(m.uuid);
    }
    return null;
  }
  throw unsupported();
}

function policiesEndpoint(core: VaultCore, req: LogicalRequest, name: string, legacy: boolean): LogicalResponse | null {
  const op = req.operation;
  if (name === "") {
    if (op !== "list" && !(legacy && op === "read")) throw unsupported();
    const names = core.policies.names();
    if (legacy) return { data: { policies: names, keys: names }, injectTopLevel: true };
    return { data: { keys: names } };
  }
  if (op === "read") {
    const text = core.policies.read(name);
    if (text === undefined) throw notFound();
    return legacy
      ? { data: { name, rules: text }, injectTopLevel: true }
      : { data: { name, policy: text } };
  }
  if (op === "create" || op === "update") {
    const usedRules = legacy && req.data["policy"] === undefined && req.data["rules"] !== undefined;
    const text = stringField(req.data, usedRules ? "rules" : "policy");
    const warnings = core.policies.write(name, text);
    if (usedRules) return { data: null, warnings: [...warnings, "'rules' is deprecated, please use 'policy' instead"] };
    return warnings.length > 0 ? { warnings } : null;
  }
  if (op === "delete") {
    core.policies.delete(name);
    return null;
  }
  throw unsupported();
}

function capabilitiesSelf(core: VaultCore, req: LogicalRequest): LogicalResponse {
  const token = req.token;
  if (token === null) throw new VaultApiError(403, ["permission denied"]);
  const raw = req.data["paths"] ?? req.data["path"];
  const paths = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",") : [];
  if (paths.length === 0) throw badRequest("paths must be supplied");
  const acl = core.policies.aclFor(token.policies);
  const data: Record<string, unknown> = {};
  for (const p of paths) {
    const caps = acl.root ? ["root"] : [...acl.capabilitiesFor(p.replace(/^\//, ""), false)].sort();
    data[p] = caps.length === 0 ? ["deny"] : caps;
  }
  const first = data[paths[0] ?? ""];
  if (paths.length === 1) data["capabilities"] = first;
  return { data, injectTopLevel: true };
}

function unsupported(): VaultApiError {
  return new VaultApiError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);
}

/**
 * `GET sys/internal/ui/mounts/:path` — the mount serving a path (clients use it to detect the KV
 * version). Vault answers 403 with the same text for a missing mount and for a token without
 * access under it, so the endpoint cannot enumerate mounts (logical_system.go pathInternalUIMountRead).
 */
function uiMount(core: VaultCore, req: LogicalRequest, sub: string): LogicalResponse {
  const path = normalise(sub);
  const denied = new VaultApiError(403, [`preflight capability check returned 403, please ensure client's policies grant access to path "${sub}"`]);
  const auth = path.startsWith("auth/");
  const table = auth ? core.storage.authMounts : core.storage.mounts;
  const rel = auth ? path.slice(5) : path;
  let best: MountEntry | undefined;
  for (const m of table.values()) if (rel.startsWith(m.path) && (best === undefined || m.path.length > best.path.length)) best = m;
  if (best === undefined || req.token === null) throw denied;
  const mountPath = auth ? `auth/${best.path}` : best.path;
  if (!core.policies.aclFor(req.token.policies).hasAccessUnder(mountPath)) throw denied;
  return { data: { ...mountView(best), path: mountPath } };
}

/** The `sys/` logical backend. */
export function sysBackend(core: VaultCore): Backend {
  return {
    unauthenticated: (path) => path.startsWith("internal/ui/mounts/"),
    rootProtected: (path) =>
      path.startsWith("auth/") || ["seal", "step-down", "remount", "audit", "rotate", "raw", "config/cors"].some((p) => path === p || path.startsWith(`${p}/`)),
    async handle(req) {
      const p = req.path.replace(/\/$/, "");
      const op = req.operation;
      const after = (prefix: string): string | null =>
        p === prefix ? "" : p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : null;
      let sub: string | null;
      if ((sub = after("mounts")) !== null) return mountsEndpoint(core, req, sub, false);
      if ((sub = after("auth")) !== null) return mountsEndpoint(core, req, sub, true);
      if ((sub = after("policies/acl")) !== null) return policiesEndpoint(core, req, sub, false);
      if ((sub = after("policy")) !== null) return policiesEndpoint(core, req, sub, true);
      if (p === "seal") {
        if (op !== "update" && op !== "create") throw new VaultApiError(405, []);
        if (req.node.standby) throw new VaultApiError(500, ["vault cannot seal when in standby mode; please restart instead"]);
        req.node.seal();
        return null;
      }
      if (p === "step-down") {
        if (op !== "update" && op !== "create") throw new VaultApiError(405, []);
        // A standby forwards the request to the active node, so either way the active node steps down.
        req.node.stepDown();
        return null;
      }
      if ((sub = after("internal/ui/mounts")) !== null && sub !== "" && op === "read") return uiMount(core, req, sub);
      if (p === "capabilities-self" && (op === "update" || op === "create")) return capabilitiesSelf(core, req);
      throw new VaultApiError(404, [`no handler for route "sys/${p}". route entry not found.`]);
    },
  };
}
