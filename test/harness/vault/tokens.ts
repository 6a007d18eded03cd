/**
 * The token store: service tokens with accessors, policies, TTLs measured on the cluster clock
 * (so tests can advance time), renewal (arithmetic in token-renewal.ts), revocation of a token and its
 * children (auth/token docs; vault-api.md §7). An expired token is treated as absent at once.
 */
import { badRequest } from "./envelope.js";
import type { AuthBlock } from "./envelope.js";
import type { RandomBytes } from "./seal.js";
import type { TokenEntry, VaultStorage } from "./storage.js";

/** Vault's system default and max lease TTL: 768h. */
export const defaultTtlSeconds = 2_764_800;

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random base62 string of `n` characters. */
export function base62(random: RandomBytes, n: number): string {
  const bytes = random(n * 2);
  let out = "";
  for (let i = 0; out.length < n && i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 248) out += alphabet[b % 62];
  }
  while (out.length < n) out += alphabet[(random(1)[0] ?? 0) % 62];
  return out;
}

/** What a new token is made of. */
export interface TokenSpec {
  id?: string;
  policies: string[];
  path: string;
  displayName: string;
  meta?: Record<string, string> | null;
  /** Seconds; 0 = no expiry (root only). */
  ttl: number;
  explicitMaxTtl?: number;
  period?: number;
  renewable?: boolean;
  orphan?: boolean;
  parent?: string | null;
  numUses?: number;
  type?: "service" | "batch";
  role?: string;
}

/** Tokens over the shared storage. */
export class TokenStore {
  constructor(
    private readonly storage: () => VaultStorage,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  /** Creates and stores a token. */
  create(spec: TokenSpec): TokenEntry {
    const s = this.storage();
    const now = this.now();
    const prefix = spec.type === "batch" ? "hvb." : "hvs.";
    const entry: TokenEntry = {
      id: spec.id ?? `${prefix}${base62(this.random, 24)}`,
      accessor: base62(this.random, 24),
      policies: spec.policies,
      path: spec.path,
      displayName: spec.displayName,
      meta: spec.meta ?? null,
      creationTime: now,
      ttl: spec.ttl,
      explicitMaxTtl: spec.explicitMaxTtl ?? 0,
      period: spec.period ?? 0,
      expireTime: spec.ttl > 0 ? now + spec.ttl * 1000 : null,
      lastRenewal: null,
      renewable: spec.ttl > 0 && (spec.renewable ?? true) && spec.type !== "batch",
      orphan: spec.orphan ?? false,
      parent: spec.parent ?? null,
      numUses: spec.numUses ?? 0,
      type: spec.type ?? "service",
      ...(spec.role !== undefined ? { role: spec.role } : {}),
    };
    s.tokens.set(entry.id, entry);
    s.accessors.set(entry.accessor, entry.id);
    return entry;
  }

  /** The live token with this id; null when unknown, revoked or expired (expired ones are dropped). */
  lookup(id: string): TokenEntry | null {
    const entry = this.storage().tokens.get(id);
    if (entry === undefined) return null;
    if (entry.expireTime !== null && entry.expireTime <= this.now()) {
      this.revoke(id);
      return null;
    }
    // A parent's expiry revokes its children (Vault's expiration manager revokes the whole tree).
    if (entry.parent !== null && this.lookup(entry.parent) === null) {
      this.revoke(id);
      return null;
    }
    return entry;
  }

  /** The live token with this accessor, or null. */
  byAccessor(accessor: string): TokenEntry | null {
    const id = this.storage().accessors.get(accessor);
    return id === undefined ? null : this.lookup(id);
  }

  /** The TTL granted when the token was issued or last renewed: what a login, create or renew answers as lease_duration. */
  granted(entry: TokenEntry): number {
    if (entry.expireTime === null) return 0;
    return Math.max(0, Math.round((entry.expireTime - (entry.lastRenewal ?? entry.creationTime)) / 1000));
  }

  /** Seconds left before expiry (0 for a token that never expires). */
  remaining(entry: TokenEntry): number {
    if (entry.expireTime === null) return 0;
    // Rounded, not floored, so a token answered in the millisecond after creation still shows its full TTL.
    return Math.max(0, Math.round((entry.expireTime - this.now()) / 1000));
  }

  /**
   * Checks that a token can be renewed at all.
   * @throws VaultApiError 400 `lease is not renewable` / `batch tokens cannot be renewed`.
   */
  checkRenewable(entry: TokenEntry): void {
    if (entry.type === "batch") throw badRequest("batch tokens cannot be renewed");
    if (!entry.renewable || entry.expireTime === null) throw badRequest("lease is not renewable");
  }

  /** Records a renewal granting `ttl` seconds from now (token-renewal.ts computes it). */
  applyRenewal(entry: TokenEntry, ttl: number, period: number): TokenEntry {
    const now = this.now();
    entry.expireTime = now + Math.max(0, ttl) * 1000;
    entry.lastRenewal = now;
    entry.period = period;
    return entry;
  }

  /** Revokes a token and, recursively, its children. */
  revoke(id: string): void {
    const s = this.storage();
    const entry = s.tokens.get(id);
    if (entry === undefined) return;
    s.tokens.delete(id);
    s.accessors.delete(entry.accessor);
    for (const child of [...s.tokens.values()]) if (child.parent === id) this.revoke(child.id);
  }

  /** The `auth` block answered by a login or token create/renew. */
  authBlock(entry: TokenEntry): AuthBlock {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: this.granted(entry),
      renewable: entry.renewable,
      entity_id: "",
      token_type: entry.type,
      orphan: entry.orphan,
      mfa_requirement: null,
      num_uses: entry.numUses,
    };
  }

  /** The `data` of auth/token/lookup-self and lookup (§7.2). */
  lookupData(entry: TokenEntry): Record<string, unknown> {
    const data: Record<string, unknown> = {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.creationTime / 1000),
      creation_ttl: entry.ttl,
      display_name: entry.displayName,
      entity_id: "",
      expire_time: entry.expireTime === null ? null : new Date(entry.expireTime).toISOString(),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: entry.id,
      meta: entry.meta,
      num_uses: entry.numUses,
      orphan: entry.orphan,
      path: entry.path,
      policies: entry.policies,
      ttl: this.remaining(entry),
      type: entry.type,
    };
    // issue_time and renewable are there for every token with a lease entry, the root token too.
    data["renewable"] = entry.expireTime !== null && entry.renewable;
    data["issue_time"] = new Date(entry.creationTime).toISOString();
    if (entry.expireTime !== null) {
      if (entry.lastRenewal !== null) {
        data["last_renewal_time"] = Math.floor(entry.lastRenewal / 1000);
        data["last_renewal"] = new Date(entry.lastRenewal).toISOString();
      }
    }
    if (entry.period > 0) data["period"] = entry.period;
    if (entry.role !== undefined) data["role"] = entry.role;
    return data;
  }
}
