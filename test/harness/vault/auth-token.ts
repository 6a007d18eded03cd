/**
 * The `auth/token/` backend: create (and create-orphan), lookup-self, lookup, lookup-accessor,
 * renew-self, renew, revoke-self, revoke (api-docs/auth/token; vault-api.md §7).
 */
import type { Backend, LogicalRequest, VaultCore } from "./backend.js";
import { badRequest, notFound, VaultApiError } from "./envelope.js";
import type { LogicalResponse } from "./envelope.js";
import { boolField, durationField, intField, stringField, stringListField } from "./fields.js";
import type { TokenEntry } from "./storage.js";
import { calculateTtl } from "./lease-ttl.js";
import { renewToken } from "./token-renewal.js";

function requireToken(req: LogicalRequest): TokenEntry {
  if (req.token === null) throw new VaultApiError(403, ["permission denied"]);
  return req.token;
}

function stringMap(v: unknown): Record<string, string> | null {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return null;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

function create(core: VaultCore, req: LogicalRequest, orphan: boolean): LogicalResponse {
  const parent = requireToken(req);
  const isRoot = parent.policies.includes("root");
  const d = req.data;
  const warnings: string[] = [];
  const asked = stringListField(d, "policies");
  const noDefault = boolField(d, "no_default_policy", false);
  let policies = [...new Set(asked ?? parent.policies)];
  if (!isRoot && asked !== undefined) {
    const allowed = new Set([...parent.policies, "default"]);
    if (policies.some((p) => !allowed.has(p))) throw badRequest("child policies must be subset of parent");
  }
  const period = durationField(d, "period", 0);
  if (period > 0 && !isRoot) throw badRequest("root or sudo privileges required to create periodic token");
  const noParent = boolField(d, "no_parent", false);
  if (noParent && !isRoot) throw badRequest("root or sudo privileges required to create orphan token");
  const id = stringField(d, "id");
  if (id !== "" && !isRoot) throw badRequest("root or sudo privileges required to specify token id");
  if (id !== "" && core.storage.tokens.has(id)) throw badRequest("cannot create a token with a duplicate ID");
  const rootChild = policies.includes("root") || (isRoot && asked === undefined);
  if (rootChild) policies = ["root"];
  else {
    // Vault's SanitizePolicies: add "default" unless no_default_policy, de-duplicate, sort.
    policies = [...new Set([...policies.filter((p) => p !== "default"), ...(noDefault ? [] : ["default"])])].sort();
    for (const p of policies) if (p !== "default" && core.policies.read(p) === undefined) warnings.push(`Policy "${p}" does not exist`);
  }
  const type = stringField(d, "type", "service") === "batch" ? "batch" : "service";
  const explicitMax = durationField(d, "explicit_max_ttl", 0);
  const askedTtl = durationField(d, "ttl", 0);
  let ttl = 0;
  if (!(rootChild && askedTtl === 0 && period === 0 && explicitMax === 0)) {
    // A root child without a TTL never expires; everything else goes through CalculateTTL,
    // capped by the token mount's max (768h) and explicit_max_ttl, with OpenBao's warnings.
    const lease = calculateTtl({
      mount: core.storage.authMounts.get("token/"), increment: 0, backendTtl: askedTtl, period, backendMaxTtl: 0,
      explicitMaxTtl: explicitMax, startMs: undefined, nowMs: core.now(),
    });
    ttl = lease.ttl;
    warnings.push(...lease.warnings);
  }
  const entry = core.tokens.create({
    ...(id !== "" ? { id } : {}),
    policies,
    path: orphan ? "auth/token/create-orphan" : "auth/token/create",
    displayName: `token${stringField(d, "display_name") ? `-${stringField(d, "display_name")}` : ""}`,
    meta: stringMap(d["meta"]),
    ttl,
    explicitMaxTtl: explicitMax,
    period,
    renewable: boolField(d, "renewable", true),
    orphan: orphan || noParent,
    parent: orphan || noParent ? null : parent.id,
    numUses: intField(d, "num_uses", 0),
    type,
  });
  return { auth: core.tokens.authBlock(entry), warnings };
}

function otherToken(core: VaultCore, req: LogicalRequest): TokenEntry {
  const id = stringField(req.data, "token") || req.query.get("token") || "";
  if (id === "") throw badRequest("missing token");
  const entry = core.tokens.lookup(id);
  if (entry === null) throw new VaultApiError(403, ["bad token"]);
  return entry;
}

/** The token auth backend. */
export function tokenBackend(core: VaultCore): Backend {
  return {
    async handle(req) {
      const op = req.operation;
      const write = op === "update" || op === "create";
      switch (req.path) {
        case "create":
          if (write) return create(core, req, false);
          break;
        case "create-orphan":
          if (write) return create(core, req, true);
          break;
        case "lookup-self":
          if (op === "read" || write) return { data: core.tokens.lookupData(requireToken(req)) };
          break;
        case "lookup":
          if (op === "read" || write) return { data: core.tokens.lookupData(otherToken(core, req)) };
          break;
        case "lookup-accessor":
          if (write) {
            const e = core.tokens.byAccessor(stringField(req.data, "accessor"));
            if (e === null) throw badRequest("invalid accessor");
            return { data: { ...core.tokens.lookupData(e), id: "" } };
          }
          break;
        case "renew-self":
          if (write) {
            const inc = req.data["increment"] === undefined ? null : durationField(req.data, "increment", 0);
            const r = renewToken(core, requireToken(req), inc);
            return { auth: core.tokens.authBlock(r.entry), warnings: r.warnings };
          }
          break;
        case "renew":
          if (write) {
            const inc = req.data["increment"] === undefined ? null : durationField(req.data, "increment", 0);
            const r = renewToken(core, otherToken(core, req), inc);
            return { auth: core.tokens.authBlock(r.entry), warnings: r.warnings };
          }
          break;
        case "revoke-self":
          if (write) {
            core.tokens.revoke(requireToken(req).id);
            return null;
          }
          break;
        case "revoke":
          if (write) {
            const id = stringField(req.data, "token");
            if (id === "") throw badRequest("missing token");
            core.tokens.revoke(id);
            return null;
          }
          break;
        default:
          throw new VaultApiError(404, [`no handler for route "auth/token/${req.path}". route entry not found.`]);
      }
      if (op === "read" || op === "list") throw notFound();
      throw new VaultApiError(405, ["1 error occurred:\n\t* unsupported operation\n\n"]);
    },
  };
}
