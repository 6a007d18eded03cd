/**
 * The seal state of every Vault node: initialised, sealed, unseal progress, version, HA mode and
 * leader, as `vault status` shows them per node; with the exit code rule of `sealbridge vault
 * status` (0 all unsealed, 1 any sealed, 2 any unreachable).
 */
import { VaultNodeError } from "./seal-errors.js";
import type { VaultSysApi } from "./sys-api.js";

/** One node's state; `error` set means it could not be read. */
export interface NodeSealState {
  node: string;
  reachable: boolean;
  initialized?: boolean;
  sealed?: boolean;
  progress?: number;
  threshold?: number;
  shares?: number;
  version?: string;
  /** `active`, `standby`, `sealed` (HA nodes cannot tell while sealed) or `disabled` (not HA). */
  haMode?: "active" | "standby" | "sealed" | "disabled";
  /** The active node's API address, when known. */
  leader?: string;
  /** One-line reason when unreachable or unreadable. */
  error?: string;
}

/** The subset of {@link VaultSysApi} read here. */
export type StatusApi = Pick<VaultSysApi, "label" | "sealStatus" | "leader">;

/**
 * Reads one node's seal status and leader.
 * @returns its state; a node that does not answer is `reachable: false` (never throws for that).
 */
export async function readNodeState(api: StatusApi): Promise<NodeSealState> {
  try {
    const s = await api.sealStatus();
    const state: NodeSealState = {
      node: api.label,
      reachable: true,
      initialized: s.initialized,
      sealed: s.sealed,
      progress: s.progress,
      threshold: s.t,
      shares: s.n,
      ...(s.version !== undefined ? { version: s.version } : {}),
    };
    // The seal status is what matters; a leader lookup that fails leaves the HA mode unknown.
    const leader = await api.leader().catch(() => undefined);
    if (leader === undefined) return state;
    if (leader === null) {
      if (s.sealed) state.haMode = "sealed";
    } else if (!leader.ha_enabled) state.haMode = "disabled";
    else {
      state.haMode = leader.is_self ? "active" : "standby";
      if (leader.leader_address !== "") state.leader = leader.leader_address;
    }
    return state;
  } catch (err) {
    if (err instanceof VaultNodeError) return { node: api.label, reachable: false, error: err.message };
    throw err;
  }
}

/** Reads every node concurrently; results in the order given. */
export async function readNodeStates(apis: readonly StatusApi[]): Promise<NodeSealState[]> {
  return Promise.all(apis.map(readNodeState));
}

/** 2 when any node is unreachable, else 1 when any is sealed (or uninitialised), else 0. */
export function statusExitCode(states: readonly NodeSealState[]): 0 | 1 | 2 {
  if (states.some((s) => !s.reachable)) return 2;
  if (states.some((s) => s.sealed !== false)) return 1;
  return 0;
}

/** A table, one row per node. */
export function renderStatusTable(states: readonly NodeSealState[]): string {
  const header = ["NODE", "INITIALIZED", "SEALED", "PROGRESS", "VERSION", "HA MODE", "LEADER"];
  const rows = states.map((s) =>
    s.reachable
      ? [
          s.node,
          String(s.initialized),
          String(s.sealed),
          s.sealed ? `${s.progress ?? 0}/${s.threshold ?? 0}` : "-",
          s.version ?? "-",
          s.haMode ?? "-",
          s.leader ?? "-",
        ]
      : [s.node, "?", "?", "?", "?", "unreachable", "-"],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  const notes = states.filter((s) => s.error !== undefined).map((s) => s.error ?? "");
  return [line(header), ...rows.map(line), ...notes].join("\n") + "\n";
}
