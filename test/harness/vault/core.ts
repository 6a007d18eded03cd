/**
 * The cluster core: shared storage, the cluster clock (an injected base plus an advanceable
 * offset), the token and policy stores, every node's seal state, and initialisation — by sys/init
 * or as `vault server -dev` does it (docs/concepts/dev-server; vault-api.md §4.4).
 */
import { randomBytes } from "node:crypto";
import type { VaultCore } from "./backend.js";
import { badRequest } from "./envelope.js";
import { NodeSeal } from "./node-seal.js";
import { PolicyStore } from "./policies.js";
import { initSeal, keyringFor } from "./seal.js";
import type { RandomBytes } from "./seal.js";
import { newMountEntry, VaultStorage } from "./storage.js";
import { TokenStore } from "./tokens.js";

/** What sys/init hands back. */
export interface InitAnswer {
  keys: string[];
  keys_base64: string[];
  root_token: string;
}

/** The shared core of one test cluster. */
export class ClusterCore implements VaultCore {
  readonly storage = new VaultStorage();
  readonly tokens: TokenStore;
  readonly policies: PolicyStore;
  readonly nodeSeals: NodeSeal[];
  private offsetMs = 0;

  constructor(
    nodes: number,
    private readonly clock: () => number,
    readonly random: RandomBytes = randomBytes,
  ) {
    this.nodeSeals = Array.from({ length: nodes }, (_, i) => new NodeSeal(i));
    this.tokens = new TokenStore(() => this.storage, () => this.now(), random);
    this.policies = new PolicyStore(() => this.storage);
  }

  /** Milliseconds on the cluster clock. */
  now(): number {
    return this.clock() + this.offsetMs;
  }

  /** Moves the cluster clock forward (token and secret-ID expiry). */
  advanceTime(ms: number): void {
    this.offsetMs += ms;
  }

  /** Puts the clock back to the injected base. */
  resetTime(): void {
    this.offsetMs = 0;
  }

  /** Whether the nodes run as an HA cluster (more than one node). */
  get haEnabled(): boolean {
    return this.nodeSeals.length > 1;
  }

  /** Seals every node. */
  sealAll(): void {
    for (const n of this.nodeSeals) n.seal(this.storage, this.nodeSeals);
  }

  private installDefaults(rootTokenId?: string): string {
    const s = this.storage;
    s.mounts.set("cubbyhole/", newMountEntry("cubbyhole/", "cubbyhole", { description: "per-token private secret storage", local: true }));
    s.mounts.set("identity/", newMountEntry("identity/", "identity", { description: "identity store" }));
    s.mounts.set("sys/", newMountEntry("sys/", "system", { description: "system endpoints used for control, policy and debugging" }));
    s.authMounts.set("token/", newMountEntry("token/", "token", { description: "token based credentials", auth: true }));
    this.policies.installDefault();
    const root = this.tokens.create({
      ...(rootTokenId !== undefined ? { id: rootTokenId } : {}),
      policies: ["root"],
      path: "auth/token/root",
      displayName: "root",
      ttl: 0,
      orphan: true,
    });
    return root.id;
  }

  /**
   * Initialises the cluster as sys/init does; every node stays sealed.
   * @throws VaultApiError 400 when already initialised or the configuration is invalid.
   */
  async initialise(shares: number, threshold: number): Promise<InitAnswer> {
    if (this.storage.sealConfig !== null) throw badRequest("Vault is already initialized");
    const result = await initSeal(shares, threshold, this.random);
    this.storage.sealConfig = { shares, threshold };
    this.storage.keyring = result.keyring;
    const rootToken = this.installDefaults();
    const keys = result.shares.map((s) => Buffer.from(s));
    return { keys: keys.map((k) => k.toString("hex")), keys_base64: keys.map((k) => k.toString("base64")), root_token: rootToken };
  }

  /**
   * Initialises and unseals like `vault server -dev`: one share (the raw unseal key), the given
   * root token, KV v2 at `secret/`.
   */
  initialiseDev(unsealKey: Uint8Array, rootTokenId: string): void {
    this.storage.clear();
    this.storage.sealConfig = { shares: 1, threshold: 1 };
    this.storage.keyring = keyringFor(unsealKey, this.random);
    this.installDefaults(rootTokenId);
    this.storage.mounts.set("secret/", newMountEntry("secret/", "kv", { description: "key/value secret storage", options: { version: "2" } }));
    for (const n of this.nodeSeals) n.markUnsealed(this.storage, this.nodeSeals);
  }

  /** Back to an uninitialised, sealed cluster. */
  clearAll(): void {
    this.storage.clear();
    for (const n of this.nodeSeals) n.seal(this.storage, this.nodeSeals);
  }
}
