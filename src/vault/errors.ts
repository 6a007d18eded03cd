/**
 * Errors from Vault: what kind of failure, the HTTP status, the store and the path. Never a
 * response body, a value or a token (Vault's own error strings are reduced to a known kind).
 */
import { RemoteError } from "../errors.js";

/** What went wrong, as the controller must react to it. */
export const VaultFailure = {
  /** 503 "Vault is sealed" (or 501 not initialised): wait and retry, store-level. */
  Sealed: "VaultSealed",
  /** 403 permission denied / invalid token. */
  Forbidden: "VaultForbidden",
  /** 404 on a read. */
  NotFound: "VaultNotFound",
  /** 429 rate limit quota. */
  RateLimited: "VaultRateLimited",
  /** 5xx other than sealed, timeouts, connection refused: store-level. */
  Unavailable: "VaultUnavailable",
  /** Login refused (400/403/500 on auth/…/login). */
  LoginFailed: "VaultLoginFailed",
  /** An answer that does not have the documented shape. */
  BadResponse: "VaultBadResponse",
} as const;
export type VaultFailure = (typeof VaultFailure)[keyof typeof VaultFailure];

const HINT: Record<VaultFailure, string> = {
  VaultSealed: "unseal Vault; sealbridge retries with backoff",
  VaultForbidden: "grant the store's Vault role read access to this path",
  VaultNotFound: "create the secret in Vault or fix remoteRef.key",
  VaultRateLimited: "Vault's rate limit quota was hit; sealbridge backs off",
  VaultUnavailable: "check that Vault is reachable from the controller; sealbridge retries with backoff",
  VaultLoginFailed: "check the store's auth settings and the Vault role",
  VaultBadResponse: "check that the store's server points at Vault and the KV version is right",
};

/** A Vault request failed. `store` is `Kind namespace/name`; `path` is the Vault path. */
export class VaultError extends RemoteError {
  readonly failure: VaultFailure;
  readonly store: string;
  readonly path: string;
  /** From Retry-After on 429, in ms. */
  readonly retryAfterMs: number | undefined;
  /** What happened when there was no answer (`ECONNREFUSED`, `ECONNABORTED`…). */
  readonly detail: string | undefined;
  constructor(failure: VaultFailure, store: string, path: string, status: number | undefined, options?: { cause?: unknown; retryAfterMs?: number; detail?: string }) {
    const what = {
      VaultSealed: "Vault is sealed",
      VaultForbidden: "Vault denied access",
      VaultNotFound: "Vault secret not found",
      VaultRateLimited: "Vault rate limited the request",
      VaultUnavailable: "Vault is unavailable",
      VaultLoginFailed: "Vault login failed",
      VaultBadResponse: "Vault answered unexpectedly",
    }[failure];
    const statusText = status === undefined ? (options?.detail ?? "no answer") : `HTTP ${status}`;
    super(`${what} (${statusText}): store ${store}, path ${path} (${HINT[failure]})`, {
      code: failure,
      ...(status !== undefined ? { status } : {}),
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.failure = failure;
    this.store = store;
    this.path = path;
    this.retryAfterMs = options?.retryAfterMs;
    this.detail = status === undefined ? options?.detail : undefined;
  }

  /** True when the whole store is affected (sealed, down, rate limited): back off the store. */
  get storeLevel(): boolean {
    return this.failure === VaultFailure.Sealed || this.failure === VaultFailure.Unavailable || this.failure === VaultFailure.RateLimited;
  }
}

/** Maps an HTTP status (or none) to the failure kind. */
export function failureForStatus(status: number | undefined, login: boolean): VaultFailure {
  if (status === undefined) return VaultFailure.Unavailable;
  if (status === 503 || status === 501) return VaultFailure.Sealed;
  if (status === 429) return VaultFailure.RateLimited;
  if (login && status < 500) return VaultFailure.LoginFailed;
  if (status === 403 || status === 401) return VaultFailure.Forbidden;
  if (status === 404) return VaultFailure.NotFound;
  if (status >= 500) return VaultFailure.Unavailable;
  return VaultFailure.BadResponse;
}
