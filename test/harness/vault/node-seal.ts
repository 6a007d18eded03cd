/**
 * One node's seal state — sealed or not, the unseal parts recorded so far and their nonce — and
 * the HA lock over the shared storage: the first node to unseal becomes active, the others
 * standby; when the active node seals, another unsealed node takes over (vault-api.md §2.3–2.6).
 * A standby answers requests itself over the shared storage, which is what a client sees from
 * Vault's request forwarding to the active node (docs/concepts/ha, "Request forwarding"); the 307
 * redirect mode used when forwarding is off is not modelled.
 */
import { randomUUID, timingSafeEqual } from "node:crypto";
import { badRequest } from "./envelope.js";
import { combineParts, decodeUnsealKey, openRootKey } from "./seal.js";
import type { VaultStorage } from "./storage.js";

/** Vault's version string reported by this test server. */
export const vaultVersion = "1.17.2";

/** The seal state of one node. */
export class NodeSeal {
  readonly index: number;
  sealed = true;
  private parts: Uint8Array[] = [];
  private nonce = "";

  constructor(index: number) {
    this.index = index;
  }

  /** How many distinct parts are recorded. */
  get progress(): number {
    return this.parts.length;
  }

  /** Clears the unseal attempt in progress. */
  resetProgress(): void {
    this.parts = [];
    this.nonce = "";
  }

  /** Seals this node and gives up the HA lock if it held it. */
  seal(storage: VaultStorage, nodes: readonly NodeSeal[]): void {
    this.sealed = true;
    this.resetProgress();
    if (storage.activeNode === this.index) {
      storage.activeNode = nodes.find((n) => !n.sealed && n.index !== this.index)?.index ?? null;
    }
  }

  /** Hands the HA lock (held by whichever node is active) to the next unsealed node, if any. */
  stepDown(storage: VaultStorage, nodes: readonly NodeSeal[]): void {
    const active = storage.activeNode;
    if (active === null) return;
    const others = [...nodes.slice(active + 1), ...nodes.slice(0, active)];
    const next = others.find((n) => !n.sealed);
    if (next !== undefined) storage.activeNode = next.index;
  }

  /** Marks this node unsealed and takes the HA lock when nobody holds it. */
  markUnsealed(storage: VaultStorage, nodes: readonly NodeSeal[]): void {
    this.sealed = false;
    this.resetProgress();
    const active = storage.activeNode === null ? undefined : nodes[storage.activeNode];
    if (active === undefined || active.sealed) storage.activeNode = this.index;
  }

  /**
   * Submits one unseal key (hex or base64). A repeated part is ignored; at the threshold the parts
   * are combined and checked against the stored keyring, and the attempt is cleared either way.
   * @throws VaultApiError 400 with Vault's messages (not initialised, bad encoding, wrong key set).
   */
  async submit(storage: VaultStorage, nodes: readonly NodeSeal[], key: string): Promise<void> {
    // Vault's handler decodes the key before core.Unseal checks initialisation and seal state.
    const part = decodeUnsealKey(key);
    const config = storage.sealConfig;
    const keyring = storage.keyring;
    if (config === null || keyring === null) throw badRequest("Vault is not initialized");
    if (!this.sealed) return;
    const repeated = this.parts.some((p) => p.length === part.length && timingSafeEqual(p, part));
    if (repeated) return;
    if (this.parts.length === 0) this.nonce = randomUUID();
    this.parts.push(part);
    if (this.parts.length < config.threshold) return;
    const parts = this.parts;
    this.resetProgress();
    const unsealKey = await combineParts(parts, config.threshold);
    openRootKey(keyring, unsealKey);
    this.markUnsealed(storage, nodes);
  }

  /** The body of sys/seal-status (and of sys/unseal), fields in Vault's order (§2.4). */
  status(storage: VaultStorage): Record<string, unknown> {
    const config = storage.sealConfig;
    const initialized = config !== null;
    const body: Record<string, unknown> = {
      type: "shamir",
      initialized,
      sealed: this.sealed,
      t: config?.threshold ?? 0,
      n: config?.shares ?? 0,
      progress: this.sealed ? this.parts.length : 0,
      nonce: this.sealed ? this.nonce : "",
      version: vaultVersion,
      build_date: "2024-08-05T18:53:44Z",
      migration: false,
    };
    if (!this.sealed) {
      body["cluster_name"] = storage.clusterName;
      body["cluster_id"] = storage.clusterId;
    }
    body["recovery_seal"] = false;
    body["storage_type"] = "inmem";
    return body;
  }
}
