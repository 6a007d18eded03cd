/**
 * plan() of the VaultUnsealer kind: pure. From the spec (with the previous status) and what
 * observe saw and did, the per-node status, the `Unsealed` condition, Events on changes only, and
 * the jittered next check. Ready comes from the outcome: ok when every node is unsealed, else
 * waiting (the next check comes at the interval whatever the reason: sealed, unreachable, a
 * wrong share combination, shares the controller cannot open).
 */
import type { ConditionInput } from "../runtime/conditions.js";
import type { Plan, PlannedEvent } from "../runtime/kind.js";
import { jitteredInterval, nextNodeStatuses, type ObservedNode } from "./node-status.js";
import type { UnsealerSpec } from "./spec.js";

/** Condition and Event reasons. */
export const UNSEALER_REASONS = {
  allUnsealed: "AllUnsealed",
  nodeUnsealed: "NodeUnsealed",
  nodeSealed: "NodeSealed",
  nodeUnreachable: "NodeUnreachable",
  notInitialized: "NotInitialized",
  wrongShareSet: "WrongShareSet",
  sharesUnavailable: "SharesUnavailable",
  noNodes: "NoNodes",
  sealedTooLong: "NodeSealedTooLong",
} as const;

/** What observe() hands to plan(). */
export interface UnsealerObserved {
  nodes: ObservedNode[];
  /** Digest of the encrypted shares in use. */
  digest: string;
  /** Why the shares could not be used (a Secret missing, the identity does not open one). */
  sharesProblem?: string;
  /** Why no node could be listed. */
  nodesProblem?: string;
}

const R = UNSEALER_REASONS;

/**
 * Plans one pass.
 * @returns status.nodes, the Unsealed condition, Events for what changed, the outcome and requeue.
 */
export function planVaultUnsealer(spec: UnsealerSpec, observed: UnsealerObserved, now: Date): Plan {
  const nodes = nextNodeStatuses(spec.previousNodes, observed.nodes, { now, generation: spec.generation, digest: observed.digest, alertAfterMs: spec.alertAfterMs });
  const afterMs = jitteredInterval(spec.checkIntervalMs, `${spec.namespace}/${spec.name}`, now);
  const events: PlannedEvent[] = [];
  for (const n of observed.nodes) {
    const prev = spec.previousNodes.find((p) => p.name === n.name);
    const next = nodes.find((s) => s.name === n.name);
    if (n.attempt?.result === "unsealed") events.push({ type: "Normal", reason: R.nodeUnsealed, message: `unsealed ${n.name} with ${n.attempt.submitted} share(s)` });
    if (n.attempt?.result === "wrongShareSet") events.push({ type: "Warning", reason: R.wrongShareSet, message: `${n.name}: ${n.attempt.message}` });
    if (next?.alerting === true && prev?.alerting !== true) {
      events.push({ type: "Warning", reason: R.sealedTooLong, message: `${n.name} has been sealed since ${next.sealedSince ?? "?"} (alerting)` });
    }
  }

  const sealed = nodes.filter((n) => n.reachable && n.sealed !== false);
  const unreachable = nodes.filter((n) => !n.reachable);
  const wrong = nodes.filter((n) => n.wrongShares !== undefined && n.sealed !== false);
  const uninitialised = nodes.filter((n) => n.reachable && n.initialized === false);
  let reason: string = R.allUnsealed;
  let message = `all ${nodes.length} node(s) unsealed`;
  if (observed.nodesProblem !== undefined || nodes.length === 0) {
    reason = R.noNodes;
    message = observed.nodesProblem ?? "no Vault node matches spec.nodes";
  } else if (wrong.length > 0) {
    reason = R.wrongShareSet;
    message = `the shares submitted do not open ${wrong.map((n) => n.name).join(", ")}; progress was reset (fix spec.shares; they are not resubmitted until they change)`;
  } else if (sealed.length > 0 && observed.sharesProblem !== undefined) {
    reason = R.sharesUnavailable;
    message = observed.sharesProblem;
  } else if (uninitialised.length > 0) {
    reason = R.notInitialized;
    message = `not initialized: ${uninitialised.map((n) => n.name).join(", ")} (run sealbridge vault init)`;
  } else if (sealed.length > 0) {
    reason = R.nodeSealed;
    const names = sealed.map((n) => `${n.name} (${n.progress ?? 0}/${n.threshold ?? 0})`).join(", ");
    message = spec.sharesToUse === 0 ? `sealed: ${names}; this VaultUnsealer only alerts (sharesToUse 0)` : `sealed: ${names}; waiting for more shares`;
  } else if (unreachable.length > 0) {
    reason = R.nodeUnreachable;
    message = `unreachable: ${unreachable.map((n) => n.name).join(", ")}`;
  }
  const ok = reason === R.allUnsealed;
  const condition: ConditionInput = { type: "Unsealed", status: ok ? "True" : "False", reason, message, observedGeneration: spec.generation };
  const before = spec.previousConditions.find((c) => c.type === "Unsealed");
  if (!ok && before?.reason !== reason && reason !== R.wrongShareSet && reason !== R.nodeSealed) {
    events.push({ type: "Warning", reason, message });
  }
  return {
    writes: [],
    conditions: [condition],
    events,
    status: { nodes },
    requeueAfterMs: afterMs,
    outcome: ok ? { kind: "ok" } : { kind: "waiting", reason, message, afterMs },
  };
}
