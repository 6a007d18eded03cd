/**
 * The pure rules of the VaultUnsealer, shared by observe (which acts on them: unseal attempts,
 * alerts) and plan (which records them): what one pass saw per node, the status it leads to
 * (sealedSince, lastUnsealTime, the wrong-share memory, alerting), whether a node may be tried,
 * the alerts to fire or resolve, and the jittered check interval.
 */
import { createHash } from "node:crypto";
import type { UnsealerNodeStatus } from "../../api/vault-unsealer.js";
import { formatTime } from "../runtime/conditions.js";

/** What an unseal attempt on a node ended with. */
export type AttemptResult = "unsealed" | "progress" | "pending" | "wrongShareSet" | "failed";

/** One node as one pass saw it. */
export interface ObservedNode {
  /** `pod NAME` or the address. */
  name: string;
  address?: string;
  reachable: boolean;
  initialized?: boolean;
  sealed?: boolean;
  progress?: number;
  threshold?: number;
  version?: string;
  /** One line when unreachable (no body, no share). */
  error?: string;
  /** Set when this pass submitted shares to the node. */
  attempt?: { submitted: number; result: AttemptResult; message: string };
}

/** The alert name (Alertmanager `alertname`). */
export const SEALED_ALERT_NAME = "VaultNodeSealed";

/** A digest of the encrypted shares (not secret: ciphertexts), to remember what a wrong set was. */
export function sharesDigest(encryptedShares: readonly string[]): string {
  const h = createHash("sha256");
  for (const s of encryptedShares) h.update(s).update("\0");
  return h.digest("hex").slice(0, 16);
}

/**
 * Whether shares may be submitted to a node: never again after a wrong combination with the same
 * shares and generation (Vault resets progress at the threshold; resubmitting would loop).
 */
export function attemptAllowed(previous: UnsealerNodeStatus | undefined, generation: number, digest: string): boolean {
  const w = previous?.wrongShares;
  return !(w && w.generation === generation && w.sharesDigest === digest);
}

function sealedFor(sinceIso: string | undefined, now: Date): number {
  if (sinceIso === undefined) return 0;
  const t = Date.parse(sinceIso);
  return Number.isNaN(t) ? 0 : now.getTime() - t;
}

function minutes(ms: number): string {
  const m = Math.floor(ms / 60_000);
  return m >= 1 ? `${m}m` : `${Math.floor(ms / 1000)}s`;
}

/**
 * The status of every observed node, from the previous status and this pass.
 * @param alertAfterMs a node sealed at least this long is `alerting`.
 */
export function nextNodeStatuses(
  previous: readonly UnsealerNodeStatus[],
  observed: readonly ObservedNode[],
  ctx: { now: Date; generation: number; digest: string; alertAfterMs: number },
): UnsealerNodeStatus[] {
  const nowIso = formatTime(ctx.now);
  return observed.map((n) => {
    const prev = previous.find((p) => p.name === n.name);
    const sealed = n.reachable ? n.sealed !== false : prev?.sealed;
    const sealedSince = sealed === false ? undefined : n.reachable || prev?.sealedSince !== undefined ? (prev?.sealedSince ?? nowIso) : undefined;
    // Remembered only when the failed combination was the controller's own shares: a holder's
    // wrong share mixed in must not block the controller's next try.
    const ownWrongSet = n.attempt?.result === "wrongShareSet" && n.attempt.submitted >= (n.threshold ?? Number.POSITIVE_INFINITY);
    const wrong =
      ownWrongSet
        ? { generation: ctx.generation, sharesDigest: ctx.digest }
        : sealed !== false && prev?.wrongShares && attemptAllowed(prev, ctx.generation, ctx.digest) === false
          ? prev.wrongShares
          : undefined;
    const lastUnsealTime = n.attempt?.result === "unsealed" ? nowIso : prev?.lastUnsealTime;
    const alerting = sealed !== false && sealedSince !== undefined && sealedFor(sealedSince, ctx.now) >= ctx.alertAfterMs;
    const message = n.attempt?.message ?? (n.reachable ? describeState(n) : (n.error ?? "unreachable"));
    const out: UnsealerNodeStatus = { name: n.name, reachable: n.reachable };
    if (n.address !== undefined) out.address = n.address;
    if (n.reachable) {
      if (n.initialized !== undefined) out.initialized = n.initialized;
      if (sealed !== undefined) out.sealed = sealed;
      if (n.progress !== undefined) out.progress = n.progress;
      if (n.threshold !== undefined) out.threshold = n.threshold;
      if (n.version !== undefined) out.version = n.version;
    }
    if (sealedSince !== undefined) out.sealedSince = sealedSince;
    if (lastUnsealTime !== undefined) out.lastUnsealTime = lastUnsealTime;
    if (wrong !== undefined) out.wrongShares = wrong;
    if (alerting) out.alerting = true;
    out.message = message;
    return out;
  });
}

function describeState(n: ObservedNode): string {
  if (n.initialized === false) return "not initialized";
  if (n.sealed === false) return "unsealed";
  return `sealed (${n.progress ?? 0}/${n.threshold ?? 0} shares)`;
}

/** An Alertmanager-shaped alert (the certificates issue's src/alerts model). */
export interface UnsealerAlert {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

/**
 * The alert changes of one pass. The state is each node's `alerting` flag in status, so a
 * restarted controller reads it back and does not fire again.
 * @returns `fire`: nodes entering "stayed sealed" (not alerting before); `firing`: every alerting
 * node (for sinks that need refreshes, such as Alertmanager); `resolve`: nodes that were alerting
 * and no longer are, or are gone.
 */
export function alertChanges(
  previous: readonly UnsealerNodeStatus[],
  next: readonly UnsealerNodeStatus[],
  ctx: { namespace: string; name: string; now: Date },
): { fire: UnsealerAlert[]; firing: UnsealerAlert[]; resolve: UnsealerAlert[] } {
  const alert = (s: UnsealerNodeStatus): UnsealerAlert => ({
    name: SEALED_ALERT_NAME,
    labels: { namespace: ctx.namespace, vaultunsealer: ctx.name, node: s.name, severity: "critical" },
    annotations: {
      summary: `Vault node ${s.name} has been sealed for ${minutes(sealedFor(s.sealedSince, ctx.now))}`,
      description: `VaultUnsealer ${ctx.namespace}/${ctx.name}: ${s.message ?? "sealed"}`,
    },
    startsAt: s.sealedSince ?? formatTime(ctx.now),
  });
  const wasAlerting = (s: UnsealerNodeStatus): boolean => previous.some((p) => p.name === s.name && p.alerting === true);
  const firing = next.filter((s) => s.alerting === true).map(alert);
  const fire = next.filter((s) => s.alerting === true && !wasAlerting(s)).map(alert);
  const resolve = previous
    .filter((p) => p.alerting === true && next.find((s) => s.name === p.name)?.alerting !== true)
    .map((p) => ({ ...alert(p), endsAt: formatTime(ctx.now) }));
  return { fire, firing, resolve };
}

/** `baseMs` ±10%, derived from the object and the time (pure; spreads many objects' checks). */
export function jitteredInterval(baseMs: number, seed: string, now: Date): number {
  const h = createHash("sha256").update(`${seed}@${Math.floor(now.getTime() / 1000)}`).digest();
  const unit = (h.readUInt32BE(0) / 0xffffffff) * 2 - 1;
  return Math.max(1000, Math.round(baseMs * (1 + 0.1 * unit)));
}
