/**
 * The AppRole auth method (api-docs/auth/approle; vault-api.md §10): roles, role IDs, secret IDs
 * (TTL and use counts on the cluster clock) and login.
 */
import { randomUUID } from "node:crypto";
import type { Backend, LogicalRequest, VaultCore } from "./backend.js";
import { badRequest, notFound, VaultApiError } from "./envelope.js";
import type { LogicalResponse } from "./envelope.js";
import { inCidrs } from "./cidr.js";
import { boolField, durationField, intField, stringField, stringListField } from "./fields.js";
import type { MountEntry } from "./storage.js";
import type { TokenSettings } from "./token-fields.js";
import { loginLease, loginPolicies, noTokenSettings, parseTokenSettings, roleTokenWarnings, tokenSettingsView } from "./token-fields.js";

interface Role {
  name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdTtl: number;
  secretIdNumUses: number;
  secretIdBoundCidrs: string[];
  token: TokenSettings;
}

interface SecretId {
  accessor: string;
  cidrs: string[];
  created: number;
  expires: number | null;
  usesLeft: number;
  metadata: Record<string, string>;
}

interface State {
  roles: Map<string, Role>;
  /** role name → secret ID → entry */
  secrets: Map<string, Map<string, SecretId>>;
}

function parseMetadata(v: unknown): Record<string, string> {
  if (typeof v === "string" && v.trim() !== "") {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed !== null && typeof parsed === "object") return Object.fromEntries(Object.entries(parsed).map(([k, x]) => [k, String(x)]));
    } catch {
      throw badRequest("failed to parse metadata: invalid JSON");
    }
  }
  return {};
}

/** The AppRole backend for a mount. */
export function approleBackend(core: VaultCore, mount: MountEntry): Backend {
  const state = (): State => core.storage.stateOf(mount.uuid, () => ({ roles: new Map(), secrets: new Map() }));

  function writeRole(name: string, req: LogicalRequest): LogicalResponse | null {
    const st = state();
    const prev = st.roles.get(name);
    const d = req.data;
    const role: Role = {
      name,
      roleId: stringField(d, "role_id", prev?.roleId ?? randomUUID()),
      bindSecretId: boolField(d, "bind_secret_id", prev?.bindSecretId ?? true),
      secretIdTtl: durationField(d, "secret_id_ttl", prev?.secretIdTtl ?? 0),
      secretIdNumUses: intField(d, "secret_id_num_uses", prev?.secretIdNumUses ?? 0),
      secretIdBoundCidrs: stringListField(d, "secret_id_bound_cidrs") ?? stringListField(d, "bound_cidr_list") ?? prev?.secretIdBoundCidrs ?? [],
      token: parseTokenSettings(d, prev?.token ?? noTokenSettings),
    };
    if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0) {
      throw badRequest("at least one constraint should be enabled on the role");
    }
    const warnings = roleTokenWarnings(
      mount, role.token, "'token_ttl' cannot be greater than 'token_max_ttl'",
      "token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated",
    );
    st.roles.set(name, role);
    return warnings.length > 0 ? { warnings } : null;
  }

  function generateSecretId(role: Role, req: LogicalRequest): LogicalResponse {
    const now = core.now();
    const ttl = durationField(req.data, "ttl", role.secretIdTtl);
    const uses = intField(req.data, "num_uses", role.secretIdNumUses);
    const secretId = randomUUID();
    const entry: SecretId = {
      accessor: randomUUID(),
      created: now,
      expires: ttl > 0 ? now + ttl * 1000 : null,
      usesLeft: uses,
      metadata: parseMetadata(req.data["metadata"]),
      cidrs: stringListField(req.data, "cidr_list") ?? [],
    };
    const st = state();
    let map = st.secrets.get(role.name);
    if (map === undefined) {
      map = new Map();
      st.secrets.set(role.name, map);
    }
    map.set(secretId, entry);
    return { data: { secret_id: secretId, secret_id_accessor: entry.accessor, secret_id_ttl: ttl, secret_id_num_uses: uses } };
  }

  function login(req: LogicalRequest): LogicalResponse {
    const roleId = stringField(req.data, "role_id");
    if (roleId === "") throw new VaultApiError(500, ["missing role_id"]);
    const st = state();
    const role = [...st.roles.values()].find((r) => r.roleId === roleId);
    if (role === undefined) throw badRequest("invalid role or secret ID");
    const meta: Record<string, string> = {};
    if (role.secretIdBoundCidrs.length > 0 && !inCidrs(req.remoteAddr, role.secretIdBoundCidrs)) {
      throw badRequest(`source address "${req.remoteAddr}" unauthorized by CIDR restrictions on the role: [${role.secretIdBoundCidrs.join(" ")}]`);
    }
    if (role.bindSecretId) {
      const secretId = stringField(req.data, "secret_id");
      if (secretId === "") throw badRequest("missing secret_id");
      const secrets = st.secrets.get(role.name);
      const entry = secrets?.get(secretId);
      if (secrets === undefined || entry === undefined) throw badRequest("invalid role or secret ID");
      if (entry.expires !== null && entry.expires <= core.now()) {
        secrets.delete(secretId);
        throw badRequest("invalid role or secret ID");
      }
      if (entry.cidrs.length > 0 && !inCidrs(req.remoteAddr, entry.cidrs)) {
        throw badRequest(`source address "${req.remoteAddr}" unauthorized through CIDR restrictions on the secret ID`);
      }
      if (entry.usesLeft > 0) {
        entry.usesLeft -= 1;
        if (entry.usesLeft === 0) secrets.delete(secretId);
      }
      Object.assign(meta, entry.metadata);
    }
    meta["role_name"] = role.name;
    const lease = loginLease(mount, role.token, core.now());
    const token = core.tokens.create({
      policies: loginPolicies(role.token),
      path: `auth/${mount.path}login`,
      displayName: mount.path.replace(/\/$/, ""),
      meta,
      ttl: lease.ttl,
      period: role.token.period,
      orphan: true,
      numUses: role.token.numUses,
      type: role.token.type === "batch" ? "batch" : "service",
      role: role.name,
    });
    return { auth: core.tokens.authBlock(token), warnings: lease.warnings };
  }

  return {
    unauthenticated: (path) => path === "login",
    exists: (path) => {
      const m = /^role\/([^/]+)$/.exec(path);
      return m === null ? undefined : state().roles.has((m[1] ?? "").toLowerCase());
    },
    async handle(req) {
      const op = req.operation;
      const write = op === "create" || op === "update";
      if (req.path === "login" && write) return login(req);
      if (req.path === "role/" && op === "list") return { data: { keys: [...state().roles.keys()].sort() } };
      const m = /^role\/([^/]+)(?:\/(role-id|secret-id\/?))?$/.exec(req.path);
      if (m === null) throw new VaultApiError(404, [`no handler for route "auth/${mount.path}${req.path}". route entry not found.`]);
      const name = (m[1] ?? "").toLowerCase();
      const sub = m[2]?.replace(/\/$/, "");
      const role = state().roles.get(name);
      if (sub === undefined) {
        if (write) return writeRole(name, req);
        if (op === "read") return role === undefined ? null : { data: roleView(role) };
        if (op === "delete") {
          state().roles.delete(name);
          state().secrets.delete(name);
          return null;
        }
      } else if (sub === "role-id") {
        if (op === "read") return role === undefined ? null : { data: { role_id: role.roleId } };
        if (write) {
          if (role === undefined) throw badRequest(`role "${name}" does not exist`);
          role.roleId = stringField(req.data, "role_id", role.roleId);
          return null;
        }
      } else {
        if (role === undefined) throw badRequest(`role "${name}" does not exist`);
        if (write) return generateSecretId(role, req);
        if (op === "list") return { data: { keys: [...(state().secrets.get(name)?.values() ?? [])].map((s) => s.accessor) } };
      }
      if (op === "read" || op === "list") throw notFound();
      throw new VaultApiError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);
    },
  };
}

function roleView(role: Role): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: false,
    secret_id_bound_cidrs: role.secretIdBoundCidrs,
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    ...tokenSettingsView(role.token),
  };
}

/**
 * What a renewal of an AppRole login token is computed from (pathLoginRenew): the role's token
 * settings as they are now.
 * @throws VaultApiError 500 when the role is gone.
 */
export function approleRenewal(core: VaultCore, mount: MountEntry, roleName: string): TokenSettings {
  const st = core.storage.stateOf<State>(mount.uuid, () => ({ roles: new Map(), secrets: new Map() }));
  const role = st.roles.get(roleName);
  if (role === undefined) throw new VaultApiError(500, [`role "${roleName}" does not exist during renewal`]);
  return role.token;
}
