/**
 * The Kubernetes auth method (api-docs/auth/kubernetes; vault-api.md §9): config, roles bound to
 * service account names/namespaces, and login, which reads the JWT's claims without checking the
 * signature, applies the role's bounds, then asks the Kubernetes API's TokenReview.
 */
import type { Backend, LogicalRequest, VaultCore } from "./backend.js";
import { badRequest, VaultApiError } from "./envelope.js";
import type { LogicalResponse } from "./envelope.js";
import { boolField, stringField, stringListField } from "./fields.js";
import type { MountEntry } from "./storage.js";
import type { TokenSettings } from "./token-fields.js";
import { loginLease, loginPolicies, noTokenSettings, parseTokenSettings, roleTokenWarnings, tokenSettingsView } from "./token-fields.js";
import { reviewToken } from "./token-review.js";
import type { ReviewedAccount } from "./token-review.js";

interface Config {
  host: string;
  caPem: string;
  reviewerJwt: string;
  issuer: string;
  disableIssValidation: boolean;
  disableLocalCaJwt: boolean;
}

interface Role {
  names: string[];
  namespaces: string[];
  audience: string;
  aliasNameSource: string;
  token: TokenSettings;
}

interface State {
  config: Config | null;
  roles: Map<string, Role>;
}

const allowedAlgs = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"];

function decodeSegment(seg: string | undefined): Record<string, unknown> {
  const parsed = JSON.parse(Buffer.from(seg ?? "", "base64url").toString("utf8")) as unknown;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
  return parsed as Record<string, unknown>;
}

/** The service account a JWT claims to be (projected or legacy secret token), plus its `aud`. */
function claimsOf(jwt: string, now: number, audience: string): { account: ReviewedAccount; aud: string[] } {
  const parts = jwt.split(".");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error("bad shape");
    header = decodeSegment(parts[0]);
    claims = decodeSegment(parts[1]);
  } catch {
    throw new VaultApiError(403, ["failed to parse JWT: compact JWS format must have three parts"]);
  }
  if (!allowedAlgs.includes(String(header["alg"]))) throw new VaultApiError(403, [`unsupported signing algorithm: ${String(header["alg"])}`]);
  // The plugin validates with hashicorp/cap's jwt.Validate, whose DefaultLeeway is 150 s for exp and nbf.
  const secs = now / 1000;
  const leeway = 150;
  if (typeof claims["exp"] === "number" && claims["exp"] + leeway < secs) throw new VaultApiError(403, ["token is expired (exp)"]);
  if (typeof claims["nbf"] === "number" && claims["nbf"] - leeway > secs) throw new VaultApiError(403, ["token not valid yet (nbf)"]);
  const rawAud = claims["aud"];
  const aud = Array.isArray(rawAud) ? rawAud.map(String) : typeof rawAud === "string" ? [rawAud] : [];
  if (audience !== "" && !aud.includes(audience)) throw new VaultApiError(403, ["invalid audience (aud) claim: audience claim does not match any expected audience"]);
  const k8s = claims["kubernetes.io"] as { namespace?: string; serviceaccount?: { name?: string; uid?: string } } | undefined;
  if (k8s !== undefined && typeof k8s === "object") {
    return { account: { namespace: k8s.namespace ?? "", name: k8s.serviceaccount?.name ?? "", uid: k8s.serviceaccount?.uid ?? "" }, aud };
  }
  return {
    account: {
      namespace: String(claims["kubernetes.io/serviceaccount/namespace"] ?? ""),
      name: String(claims["kubernetes.io/serviceaccount/service-account.name"] ?? ""),
      uid: String(claims["kubernetes.io/serviceaccount/service-account.uid"] ?? ""),
    },
    aud,
  };
}

function bound(list: string[], value: string): boolean {
  return list.some((p) => p === "*" || p === value || (p.endsWith("*") && value.startsWith(p.slice(0, -1))));
}

function requiredList(body: LogicalRequest["data"], field: string, prev: string[] | undefined): string[] {
  const list = stringListField(body, field) ?? prev ?? [];
  if (list.length === 0) throw badRequest(`"${field}" can not be empty`);
  if (list.length > 1 && list.includes("*")) throw badRequest('can not mix "*" with values');
  return list;
}

/** The Kubernetes auth backend for a mount. */
export function kubernetesBackend(core: VaultCore, mount: MountEntry): Backend {
  const state = (): State => core.storage.stateOf(mount.uuid, () => ({ config: null, roles: new Map() }));

  async function login(req: LogicalRequest): Promise<LogicalResponse> {
    const roleName = stringField(req.data, "role");
    const jwt = stringField(req.data, "jwt");
    if (roleName === "") throw badRequest("missing role");
    if (jwt === "") throw badRequest("missing jwt");
    const st = state();
    const role = st.roles.get(roleName);
    if (role === undefined) throw badRequest(`invalid role name "${roleName}"`);
    // An error (not an error response) in OpenBao's pathLogin: 500 with the bare message.
    if (st.config === null) throw new VaultApiError(500, ["could not load backend configuration"]);
    const { account, aud } = claimsOf(jwt, core.now(), role.audience);
    if (!bound(role.names, account.name)) throw new VaultApiError(403, ["service account name not authorized"]);
    if (!bound(role.namespaces, account.namespace)) throw new VaultApiError(403, ["namespace not authorized"]);
    let reviewed: ReviewedAccount;
    try {
      reviewed = await reviewToken({
        host: st.config.host,
        caPem: st.config.caPem,
        bearer: st.config.reviewerJwt !== "" ? st.config.reviewerJwt : jwt,
        jwt,
        audiences: role.audience !== "" ? [role.audience] : aud,
      });
      if (reviewed.name !== account.name) throw new Error("JWT names did not match");
      if (account.uid !== "" && reviewed.uid !== account.uid) throw new Error("JWT UIDs did not match");
      if (reviewed.namespace !== account.namespace) throw new Error("JWT namepaces did not match");
    } catch {
      // Vault logs the reason at debug level and answers a bare "permission denied".
      throw new VaultApiError(403, ["permission denied"]);
    }
    const lease = loginLease(mount, role.token, core.now());
    const token = core.tokens.create({
      policies: loginPolicies(role.token),
      path: `auth/${mount.path}login`,
      displayName: `${mount.path.replace(/\/$/, "")}-${account.namespace}-${account.name}`,
      meta: {
        role: roleName,
        service_account_name: account.name,
        service_account_namespace: account.namespace,
        service_account_secret_name: "",
        service_account_uid: reviewed.uid,
      },
      ttl: lease.ttl,
      period: role.token.period,
      orphan: true,
      numUses: role.token.numUses,
      role: roleName,
    });
    return { auth: core.tokens.authBlock(token), warnings: lease.warnings };
  }

  return {
    unauthenticated: (path) => path === "login",
    async handle(req) {
      const op = req.operation;
      const write = op === "create" || op === "update";
      const st = state();
      if (req.path === "login" && write) return login(req);
      if (req.path === "config") {
        if (write) {
          // A config write replaces the whole config (Vault's pathConfigWrite reads every field with
          // its default), so omitting token_reviewer_jwt clears it.
          const host = stringField(req.data, "kubernetes_host");
          if (host === "") throw badRequest("no host provided");
          st.config = {
            host,
            caPem: stringField(req.data, "kubernetes_ca_cert"),
            reviewerJwt: stringField(req.data, "token_reviewer_jwt"),
            issuer: stringField(req.data, "issuer"),
            disableIssValidation: boolField(req.data, "disable_iss_validation", true),
            disableLocalCaJwt: boolField(req.data, "disable_local_ca_jwt", false),
          };
          return null;
        }
        if (op === "read") {
          const c = st.config;
          if (c === null) return null;
          return {
            data: {
              kubernetes_host: c.host,
              kubernetes_ca_cert: c.caPem,
              pem_keys: [],
              issuer: c.issuer,
              disable_iss_validation: c.disableIssValidation,
              disable_local_ca_jwt: c.disableLocalCaJwt,
            },
          };
        }
      }
      if (req.path === "role/" && op === "list") return { data: { keys: [...st.roles.keys()].sort() } };
      const m = /^role\/([^/]+)$/.exec(req.path);
      if (m !== null) {
        const name = m[1] ?? "";
        const prev = st.roles.get(name);
        if (write) {
          const role: Role = {
            names: requiredList(req.data, "bound_service_account_names", prev?.names),
            namespaces: requiredList(req.data, "bound_service_account_namespaces", prev?.namespaces),
            audience: stringField(req.data, "audience", prev?.audience ?? ""),
            aliasNameSource: stringField(req.data, "alias_name_source", prev?.aliasNameSource ?? "serviceaccount_uid"),
            token: parseTokenSettings(req.data, prev?.token ?? noTokenSettings),
          };
          const warnings = roleTokenWarnings(
            mount, role.token, "token ttl should not be greater than token max ttl",
            "max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated",
          );
          st.roles.set(name, role);
          return warnings.length > 0 ? { warnings } : null;
        }
        if (op === "read") {
          if (prev === undefined) return null;
          return {
            data: {
              bound_service_account_names: prev.names,
              bound_service_account_namespaces: prev.namespaces,
              audience: prev.audience,
              alias_name_source: prev.aliasNameSource,
              ...tokenSettingsView(prev.token),
            },
          };
        }
        if (op === "delete") {
          st.roles.delete(name);
          return null;
        }
      }
      if (op === "read" || op === "list") return null;
      throw new VaultApiError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);
    },
  };
}

/**
 * What a renewal of a Kubernetes login token is computed from (pathLoginRenew): the role's token
 * settings as they are now.
 * @throws VaultApiError 500 when the role is gone.
 */
export function kubernetesRenewal(core: VaultCore, mount: MountEntry, roleName: string): TokenSettings {
  const st = core.storage.stateOf<State>(mount.uuid, () => ({ config: null, roles: new Map() }));
  const role = st.roles.get(roleName);
  if (role === undefined) throw new VaultApiError(500, [`role ${roleName} does not exist during renewal`]);
  return role.token;
}
