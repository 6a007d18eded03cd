/**
 * The status of a SealedSecret or AgeSecret: one `Synced` condition (sealed-secrets' shape, with
 * a reason added) and `observedGeneration`; AgeSecrets also carry `Ready`, the house summary
 * condition. Pure: decides the next status and whether it differs from the stored one, so status
 * is written only when it changed.
 */
import type { PlannedCondition } from "./secret-plan.js";

export const SYNCED_CONDITION = "Synced";
export const READY_CONDITION = "Ready";

interface StoredCondition {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  lastTransitionTime?: unknown;
  lastUpdateTime?: unknown;
}

/** The status fields this planner owns. */
export interface SyncedStatus {
  observedGeneration?: number;
  conditions: Array<Record<string, unknown>>;
}

function time(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

function conditionsOf(status: unknown): StoredCondition[] {
  const list = (status as { conditions?: unknown } | null | undefined)?.conditions;
  return Array.isArray(list) ? (list.filter((c) => typeof c === "object" && c !== null) as StoredCondition[]) : [];
}

/**
 * The next status for `planned`, or null when the stored status already says the same.
 * @param style `sealed-secrets` keeps lastUpdateTime as sealed-secrets does; `metav1` writes
 * metav1.Condition fields (with observedGeneration) and adds a `Ready` condition.
 */
export function nextSyncedStatus(
  stored: unknown,
  generation: number | undefined,
  planned: PlannedCondition,
  now: Date,
  style: "sealed-secrets" | "metav1",
): SyncedStatus | null {
  const existing = conditionsOf(stored);
  const storedGeneration = (stored as { observedGeneration?: unknown } | null | undefined)?.observedGeneration;
  const types = style === "metav1" ? [SYNCED_CONDITION, READY_CONDITION] : [SYNCED_CONDITION];
  let changed = generation !== undefined && storedGeneration !== generation;
  const conditions: Array<Record<string, unknown>> = existing
    .filter((c) => !types.includes(String(c.type)))
    .map((c) => ({ ...c }));
  for (const type of types) {
    const prev = existing.find((c) => c.type === type);
    const same = prev !== undefined && prev.status === planned.status && (prev.reason ?? "") === planned.reason && (prev.message ?? "") === planned.message;
    if (!same) changed = true;
    const flipped = prev === undefined || prev.status !== planned.status;
    const transition = flipped ? time(now) : String(prev?.lastTransitionTime ?? time(now));
    if (style === "sealed-secrets") {
      conditions.push({
        type,
        status: planned.status,
        reason: planned.reason,
        message: planned.message,
        lastUpdateTime: same ? String(prev?.lastUpdateTime ?? time(now)) : time(now),
        lastTransitionTime: transition,
      });
    } else {
      conditions.push({
        type,
        status: planned.status,
        reason: planned.reason,
        message: planned.message,
        lastTransitionTime: transition,
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      });
    }
  }
  if (!changed) return null;
  return { ...(generation !== undefined ? { observedGeneration: generation } : {}), conditions };
}
