/**
 * Submitting one unseal share to Vault nodes, and aborting an unseal in progress. Each node is
 * unsealed on its own (every HA node keeps its own unseal progress), so a share goes to every
 * node. Vault's behaviour (vault-api.md §2.3): a repeated share is ignored and progress stays; a
 * wrong share below the threshold is accepted and progress rises; at the threshold progress resets
 * whether or not the key was right, and a wrong combination answers 400 "invalid key" (500 before
 * Vault 1.13). So a share is submitted once per node, never again after a failure.
 */
import { SEAL_FAILURES, VaultNodeError, describeFailure } from "./seal-errors.js";
import type { SealStatus, VaultSysApi } from "./sys-api.js";

/** What happened at one node. */
export type UnsealOutcome =
  | { node: string; kind: "unsealed"; threshold: number }
  | { node: string; kind: "progress"; progress: number; threshold: number }
  | { node: string; kind: "repeated"; progress: number; threshold: number }
  | { node: string; kind: "alreadyUnsealed" }
  | { node: string; kind: "reset"; threshold: number }
  /** The threshold was reached without error but the node is still sealed: a raft node joining its cluster unseals a moment later. */
  | { node: string; kind: "pending"; threshold: number }
  | { node: string; kind: "failed"; error: VaultNodeError };

/** The subset of {@link VaultSysApi} this module uses (a test double or a real node). */
export type UnsealApi = Pick<VaultSysApi, "label" | "sealStatus" | "submitKey" | "resetUnseal">;

/**
 * Classifies an error answer to sys/unseal.
 * @param before the node's status just before the submission (to tell a 500 at the threshold).
 */
export function classifyUnsealError(node: string, status: number, errors: readonly string[], before: SealStatus): VaultNodeError {
  const text = errors.join(" ");
  const fail = (failure: (typeof SEAL_FAILURES)[keyof typeof SEAL_FAILURES], detail: string): VaultNodeError =>
    new VaultNodeError(failure, node, describeFailure(failure, node, detail), { status });
  if (/not initialized/i.test(text)) return fail(SEAL_FAILURES.notInitialized, "");
  if (/key is (shorter|longer) than/i.test(text)) return fail(SEAL_FAILURES.notAShare, "wrong length");
  if (/valid hex or base64/i.test(text)) return fail(SEAL_FAILURES.notAShare, "not hex or base64");
  const atThreshold = before.t > 0 && before.progress + 1 >= before.t;
  if (/invalid key|unseal failed|failed to decrypt|message authentication|combined key|duplicate part/i.test(text)) {
    return fail(SEAL_FAILURES.wrongShareSet, "");
  }
  if ((status === 400 || status === 500) && atThreshold) return fail(SEAL_FAILURES.wrongShareSet, "");
  return fail(SEAL_FAILURES.refused, `HTTP ${status} on sys/unseal`);
}

/** How long to watch a node that took the last share but is still sealed (a joining raft node). */
export interface SettleOptions {
  attempts: number;
  sleep: (ms: number) => Promise<void>;
  delayMs: number;
}

const NO_SETTLE: SettleOptions = { attempts: 0, sleep: async () => undefined, delayMs: 0 };

/**
 * Submits `key` to one node once: reads its seal status first (an unsealed node is left alone, an
 * uninitialised one reported), then sends the key and reads the progress from the answer. When
 * the threshold was reached and the node is still sealed (OpenBao/Vault raft: the shares open the
 * join challenge and the node unseals once it joined), its status is read again up to
 * `settle.attempts` times; the key is never sent again.
 * @returns the outcome; never throws for a node-level failure (it is the `failed` outcome).
 */
export async function unsealNode(api: UnsealApi, key: string, settle: SettleOptions = NO_SETTLE): Promise<UnsealOutcome> {
  const node = api.label;
  try {
    const before = await api.sealStatus();
    if (!before.initialized) {
      return { node, kind: "failed", error: new VaultNodeError(SEAL_FAILURES.notInitialized, node, describeFailure(SEAL_FAILURES.notInitialized, node, "")) };
    }
    if (!before.sealed) return { node, kind: "alreadyUnsealed" };
    const answer = await api.submitKey(key);
    if (!("sealStatus" in answer)) return { node, kind: "failed", error: classifyUnsealError(node, answer.status, answer.errors, before) };
    const after = answer.sealStatus;
    if (!after.sealed) return { node, kind: "unsealed", threshold: after.t || before.t };
    if (after.progress === 0 && before.t > 0 && before.progress + 1 >= before.t) {
      for (let i = 0; i < settle.attempts; i++) {
        await settle.sleep(settle.delayMs);
        if (!(await api.sealStatus()).sealed) return { node, kind: "unsealed", threshold: before.t };
      }
      return { node, kind: "pending", threshold: before.t };
    }
    const repeated = before.progress > 0 && after.progress === before.progress && (after.nonce ?? "") === (before.nonce ?? "");
    return { node, kind: repeated ? "repeated" : "progress", progress: after.progress, threshold: after.t };
  } catch (err) {
    if (err instanceof VaultNodeError) return { node, kind: "failed", error: err };
    throw err;
  }
}

/**
 * Submits `key` to every node (concurrently; each node once).
 * @returns one outcome per node, in the order given.
 */
export async function unsealNodes(apis: readonly UnsealApi[], key: string, settle: SettleOptions = NO_SETTLE): Promise<UnsealOutcome[]> {
  return Promise.all(apis.map((api) => unsealNode(api, key, settle)));
}

/**
 * Aborts the unseal in progress on every node (`{"reset": true}`).
 * @returns one outcome per node: reset, alreadyUnsealed or failed.
 */
export async function resetNodes(apis: readonly UnsealApi[]): Promise<UnsealOutcome[]> {
  return Promise.all(
    apis.map(async (api): Promise<UnsealOutcome> => {
      try {
        const status = await api.resetUnseal();
        return status === null ? { node: api.label, kind: "alreadyUnsealed" } : { node: api.label, kind: "reset", threshold: status.t };
      } catch (err) {
        if (err instanceof VaultNodeError) return { node: api.label, kind: "failed", error: err };
        throw err;
      }
    }),
  );
}

/** One line for an outcome (no share, no Vault body). */
export function describeOutcome(o: UnsealOutcome): string {
  switch (o.kind) {
    case "unsealed":
      return `${o.node}: unsealed (${o.threshold}/${o.threshold} shares)`;
    case "progress":
      return `${o.node}: ${o.progress}/${o.threshold} shares, still sealed (${o.threshold - o.progress} more needed)`;
    case "repeated":
      return `${o.node}: ${o.progress}/${o.threshold} shares, still sealed (this share was already submitted; progress unchanged)`;
    case "alreadyUnsealed":
      return `${o.node}: already unsealed (nothing submitted)`;
    case "pending":
      return `${o.node}: ${o.threshold}/${o.threshold} shares accepted, still sealed (the node is finishing its unseal, e.g. joining its raft cluster; check sealbridge vault status)`;
    case "reset":
      return `${o.node}: unseal progress reset (0/${o.threshold} shares)`;
    case "failed":
      return o.error.message;
  }
}
