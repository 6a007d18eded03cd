/**
 * Leader election on a `coordination.k8s.io/v1` Lease, the client-go way: acquire when free or
 * expired, renew every retry period, give up leading when renewals fail past the renew deadline,
 * release on shutdown by clearing the holder. Every write carries the read resourceVersion, so
 * two candidates racing get one 409. Decisions are pure (`decideLease`); time is injected.
 */
import type { Clock } from "../../clock.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import type { ControllerLogger } from "../types.js";
import { sleepUnlessAborted } from "./abortable-sleep.js";
import { realTimers } from "./work-queue.js";
import type { Timers } from "./work-queue.js";
import { LEASES } from "../../kube/resources.js";

/** coordination.k8s.io/v1 Leases. */

/** `Lease.spec`. Times are RFC 3339 MicroTime strings. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

/** What the candidate last saw of the lease, and when (by its own clock). */
export interface Observation {
  holder: string;
  renewTime: string;
  observedAtMs: number;
}

/** What a candidate does after reading the lease. */
export type LeaseDecision =
  | { action: "create"; spec: LeaseSpec }
  | { action: "update"; spec: LeaseSpec; acquired: boolean }
  | { action: "wait"; holder: string; expiresAtMs: number };

/** MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000Z`;
}

/**
 * Decides what a candidate does with the lease as read. The lease counts as expired when the
 * candidate has seen the same holder/renewTime for a whole lease duration by its own clock
 * (client-go's skew-safe rule), or when renewTime plus the duration is in the past.
 */
export function decideLease(
  current: LeaseSpec | null,
  identity: string,
  now: Date,
  durationMs: number,
  observation: Observation | undefined,
): LeaseDecision {
  const nowMs = now.getTime();
  const stamp = microTime(now);
  const durationSeconds = Math.max(1, Math.ceil(durationMs / 1000));
  if (current === null) {
    return {
      action: "create",
      spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 },
    };
  }
  const holder = current.holderIdentity ?? "";
  const transitions = current.leaseTransitions ?? 0;
  if (holder === identity) {
    return {
      action: "update",
      acquired: false,
      spec: { ...current, holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: current.acquireTime ?? stamp, renewTime: stamp, leaseTransitions: transitions },
    };
  }
  const take: LeaseDecision = {
    action: "update",
    acquired: true,
    spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: holder === "" ? transitions : transitions + 1 },
  };
  if (holder === "") return take;
  const leaseMs = (current.leaseDurationSeconds ?? durationSeconds) * 1000;
  const renewTime = current.renewTime ?? "";
  const sameAsObserved = observation !== undefined && observation.holder === holder && observation.renewTime === renewTime;
  const observedAt = sameAsObserved ? observation.observedAtMs : nowMs;
  const renewedAt = Date.parse(renewTime);
  const expiresAt = Math.min(observedAt + leaseMs, Number.isNaN(renewedAt) ? Number.POSITIVE_INFINITY : renewedAt + leaseMs);
  if (expiresAt <= nowMs) return take;
  return { action: "wait", holder, expiresAtMs: expiresAt };
}

/** A LeaderElector's lease, timing and callbacks. */
export interface LeaderElectorOptions {
  kube: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  clock: Clock;
  log: ControllerLogger;
  timers?: Timers;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

/** Campaigns for and holds one Lease. */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #timers: Timers;
  readonly #abort = new AbortController();
  #leading = false;
  #lastRenewMs = 0;
  #lastWarnMs = Number.NEGATIVE_INFINITY;
  #observation: Observation | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.#timers = options.timers ?? realTimers;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** Starts campaigning in the background (idempotent). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /**
   * Stops campaigning; with `release`, a held lease is handed back by clearing its holder so a
   * standby takes over at once. Never throws.
   */
  async stop(release: boolean): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    const wasLeading = this.#leading;
    this.#setLeading(false);
    if (release && wasLeading) await this.#release();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const startedMs = this.#o.clock.now().getTime();
      // A leader's round may not outlast its renew deadline: a hanging request must not keep
      // it working past the point where a standby may take over.
      const budget = this.#leading ? Math.max(0, this.#o.renewDeadlineMs - (startedMs - this.#lastRenewMs)) : this.#o.leaseDurationMs;
      const ok = await this.#bounded(this.#tryAcquireOrRenew(), budget);
      const nowMs = this.#o.clock.now().getTime();
      if (ok) {
        // Count from the round's start: the renewTime written is no later than that.
        this.#lastRenewMs = startedMs;
        this.#setLeading(true);
      } else if (this.#leading && nowMs - this.#lastRenewMs >= this.#o.renewDeadlineMs) {
        this.#o.log.warn({ lease: this.#o.name }, "leader election: lease not renewed within the renew deadline; stopping work");
        this.#setLeading(false);
      }
      await this.#sleep(this.#o.retryPeriodMs);
    }
  }

  /** `round`'s result, or false once `ms` pass first. */
  #bounded(round: Promise<boolean>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const handle = this.#timers.setTimeout(() => resolve(false), ms);
      void round.then((ok) => {
        this.#timers.clearTimeout(handle);
        resolve(ok);
      });
    });
  }

  #setLeading(leading: boolean): void {
    if (leading === this.#leading) return;
    this.#leading = leading;
    this.#o.log.info({ lease: this.#o.name, holder: this.#o.identity, leading }, leading ? "leader election: became leader" : "leader election: stopped leading");
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }

  /** One round: read, decide, write. True when we hold the lease after it. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const { kube, namespace, name, identity, clock } = this.#o;
    try {
      const lease = await kube.get<KubeObject & { spec?: LeaseSpec }>(LEASES, namespace, name);
      const now = clock.now();
      const spec = lease ? (lease.spec ?? {}) : null;
      const decision = decideLease(spec, identity, now, this.#o.leaseDurationMs, this.#observation);
      if (spec) {
        const holder = spec.holderIdentity ?? "";
        const renewTime = spec.renewTime ?? "";
        const same = this.#observation && this.#observation.holder === holder && this.#observation.renewTime === renewTime;
        if (!same) this.#observation = { holder, renewTime, observedAtMs: now.getTime() };
      }
      if (decision.action === "wait") return false;
      if (decision.action === "create") {
        await kube.create(LEASES, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name, namespace }, spec: decision.spec });
      } else {
        await kube.replace(LEASES, { ...lease, metadata: { ...lease!.metadata }, spec: decision.spec } as KubeObject);
      }
      if (decision.action === "create" || decision.acquired) this.#o.log.info({ lease: name, holder: identity }, "leader election: acquired lease");
      return true;
    } catch (err) {
      // Conflicts mean another candidate wrote first: normal. Anything else (RBAC, a missing
      // namespace, an unreachable API) is retried next round but said out loud now and then.
      const conflict = (err as { status?: unknown }).status === 409;
      const nowMs = clock.now().getTime();
      if (!conflict && nowMs - this.#lastWarnMs >= 30_000) {
        this.#lastWarnMs = nowMs;
        this.#o.log.warn({ lease: name, namespace, err }, "leader election: cannot read or write the lease; retrying");
      } else {
        this.#o.log.debug({ lease: name, err }, "leader election: round failed");
      }
      return false;
    }
  }

  async #release(): Promise<void> {
    const { kube, namespace, name, identity, clock } = this.#o;
    try {
      const lease = await kube.get<KubeObject & { spec?: LeaseSpec }>(LEASES, namespace, name);
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      const stamp = microTime(clock.now());
      const spec: LeaseSpec = { leaseDurationSeconds: 1, renewTime: stamp, acquireTime: stamp, leaseTransitions: lease.spec.leaseTransitions ?? 0 };
      await kube.replace(LEASES, { ...lease, spec } as KubeObject);
      this.#o.log.info({ lease: name, holder: identity }, "leader election: released lease");
    } catch (err) {
      this.#o.log.warn({ lease: name, err }, "leader election: releasing the lease failed; a standby takes over when it expires");
    }
  }

  #sleep(ms: number): Promise<void> {
    return sleepUnlessAborted(this.#timers, this.#abort.signal, ms);
  }
}
