/**
 * The storage every node of one test cluster shares, as HA Vault nodes share Raft or Consul:
 * the seal configuration and encrypted keyring, the mount and auth tables, policies, tokens and
 * each mount's data. Seal state (unsealed or not, unseal progress) is per node and lives in
 * `node-seal.ts`, not here.
 */
import { randomUUID } from "node:crypto";
import type { EncryptedKey } from "./seal.js";

/** The Shamir configuration written by sys/init. */
export interface SealConfig {
  shares: number;
  threshold: number;
}

/** One entry of the mount table or the auth table. */
export interface MountEntry {
  /** With a trailing slash: `secret/`, `kubernetes/`. */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  options: Record<string, string> | null;
  config: { default_lease_ttl: number; max_lease_ttl: number; force_no_cache: boolean };
  local: boolean;
  seal_wrap: boolean;
}

/** A token as the token store keeps it. */
export interface TokenEntry {
  id: string;
  accessor: string;
  policies: string[];
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  /** Milliseconds on the cluster clock. */
  creationTime: number;
  /** Seconds; 0 = never expires (root). */
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  /** Milliseconds on the cluster clock; null = never. */
  expireTime: number | null;
  lastRenewal: number | null;
  renewable: boolean;
  orphan: boolean;
  parent: string | null;
  numUses: number;
  type: "service" | "batch";
  role?: string;
}

/** The state shared by the nodes of one cluster. */
export class VaultStorage {
  sealConfig: SealConfig | null = null;
  keyring: EncryptedKey | null = null;
  readonly clusterName = `vault-cluster-${randomUUID().slice(0, 8)}`;
  readonly clusterId = randomUUID();
  mounts = new Map<string, MountEntry>();
  authMounts = new Map<string, MountEntry>();
  policies = new Map<string, string>();
  tokens = new Map<string, TokenEntry>();
  /** accessor → token id */
  accessors = new Map<string, string>();
  /** The index of the node holding the HA lock, or null. */
  activeNode: number | null = null;
  private readonly mountState = new Map<string, unknown>();

  /** The per-mount state of a backend (its KV entries, roles…), created on first use. */
  stateOf<T>(uuid: string, create: () => T): T {
    let s = this.mountState.get(uuid);
    if (s === undefined) {
      s = create();
      this.mountState.set(uuid, s);
    }
    return s as T;
  }

  /** Forgets a mount's state (when it is disabled). */
  dropState(uuid: string): void {
    this.mountState.delete(uuid);
  }

  /** Empties everything: back to an uninitialised Vault. */
  clear(): void {
    this.sealConfig = null;
    this.keyring = null;
    this.mounts = new Map();
    this.authMounts = new Map();
    this.policies = new Map();
    this.tokens = new Map();
    this.accessors = new Map();
    this.activeNode = null;
    this.mountState.clear();
  }
}

/** A fresh mount table entry. */
export function newMountEntry(
  path: string,
  type: string,
  opts: { description?: string; options?: Record<string, string> | null; local?: boolean; auth?: boolean } = {},
): MountEntry {
  const prefix = opts.auth ? `auth_${type}` : type;
  return {
    path,
    type,
    description: opts.description ?? "",
    accessor: `${prefix}_${randomUUID().slice(0, 8)}`,
    uuid: randomUUID(),
    options: opts.options ?? null,
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
    local: opts.local ?? false,
    seal_wrap: false,
  };
}
