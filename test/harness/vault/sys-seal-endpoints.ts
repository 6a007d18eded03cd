/**
 * The unauthenticated endpoints that work while sealed: sys/init (api-docs/system/init),
 * sys/unseal (api-docs/system/unseal), sys/seal-status (api-docs/system/seal-status), sys/health
 * (api-docs/system/health) and sys/leader (api-docs/system/leader). Status codes and bodies follow
 * vault-api.md §2.
 */
import type { ClusterCore } from "./core.js";
import { errorReply, VaultApiError } from "./envelope.js";
import type { VaultReply } from "./envelope.js";
import type { Body } from "./fields.js";
import { boolField, intField, jsonSyntaxText } from "./fields.js";
import { vaultVersion } from "./node-seal.js";

/** The paths (after `/v1/`) served here. */
export const sealEndpointPaths = new Set(["sys/init", "sys/unseal", "sys/seal-status", "sys/health", "sys/leader"]);

/** What the node passes in. */
export interface SealEndpointRequest {
  path: string;
  method: string;
  query: URLSearchParams;
  rawBody: string;
  node: number;
  /** Every node's address, for sys/leader. */
  addrs: readonly string[];
}

/** Parses the JSON body; Vault answers an empty body on these endpoints with 400 `EOF` (§2.1). */
function jsonBody(raw: string): Body {
  if (raw.trim() === "") throw new VaultApiError(400, ["EOF"]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new VaultApiError(400, [`failed to parse JSON input: ${jsonSyntaxText(err)}`]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new VaultApiError(400, ["failed to parse JSON input: json: cannot unmarshal into Go value of type map[string]interface {}"]);
  }
  // The unseal/init request structs have no JSON tags, so Go matches field names case-insensitively.
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]));
}

async function init(core: ClusterCore, req: SealEndpointRequest): Promise<VaultReply> {
  if (req.method === "GET") return { status: 200, body: { initialized: core.storage.sealConfig !== null } };
  if (req.method !== "PUT" && req.method !== "POST") return errorReply(405, []);
  const body = jsonBody(req.rawBody);
  if (body["recovery_shares"] !== undefined && body["recovery_shares"] !== 0) {
    throw new VaultApiError(400, ["parameters recovery_shares not applicable to seal type shamir"]);
  }
  const shares = intField(body, "secret_shares", 0);
  const threshold = intField(body, "secret_threshold", 0);
  const pgp = body["pgp_keys"];
  if (Array.isArray(pgp) && pgp.length > 0 && pgp.length !== shares) {
    throw new VaultApiError(400, ["invalid seal configuration: count mismatch between number of provided PGP keys and number of shares"]);
  }
  const answer = await core.initialise(shares, threshold);
  return { status: 200, body: answer };
}

async function unseal(core: ClusterCore, req: SealEndpointRequest): Promise<VaultReply> {
  if (req.method !== "PUT" && req.method !== "POST") return errorReply(405, []);
  const body = jsonBody(req.rawBody);
  const seal = core.nodeSeals[req.node];
  if (seal === undefined) return errorReply(500, ["no such node"]);
  if (boolField(body, "reset", false)) {
    if (!seal.sealed) throw new VaultApiError(400, ["vault is unsealed"]);
    seal.resetProgress();
    return { status: 200, body: seal.status(core.storage) };
  }
  if (boolField(body, "migrate", false)) throw new VaultApiError(500, ["can't perform a seal migration, no migration seal found"]);
  const key = body["key"];
  if (typeof key !== "string" || key === "") {
    throw new VaultApiError(400, ["'key' must be specified in request body as JSON, or 'reset' set to true"]);
  }
  await seal.submit(core.storage, core.nodeSeals, key);
  return { status: 200, body: seal.status(core.storage) };
}

function health(core: ClusterCore, req: SealEndpointRequest): VaultReply {
  if (req.method !== "GET" && req.method !== "HEAD") return errorReply(405, []);
  const q = Object.fromEntries(req.query);
  let codes: Record<string, number>;
  let standbyOk: boolean;
  try {
    standbyOk = boolField(q, "standbyok", false);
    // Validated only: Vault CE has no performance standbys or DR secondaries.
    boolField(q, "perfstandbyok", false);
    intField(q, "drsecondarycode", 472);
    intField(q, "performancestandbycode", 473);
    codes = {
      active: intField(q, "activecode", 200),
      standby: intField(q, "standbycode", 429),
      sealed: intField(q, "sealedcode", 503),
      uninit: intField(q, "uninitcode", 501),
    };
  } catch {
    return errorReply(400, []);
  }
  const seal = core.nodeSeals[req.node];
  const initialized = core.storage.sealConfig !== null;
  const sealed = seal?.sealed ?? true;
  const standby = sealed || (core.haEnabled && core.storage.activeNode !== req.node);
  const body: Record<string, unknown> = {
    initialized,
    sealed,
    standby,
    performance_standby: false,
    replication_performance_mode: "disabled",
    replication_dr_mode: "disabled",
    server_time_utc: Math.floor(core.now() / 1000),
    version: vaultVersion,
    enterprise: false,
    echo_duration_ms: 0,
    clock_skew_ms: 0,
  };
  if (!sealed) {
    body["cluster_name"] = core.storage.clusterName;
    body["cluster_id"] = core.storage.clusterId;
  }
  const status = !initialized ? codes["uninit"] : sealed ? codes["sealed"] : standby ? (standbyOk ? codes["active"] : codes["standby"]) : codes["active"];
  return { status: status ?? 200, body };
}

function leader(core: ClusterCore, req: SealEndpointRequest): VaultReply {
  if (req.method !== "GET") return errorReply(405, []);
  const base = {
    ha_enabled: core.haEnabled,
    is_self: false,
    active_time: "0001-01-01T00:00:00Z",
    leader_address: "",
    leader_cluster_address: "",
    performance_standby: false,
    performance_standby_last_remote_wal: 0,
    last_wal: 0,
  };
  if (!core.haEnabled) return { status: 200, body: base };
  if (core.nodeSeals[req.node]?.sealed ?? true) return errorReply(503, ["Vault is sealed"]);
  const active = core.storage.activeNode;
  const addr = active === null ? "" : (req.addrs[active] ?? "");
  return {
    status: 200,
    body: { ...base, is_self: active === req.node, leader_address: addr, leader_cluster_address: addr.replace(/^http:/, "https:") },
  };
}

/**
 * Serves one of the seal-lifecycle endpoints.
 * @returns the reply (errors become `{"errors":[…]}`; never throws).
 */
export async function handleSealEndpoint(core: ClusterCore, req: SealEndpointRequest): Promise<VaultReply> {
  try {
    switch (req.path) {
      case "sys/init":
        return await init(core, req);
      case "sys/unseal":
        return await unseal(core, req);
      case "sys/seal-status":
        if (req.method !== "GET") return errorReply(405, []);
        return { status: 200, body: core.nodeSeals[req.node]?.status(core.storage) };
      case "sys/health":
        return health(core, req);
      default:
        return leader(core, req);
    }
  } catch (err) {
    if (err instanceof VaultApiError) return errorReply(err.status, err.errors);
    return errorReply(500, [(err as Error).message]);
  }
}
