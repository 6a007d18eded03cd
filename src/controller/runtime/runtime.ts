/**
 * The controller runtime: runs a set of Reconcilers. One informer per primary resource and per
 * SecondaryWatch (shared when identical), one work queue and N workers per reconciler, periodic
 * resync, metrics, readiness, optional leader election (workers run only while leading; caches
 * stay warm while standing by), and a graceful stop that finishes in-flight work.
 */
import type { Clock } from "../../clock.js";
import { systemClock } from "../../clock.js";
import type { KubeClient, KubeObject, ResourceRef } from "../../kube/types.js";
import type { ControllerMetrics } from "../../server/metrics.js";
import type { ProbeResult } from "../../server/http-server.js";
import { concurrencyFor } from "../config.js";
import type { ControllerConfig } from "../config.js";
import type { ControllerLogger, ObjectCache, ObjectKey, ReconcileContext, Reconciler } from "../types.js";
import { EventRecorder } from "./events.js";
import { Informer, objectKey } from "./informer.js";
import { LeaderElector } from "./leader-election.js";
import { StalledMemory } from "./outcome.js";
import { runReconcilePass } from "./reconcile-pass.js";
import type { BackoffPolicy } from "./retry-timing.js";
import { realTimers, WorkQueue } from "./work-queue.js";
import type { Timers } from "./work-queue.js";

/** The parts of ControllerConfig the runtime uses. */
export type RuntimeConfig = Pick<
  ControllerConfig,
  | "concurrency"
  | "resyncPeriodMs"
  | "leaderElect"
  | "namespace"
  | "leaseName"
  | "leaseDurationMs"
  | "leaseRenewDeadlineMs"
  | "leaseRetryPeriodMs"
  | "identity"
>;

/** What a ControllerRuntime runs and with which services. */
export interface RuntimeOptions {
  kube: KubeClient;
  reconcilers: readonly Reconciler[];
  config: RuntimeConfig;
  log: ControllerLogger;
  metrics?: ControllerMetrics;
  clock?: Clock;
  timers?: Timers;
  /** Per-key reconcile backoff; default 1 s → 5 min. */
  backoff?: BackoffPolicy;
  /** Watch reconnect backoff; default 200 ms → 30 s with jitter. */
  watchBackoff?: BackoffPolicy;
  /** Called when the runtime cannot go on (a reconciler's `start` failed after winning the lease). */
  onFatal?: (err: unknown) => void;
}

interface Controller {
  reconciler: Reconciler;
  primary: Informer;
  /** The primary informer and those of its secondary watches. */
  informers: Informer[];
  /** Informers of optional secondary watches: the workers start once these synced or were found absent. */
  optional: Set<Informer>;
  ctx: ReconcileContext;
  workers: number;
  queue: WorkQueue | undefined;
  stalled: StalledMemory;
}

/** `sealedsecrets.bitnami.com`, `secrets`. */
function resourceName(res: ResourceRef): string {
  return res.group ? `${res.plural}.${res.group}` : res.plural;
}

function refId(res: ResourceRef): string {
  return `${res.group}/${res.version}/${res.plural}`;
}

/** Enqueue on update only when something a reconciler reacts to changed (not our own status writes). */
function worthReconciling(obj: KubeObject, old: KubeObject | undefined): boolean {
  if (!old) return true;
  const a = obj.metadata;
  const b = old.metadata;
  if (a.generation === undefined || a.generation !== b.generation) return true;
  return (
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? []) ||
    a.deletionTimestamp !== b.deletionTimestamp
  );
}

/** Runs reconcilers until stopped. */
export class ControllerRuntime {
  readonly #o: RuntimeOptions;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #informers = new Map<string, Informer>();
  readonly #controllers: Controller[] = [];
  readonly #events: EventRecorder;
  /** Resources reported as not installed (one line per resource, not per informer). */
  readonly #reportedAbsent = new Set<string>();
  #elector: LeaderElector | undefined;
  #resyncHandle: unknown;
  #leading = false;
  #stopping = false;
  #started = false;
  #reconcilersStarted: Promise<void> | undefined;
  #reconcilersReady = false;
  #term: Promise<void> = Promise.resolve();
  #markStopped!: () => void;
  readonly #stopped = new Promise<void>((resolve) => {
    this.#markStopped = resolve;
  });

  constructor(options: RuntimeOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? realTimers;
    this.#events = new EventRecorder({ kube: options.kube, clock: this.#clock, log: options.log, instance: options.config.identity });
    for (const reconciler of options.reconcilers) this.#addController(reconciler);
  }

  /** True while this instance runs workers (always true without leader election, once started). */
  get leading(): boolean {
    return this.#leading;
  }

  /**
   * Starts the informers, then either runs the reconcilers (their `start` first) or, with leader
   * election, campaigns and runs them while leading. Each reconciler's workers begin once its own
   * caches are synced. Resolves when every cache is synced (or the runtime is stopped).
   * @throws without leader election, whatever a reconciler's `start` throws (nothing is left
   * running then); with it, such a failure goes to `onFatal` instead.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    for (const informer of this.#informers.values()) informer.start();
    const cfg = this.#o.config;
    if (!cfg.leaderElect) {
      try {
        await this.#startReconcilers();
      } catch (err) {
        await this.stop({ releaseLease: false, timeoutMs: 0 });
        throw err;
      }
    }
    if (cfg.leaderElect) {
      this.#elector = new LeaderElector({
        kube: this.#o.kube,
        namespace: cfg.namespace,
        name: cfg.leaseName,
        identity: cfg.identity,
        leaseDurationMs: cfg.leaseDurationMs,
        renewDeadlineMs: cfg.leaseRenewDeadlineMs,
        retryPeriodMs: cfg.leaseRetryPeriodMs,
        clock: this.#clock,
        log: this.#o.log,
        timers: this.#timers,
        onStartedLeading: () => this.#startLeading(),
        onStoppedLeading: () => this.#stopLeading(),
      });
      this.#elector.start();
    } else {
      this.#startLeading();
    }
    this.#scheduleResync();
    // A resource whose CRD is absent settles as absent: its kinds wait for it, the others run.
    await Promise.race([Promise.all([...this.#informers.values()].map((i) => i.settled())), this.#stopped]);
    if (!this.#stopping) this.#o.log.info({ informers: this.#informers.size, notInstalled: this.#absentResources() }, "caches synced");
  }

  /** `/readyz`: caches synced and not shutting down; with leader election, leading or standing by. */
  readiness(): ProbeResult {
    if (this.#stopping) return { ok: false, reason: "shutting down" };
    // A resource the API server does not serve (CRD not installed) does not hold readiness.
    const pending = [...this.#informers.values()].filter((i) => !i.hasSynced() && !i.absent).map((i) => i.resource.plural);
    if (pending.length > 0) return { ok: false, reason: `caches not synced: ${pending.join(", ")}` };
    if (!this.#started) return { ok: false, reason: "not started" };
    // Still starting (e.g. retrying while the API server answers 5xx/429): not ready. A standby starts nothing.
    if ((!this.#o.config.leaderElect || this.#leading) && !this.#reconcilersReady) return { ok: false, reason: "reconcilers starting" };
    const absent = this.#absentResources();
    const note = absent.length > 0 ? `; not installed: ${absent.join(", ")}` : "";
    if (this.#o.config.leaderElect) return { ok: true, reason: `${this.#leading ? "ok (leader)" : "ok (standby)"}${note}` };
    return { ok: true, reason: `ok${note}` };
  }

  /** Watched resources the API server does not serve now, as `plural.group`. */
  #absentResources(): string[] {
    return [...new Set([...this.#informers.values()].filter((i) => i.absent).map((i) => resourceName(i.resource)))];
  }

  /** Reports a watched resource becoming unserved or served: a log line naming the kinds that wait, and the metric. */
  #servedChanged(resource: ResourceRef, served: boolean): void {
    this.#o.metrics?.resourceInstalled.set({ resource: resourceName(resource) }, served ? 1 : 0);
    const name = resourceName(resource);
    if (served) {
      if (this.#reportedAbsent.delete(name)) this.#o.log.info({ resource: name }, `CRD installed: ${name}; the kinds waiting for it start`);
      return;
    }
    if (this.#reportedAbsent.has(name)) return;
    this.#reportedAbsent.add(name);
    const kinds = this.#controllers.filter((c) => c.informers.some((i) => refId(i.resource) === refId(resource) && !c.optional.has(i))).map((c) => c.reconciler.name);
    this.#o.log.warn(
      { resource: resourceName(resource), kinds },
      `CRD not installed: ${resourceName(resource)}; ${kinds.join(", ") || "no kind"} waits for it (the rest runs; install it with kubectl apply -f crds/)`,
    );
  }

  /**
   * Stops taking work, waits up to `timeoutMs` for in-flight reconciles, releases the lease
   * (unless `releaseLease` is false, which simulates a crash) and stops the informers. Never throws.
   */
  async stop(options: { releaseLease?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#markStopped();
    if (this.#resyncHandle !== undefined) this.#timers.clearTimeout(this.#resyncHandle);
    this.#stopLeading();
    const timeout = options.timeoutMs ?? 30_000;
    const drained = await Promise.race([
      this.#term.then(() => true),
      new Promise<boolean>((resolve) => this.#timers.setTimeout(() => resolve(false), timeout)),
    ]);
    if (!drained) this.#o.log.warn({ timeoutMs: timeout }, "shutdown: in-flight reconciles did not finish in time");
    await this.#elector?.stop(options.releaseLease ?? true);
    // Every reconciler is stopped, started or not: a standby also holds pools, watches and timers.
    for (const c of this.#controllers) {
      try {
        await c.reconciler.stop?.();
      } catch (err) {
        c.ctx.log.warn({ err }, "reconciler stop failed");
      }
    }
    await Promise.all([...this.#informers.values()].map((i) => i.stop()));
    this.#o.metrics?.leader.set(0);
  }

  #informerFor(resource: ResourceRef, namespace: string | undefined, labelSelector: string | undefined): Informer {
    const id = `${refId(resource)}|${namespace ?? ""}|${labelSelector ?? ""}`;
    let informer = this.#informers.get(id);
    if (!informer) {
      informer = new Informer({
        kube: this.#o.kube,
        resource,
        namespace,
        labelSelector,
        log: this.#o.log,
        timers: this.#timers,
        ...(this.#o.watchBackoff ? { backoff: this.#o.watchBackoff } : {}),
        onServedChange: (served) => this.#servedChanged(resource, served),
      });
      this.#informers.set(id, informer);
    }
    return informer;
  }

  #cacheFor(resource: ResourceRef): ObjectCache {
    const all = [...this.#informers.values()];
    const found =
      all.find((i) => i.resource === resource) ??
      all.find((i) => refId(i.resource) === refId(resource));
    if (!found) {
      throw new Error(`no cache for ${resource.plural}.${resource.group || "core"}: ReconcileContext.cache (declare it as the primary resource or a SecondaryWatch)`);
    }
    return found;
  }

  #addController(reconciler: Reconciler): void {
    const log = this.#o.log.child({ reconciler: reconciler.name });
    const primary = this.#informerFor(reconciler.resource, undefined, undefined);
    const ctx: ReconcileContext = {
      kube: this.#o.kube,
      clock: this.#clock,
      cache: <T extends KubeObject>(resource: ResourceRef) => this.#cacheFor(resource) as unknown as ObjectCache<T>,
      event: (regarding, type, reason, message) => this.#events.record(regarding, type, reason, message),
      log,
      isLeader: () => this.#leading,
      requeueAll: () => {
        for (const key of primary.keys()) this.#enqueue(controller, key);
      },
      retryNow: (keys) => {
        for (const key of keys) controller.queue?.retryNow(key);
      },
    };
    const controller: Controller = {
      reconciler,
      primary,
      informers: [primary],
      optional: new Set(),
      ctx,
      workers: concurrencyFor(this.#o.config.concurrency, reconciler.name),
      queue: undefined,
      stalled: new StalledMemory(),
    };
    primary.addHandler((type, obj, old) => {
      if (type !== "update" || worthReconciling(obj, old)) this.#enqueue(controller, objectKey(obj));
    });
    for (const watch of reconciler.secondaryWatches ?? []) {
      const informer = this.#informerFor(watch.resource, watch.namespace, watch.labelSelector);
      controller.informers.push(informer);
      if (watch.optional) controller.optional.add(informer);
      informer.addHandler((_type, obj, old) => {
        const keys = new Set(watch.mapToPrimary(obj));
        if (old) for (const k of watch.mapToPrimary(old)) keys.add(k);
        for (const key of keys) this.#enqueue(controller, key);
      });
    }
    this.#controllers.push(controller);
  }

  #enqueue(c: Controller, key: ObjectKey): void {
    if (!c.queue) return;
    c.queue.add(key);
  }

  #startLeading(): void {
    if (this.#leading || this.#stopping) return;
    this.#leading = true;
    this.#o.metrics?.leader.set(1);
    const queues = this.#controllers.map((c) => {
      const kind = c.reconciler.name;
      const queue = new WorkQueue({
        timers: this.#timers,
        ...(this.#o.backoff ? { backoff: this.#o.backoff } : {}),
        onDepth: (depth) => this.#o.metrics?.queueDepth.set({ kind }, depth),
      });
      c.queue = queue;
      for (const key of c.primary.keys()) this.#enqueue(c, key);
      return queue;
    });
    // Workers of a previous term may still be finishing: never run two terms' workers at once.
    // Each reconciler starts once its own caches are synced, so one missing CRD does not block the others.
    const previous = this.#term;
    this.#term = previous.then(async () => {
      try {
        await this.#startReconcilers();
      } catch (err) {
        this.#o.log.error({ err }, "a reconciler failed to start; giving up leadership");
        this.#stopLeading();
        this.#o.onFatal?.(err);
        return;
      }
      const running = this.#controllers.map(async (c, i) => {
        await Promise.race([Promise.all(c.informers.map((inf) => (c.optional.has(inf) ? inf.settled() : inf.synced()))), this.#stopped]);
        await Promise.all(Array.from({ length: c.workers }, () => this.#worker(c, queues[i]!)));
      });
      await Promise.all(running);
    });
  }

  /** Runs every reconciler's `start` once (the first time this instance leads). */
  #startReconcilers(): Promise<void> {
    this.#reconcilersStarted ??= (async () => {
      for (const c of this.#controllers) await c.reconciler.start?.(c.ctx);
      this.#reconcilersReady = true;
    })();
    return this.#reconcilersStarted;
  }

  #stopLeading(): void {
    if (!this.#leading) return;
    this.#leading = false;
    this.#o.metrics?.leader.set(0);
    for (const c of this.#controllers) {
      c.queue?.shutDown();
      c.queue = undefined;
    }
  }

  #scheduleResync(): void {
    const period = this.#o.config.resyncPeriodMs;
    this.#resyncHandle = this.#timers.setTimeout(() => {
      if (this.#stopping) return;
      for (const c of this.#controllers) for (const key of c.primary.keys()) this.#enqueue(c, key);
      this.#scheduleResync();
    }, period);
  }

  async #worker(c: Controller, queue: WorkQueue): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await runReconcilePass(
          { reconciler: c.reconciler, ctx: c.ctx, primary: c.primary, queue, stalled: c.stalled, kube: this.#o.kube, clock: this.#clock, metrics: this.#o.metrics },
          key,
        );
      } catch (err) {
        c.ctx.log.error({ key, err }, "reconcile bookkeeping failed");
      } finally {
        queue.done(key);
      }
    }
  }
}
