/**
 * The one status summarizer: from a pass's conditions, outcome and kind-specific fields to the
 * object's next status — metav1.Condition-shaped conditions (or the sealed-secrets `Synced`
 * shape), the summary condition filled from the outcome, observedGeneration where the kind's CRD
 * keeps it, RFC 3339 second-precision times that move only when a condition's status flips.
 * Also decides whether that status differs from the stored one, so it is written only then. Pure.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../../kube/types.js";
import { scrubText } from "../../log.js";
import type { ConditionInput } from "./conditions.js";
import { formatTime } from "./conditions.js";
import { canonicalJson, jsonEqual } from "./json-compare.js";
import type { PlanOutcome } from "./kind.js";

/** The summary condition type of the "conditions" shape. */
export const READY = "Ready";
/** The summary condition type of the "sealed-secrets" shape. */
export const SYNCED = "Synced";
/** Ready=True reason when a pass ended ok and the plan set no summary condition itself. */
export const REASON_SUCCEEDED = "ReconciliationSucceeded";
/** Ready=False reason for errors that are not typed controller errors. */
export const REASON_FAILED = "ReconciliationFailed";

const MAX_MESSAGE = 1024;

/** A message fit for a condition or an Event: secret-shaped text scrubbed, at most 1 KiB. */
export function cleanMessage(message: string): string {
  const scrubbed = scrubText(message);
  return scrubbed.length > MAX_MESSAGE ? `${scrubbed.slice(0, MAX_MESSAGE)}…` : scrubbed;
}

/** How a kind's status looks. */
export interface StatusStyle {
  shape: "conditions" | "sealed-secrets";
  /** Where the CRD keeps observedGeneration ("none": nowhere, e.g. ESO's kinds; a field the CRD lacks is pruned by the apiserver). */
  observedGenerationIn: "status" | "conditions" | "both" | "none";
  /** Condition types filled from the outcome when the pass does not set them. */
  summaryConditions: readonly string[];
}

/** The default style of a shape. */
export function statusStyle(shape: "conditions" | "sealed-secrets" = "conditions", overrides: Partial<StatusStyle> = {}): StatusStyle {
  return {
    shape,
    observedGenerationIn: shape === "sealed-secrets" ? "status" : "both",
    summaryConditions: shape === "sealed-secrets" ? [SYNCED] : [READY],
    ...overrides,
  };
}

/** The summary condition (of `type`) describing an outcome; messages of errors are cleaned. */
export function summaryCondition(type: string, outcome: PlanOutcome): ConditionInput {
  if (outcome.kind === "ok") return { type, status: "True", reason: REASON_SUCCEEDED, message: "Reconciled" };
  return { type, status: "False", reason: outcome.reason, message: cleanMessage(outcome.message) };
}

/** What a pass says about status. */
export interface StatusInput {
  conditions: readonly ConditionInput[];
  outcome: PlanOutcome;
  /** Kind-specific fields; undefined values are left out. */
  fields?: Record<string, unknown> | undefined;
}

type StoredCondition = Record<string, unknown>;

function storedConditions(status: unknown): StoredCondition[] {
  const list = (status as { conditions?: unknown } | null | undefined)?.conditions;
  return Array.isArray(list) ? (list.filter((c) => typeof c === "object" && c !== null) as StoredCondition[]) : [];
}

function buildCondition(input: ConditionInput, prev: StoredCondition | undefined, style: StatusStyle, generation: number | undefined, now: string): StoredCondition {
  const flipped = prev === undefined || prev["status"] !== input.status;
  const lastTransitionTime = flipped || typeof prev["lastTransitionTime"] !== "string" ? now : prev["lastTransitionTime"];
  if (style.shape === "sealed-secrets") {
    const same = prev !== undefined && !flipped && (prev["reason"] ?? "") === input.reason && (prev["message"] ?? "") === input.message;
    const lastUpdateTime = same && typeof prev["lastUpdateTime"] === "string" ? prev["lastUpdateTime"] : now;
    return { type: input.type, status: input.status, reason: input.reason, message: input.message, lastUpdateTime, lastTransitionTime };
  }
  const gen = input.observedGeneration ?? generation;
  const withGeneration = (style.observedGenerationIn === "conditions" || style.observedGenerationIn === "both") && gen !== undefined;
  return { type: input.type, status: input.status, reason: input.reason, message: input.message, lastTransitionTime, ...(withGeneration ? { observedGeneration: gen } : {}) };
}

/**
 * The status `current` should have after a pass: other conditions kept in place, the pass's
 * conditions (and the summary conditions it left out, from the outcome) set, kind fields merged.
 */
export function summarizeStatus(current: KubeObject, input: StatusInput, style: StatusStyle, now: Date): Record<string, unknown> {
  const generation = current.metadata.generation;
  const stamp = formatTime(now);
  const wanted: ConditionInput[] = [...input.conditions];
  for (const type of style.summaryConditions) {
    if (!wanted.some((c) => c.type === type)) wanted.push(summaryCondition(type, input.outcome));
  }
  const conditions = storedConditions(current.status).map((c) => ({ ...c }));
  for (const condition of wanted) {
    const index = conditions.findIndex((c) => c["type"] === condition.type);
    const next = buildCondition(condition, index === -1 ? undefined : conditions[index], style, generation, stamp);
    if (index === -1) conditions.push(next);
    else conditions[index] = next;
  }
  const status: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input.fields ?? {})) if (value !== undefined) status[key] = value;
  status["conditions"] = conditions;
  if ((style.observedGenerationIn === "status" || style.observedGenerationIn === "both") && generation !== undefined) status["observedGeneration"] = generation;
  return status;
}

function byType(value: unknown): StoredCondition[] {
  const list = Array.isArray(value) ? [...(value as StoredCondition[])] : [];
  return list.sort((a, b) => (String(a["type"]) < String(b["type"]) ? -1 : String(a["type"]) > String(b["type"]) ? 1 : 0));
}

/** True when `desired` differs from what `current.status` holds (conditions compared in any order). */
export function statusDiffers(current: KubeObject, desired: Record<string, unknown>): boolean {
  const existing = (current.status ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(desired)) {
    const same = key === "conditions" ? jsonEqual(byType(existing[key]), byType(value)) : jsonEqual(existing[key], value);
    if (!same) return true;
  }
  return false;
}

/**
 * A fingerprint of `status` without its times (condition times and `timeFields`): equal
 * fingerprints mean the same outcome, so a cache that has not yet seen our write is not written twice.
 */
export function statusFingerprint(uid: string | undefined, status: Record<string, unknown>, timeFields: readonly string[]): string {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(status)) {
    if (timeFields.includes(key)) continue;
    rest[key] = key === "conditions" && Array.isArray(value)
      ? (value as StoredCondition[]).map(({ lastTransitionTime: _t, lastUpdateTime: _u, ...c }) => c)
      : value;
  }
  // A digest, not the JSON itself: the controller keeps one per object (10,000 × ~300 bytes otherwise).
  return createHash("sha256").update(`${uid ?? ""}|${canonicalJson(rest)}`).digest("base64");
}
