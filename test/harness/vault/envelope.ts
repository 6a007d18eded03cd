/**
 * Vault's HTTP envelopes: the logical success envelope, the `{"errors":[…]}` error body and the
 * error type handlers throw to produce one (vault-api.md §1.1, §1.2).
 */
import { randomUUID } from "node:crypto";

/** What the HTTP layer writes back: a status, an optional JSON body, extra headers. */
export interface VaultReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The `auth` block of a login or token-create answer (Vault's `HTTPAuth`). */
export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

/** What a backend handler returns; null means "nothing" (404 on read/list, 204 otherwise). */
export interface LogicalResponse {
  data?: Record<string, unknown> | null;
  auth?: AuthBlock | null;
  warnings?: string[];
  leaseDuration?: number;
  renewable?: boolean;
  /** Overrides the 200 (KV v2 answers a soft-deleted read with 404 and the full envelope). */
  status?: number;
  /** Copy each data key to the top level too (sys/mounts, sys/auth, sys/policy; §1.1). */
  injectTopLevel?: boolean;
}

/**
 * An error a handler throws to answer `{"errors":[…]}` with a status. Messages are Vault's texts.
 */
export class VaultApiError extends Error {
  readonly status: number;
  readonly errors: string[];
  constructor(status: number, errors: string[]) {
    super(errors[0] ?? `status ${status}`);
    this.name = "VaultApiError";
    this.status = status;
    this.errors = errors;
  }
}

/** The multierror text Vault core puts around an ACL denial (§1.2). */
export const aclDeniedText = "1 error occurred:\n\t* permission denied\n\n";
/** The text for an unknown, expired or revoked token since Vault 1.16 (§7.5, inferred multierror form). */
export const invalidTokenText = "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n";

/** 400 with one message (`logical.ErrorResponse`). */
export function badRequest(message: string): VaultApiError {
  return new VaultApiError(400, [message]);
}

/** 404 `{"errors":[]}`, what a nil read answers. */
export function notFound(): VaultApiError {
  return new VaultApiError(404, []);
}

/** 405 `{"errors":[]}`. */
export function methodNotAllowed(): VaultApiError {
  return new VaultApiError(405, []);
}

/** 503 `Vault is sealed`. */
export function sealedError(): VaultApiError {
  return new VaultApiError(503, ["Vault is sealed"]);
}

/** The JSON error body for a status and messages. */
export function errorReply(status: number, errors: string[]): VaultReply {
  return { status, body: { errors } };
}

/**
 * Wraps a handler's answer in the logical envelope (`request_id`, `lease_id`, … `mount_type`).
 * A null answer is 204 with no body.
 */
export function logicalReply(resp: LogicalResponse | null, mountType: string): VaultReply {
  if (resp === null) return { status: 204 };
  const data = resp.data ?? null;
  const body: Record<string, unknown> = {
    request_id: randomUUID(),
    lease_id: "",
    renewable: resp.renewable ?? false,
    lease_duration: resp.leaseDuration ?? 0,
    data,
    wrap_info: null,
    warnings: resp.warnings && resp.warnings.length > 0 ? resp.warnings : null,
    auth: resp.auth ?? null,
    mount_type: mountType,
  };
  if (resp.injectTopLevel && data !== null) {
    for (const [k, v] of Object.entries(data)) if (!(k in body)) body[k] = v;
  }
  return { status: resp.status ?? 200, body };
}
