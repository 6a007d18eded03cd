/**
 * The one place that turns a reconcile result (an outcome or a thrown error) into what the
 * runtime does next — requeue after t, back off, or stall until the generation changes — and into
 * the `Ready` condition, the Event and the metrics label that go with it.
 */
import { StalledError, TransientError, WaitingError } from "../types.js";
import type { ReconcileOutcome } from "../types.js";
import type { ConditionInput } from "./conditions.js";
import { READY, REASON_FAILED, summaryCondition } from "./status-summary.js";

/** Reconcile results, the `result` label of `sealbridge_reconcile_total`. */
export const RESULT = {
  Success: "success",
  Waiting: "waiting",
  Error: "error",
  Stalled: "stalled",
} as const;
/** One of RESULT. */
export type ReconcileResult = (typeof RESULT)[keyof typeof RESULT];

/** What to do with the key next. */
export type NextStep =
  | { kind: "done" }
  | { kind: "requeueAfter"; ms: number }
  | { kind: "backoff" }
  | { kind: "stalled" };

/** What to do after a pass, and how to report it. */
export interface Decision {
  result: ReconcileResult;
  next: NextStep;
  /** The Ready condition (without time) describing the result. */
  condition: ConditionInput;
  /** Set for failures a person should see: Event type, reason (= condition reason), message. */
  event?: { type: "Normal" | "Warning"; reason: string; message: string };
  /** The error's reason, for the errors metric and logs; undefined on success. */
  errorReason?: string;
}


/**
 * Maps a reconcile result to the next step and the Ready condition:
 * - outcome → Ready=True, requeue after `requeueAfterMs` if given;
 * - WaitingError → Ready=False (Unknown would hide it), requeue after its delay, not a failure;
 * - StalledError → Ready=False, no retry until the generation changes, Warning event;
 * - TransientError or any other error → Ready=False, per-key backoff, Warning event.
 */
export function decide(result: { outcome: ReconcileOutcome } | { error: unknown }, generation?: number): Decision {
  const gen = generation !== undefined ? { observedGeneration: generation } : {};
  if ("outcome" in result) {
    const after = result.outcome.requeueAfterMs;
    return {
      result: RESULT.Success,
      next: after !== undefined && after > 0 ? { kind: "requeueAfter", ms: after } : { kind: "done" },
      condition: { ...summaryCondition(READY, { kind: "ok" }), ...gen },
    };
  }
  const err = result.error;
  if (err instanceof WaitingError) {
    const condition = { ...summaryCondition(READY, { kind: "waiting", reason: err.reason, message: err.message, afterMs: err.afterMs }), ...gen };
    return {
      result: RESULT.Waiting,
      next: { kind: "requeueAfter", ms: Math.max(0, err.afterMs) },
      condition,
      event: { type: "Normal", reason: err.reason, message: condition.message },
      errorReason: err.reason,
    };
  }
  if (err instanceof StalledError) {
    const condition = { ...summaryCondition(READY, { kind: "stalled", reason: err.reason, message: err.message }), ...gen };
    return {
      result: RESULT.Stalled,
      next: { kind: "stalled" },
      condition,
      event: { type: "Warning", reason: err.reason, message: condition.message },
      errorReason: err.reason,
    };
  }
  const reason = err instanceof TransientError ? err.reason : REASON_FAILED;
  const condition = { ...summaryCondition(READY, { kind: "transient", reason, message: err instanceof Error ? err.message : String(err) }), ...gen };
  return {
    result: RESULT.Error,
    next: { kind: "backoff" },
    condition,
    event: { type: "Warning", reason, message: condition.message },
    errorReason: reason,
  };
}

/** Remembers which keys stalled at which generation (or resourceVersion for kinds without one), so they are not retried until it changes. */
export class StalledMemory {
  readonly #stalled = new Map<string, number | string | undefined>();

  mark(key: string, generation: number | string | undefined): void {
    this.#stalled.set(key, generation);
  }

  /** True when `key` stalled at exactly this generation (a changed or deleted object is retried). */
  isStalled(key: string, generation: number | string | undefined): boolean {
    return this.#stalled.has(key) && this.#stalled.get(key) === generation;
  }

  clear(key: string): void {
    this.#stalled.delete(key);
  }
}
