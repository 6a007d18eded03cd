/**
 * The one place that turns a reconcile result (an outcome or a thrown error) into what the
 * runtime does next — requeue after t, back off, or stall until the generation changes — and into
 * the `Ready` condition, the Event and the metrics label that go with it.
 */
import { StalledError, TransientError, WaitingError } from "../types.js";
import type { ReconcileOutcome } from "../types.js";
import type { ConditionInput } from "./conditions.js";
import { scrubText } from "../../log.js";

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

/** The summary condition type. */
export const READY = "Ready";
/** Ready=True reason when a reconciler returned normally. */
export const REASON_SUCCEEDED = "ReconciliationSucceeded";
/** Ready=False reason for errors that are not typed controller errors. */
export const REASON_FAILED = "ReconciliationFailed";

const MAX_MESSAGE = 1024;

function clean(message: string): string {
  const scrubbed = scrubText(message);
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
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
      condition: { type: READY, status: "True", reason: REASON_SUCCEEDED, message: "Reconciled", ...gen },
    };
  }
  const err = result.error;
  if (err instanceof WaitingError) {
    const message = clean(err.message);
    return {
      result: RESULT.Waiting,
      next: { kind: "requeueAfter", ms: Math.max(0, err.afterMs) },
      condition: { type: READY, status: "False", reason: err.reason, message, ...gen },
      event: { type: "Normal", reason: err.reason, message },
      errorReason: err.reason,
    };
  }
  if (err instanceof StalledError) {
    const message = clean(err.message);
    return {
      result: RESULT.Stalled,
      next: { kind: "stalled" },
      condition: { type: READY, status: "False", reason: err.reason, message, ...gen },
      event: { type: "Warning", reason: err.reason, message },
      errorReason: err.reason,
    };
  }
  const reason = err instanceof TransientError ? err.reason : REASON_FAILED;
  const message = clean(err instanceof Error ? err.message : String(err));
  return {
    result: RESULT.Error,
    next: { kind: "backoff" },
    condition: { type: READY, status: "False", reason, message, ...gen },
    event: { type: "Warning", reason, message },
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
