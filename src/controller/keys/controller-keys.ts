/**
 * The controller's keys as one service shared by the SealedSecret and AgeSecret reconcilers and
 * the key HTTP endpoints: the RSA sealing keys, the age identities, their renewal timers and the
 * age-encrypted backup written after every key change.
 *
 * Two roles, so that any replica can answer kubeseal (a Service routes to any pod):
 * - `follow` (every replica, leader or standby): load the key Secrets and reload them whenever
 *   they change (a watch, plus a periodic re-read for the unlabelled legacy Secret). Never writes.
 * - `start` (the leader only, from the reconcilers' `start`): create the first key when there is
 *   none, renew due ones, write the backup ConfigMap, and arm the renewal timer. A renewal that
 *   fires while this instance no longer leads only reloads.
 */
import type { KeyObject } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { KubeClient } from "../../kube/types.js";
import type { ControllerLogger } from "../types.js";
import { realTimers } from "../runtime/work-queue.js";
import type { Timers } from "../runtime/work-queue.js";
import { AgeIdentityStore } from "./age-identity.js";
import type { AgeIdentityGenerator } from "./age-identity.js";
import { writeKeyBackup } from "./key-custody.js";
import type { KeyOrderPriority, KeyRegistry } from "./key-registry.js";
import { KeyStore } from "./key-store.js";
import type { SealingKeyGenerator } from "./key-store.js";
import { KeySecretWatch } from "./key-watch.js";

export interface ControllerKeysOptions {
  namespace: string;
  keyPrefix: string;
  /** 0 disables renewal (of both the RSA key and the age identity). */
  renewPeriodMs: number;
  backupRecipients: string[];
  backupConfigMap: string;
  generateSealingKey: SealingKeyGenerator;
  generateAgeIdentity: AgeIdentityGenerator;
  orderPriority?: KeyOrderPriority;
  /** Randomness for the renewal jitter (default Math.random). */
  random?: () => number;
  /**
   * How often the key Secrets are re-read besides the watch (the legacy unlabelled
   * `sealed-secrets-key` Secret is not watched). Default 5 minutes; 0 disables.
   */
  reloadEveryMs?: number;
  /** Watch the key Secrets and reload on change (default true). */
  watch?: boolean;
  /** Timers for renewals and re-reads (default Node's, unref'd so they never keep the process alive). */
  timers?: Timers;
}

/** How soon a renewal timer that fired while not leading looks again. */
const NOT_LEADING_RECHECK_MS = 60_000;

/** Longest single timer: Node's setTimeout caps at ~24.8 days; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The RSA keys and age identities, kept current. */
export class ControllerKeys {
  readonly #opts: ControllerKeysOptions;
  #keys: KeyStore | undefined;
  #ages: AgeIdentityStore | undefined;
  #following: Promise<void> | undefined;
  #started: Promise<void> | undefined;
  #isLeader: () => boolean = () => true;
  #watch: KeySecretWatch | undefined;
  /** Pending renewal timers. */
  #renewals: unknown[] = [];
  /** The pending periodic re-read. */
  #reread: unknown;
  #stopped = false;
  #log: ControllerLogger | undefined;
  #kube: KubeClient | undefined;
  /** Serializes loads and key creation so a watch reload never races a renewal. */
  #lock: Promise<unknown> = Promise.resolve();
  /** Bumped on every key change; part of the memo of failed decryptions. */
  #version = 0;

  get #t(): Timers {
    return this.#opts.timers ?? realTimers;
  }

  constructor(opts: ControllerKeysOptions) {
    this.#opts = opts;
  }

  /**
   * Every replica: loads the key Secrets and keeps them loaded (watch + periodic re-read).
   * Writes nothing. Idempotent: later calls share the first.
   * @throws RemoteError when the first load fails (the watch keeps retrying and loads them later).
   */
  follow(kube: KubeClient, clock: Clock, log: ControllerLogger): Promise<void> {
    if (this.#following) return this.#following;
    this.#init(kube, clock, log);
    this.#following = this.#serial(async () => {
      await this.#keys?.load();
      await this.#ages?.load();
    }).then(() => this.#logRejected());
    if (this.#opts.watch ?? true) {
      this.#watch = new KeySecretWatch(kube, this.#opts.namespace, log, () => this.reload());
      this.#watch.start().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "watching key Secrets failed"));
    }
    const every = this.#opts.reloadEveryMs ?? 300_000;
    if (every > 0) {
      const reread = (): void => {
        this.#reread = this.#t.setTimeout(() => {
          if (this.#stopped) return;
          this.reload().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, "re-reading key Secrets failed"));
          reread();
        }, every);
      };
      reread();
    }
    return this.#following;
  }

  /**
   * The leader: follows the keys, creates the first ones when there are none, renews due ones,
   * writes the backup, and arms the renewal timer. Idempotent: later calls share the first.
   * `isLeader` is asked before every later renewal (default: always leading).
   * @throws RemoteError when Kubernetes fails at start (the controller should not run without keys).
   */
  start(kube: KubeClient, clock: Clock, log: ControllerLogger, isLeader?: () => boolean): Promise<void> {
    this.#started ??= this.#lead(kube, clock, log, isLeader);
    return this.#started;
  }

  async #lead(kube: KubeClient, clock: Clock, log: ControllerLogger, isLeader: (() => boolean) | undefined): Promise<void> {
    if (isLeader) this.#isLeader = isLeader;
    // A failed first load is retried by ensureCurrent below, which throws if it fails again.
    this.follow(kube, clock, log).catch(() => undefined);
    const [newKey, newAge] = await this.#serial(async () => [await this.#keys?.ensureCurrent(), await this.#ages?.ensureCurrent()]);
    const registry = this.registry;
    log.info(
      { sealingKeys: registry.keys.length, newestKey: registry.keys[0]?.secretName, createdKey: newKey, createdAgeIdentity: newAge },
      "sealing keys loaded",
    );
    await this.#backup();
    this.#arm();
  }

  /** Stops the watch, the renewal timers and the periodic re-read. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#renewals) this.#t.clearTimeout(t);
    this.#renewals = [];
    if (this.#reread !== undefined) this.#t.clearTimeout(this.#reread);
    this.#reread = undefined;
    const watch = this.#watch;
    this.#watch = undefined;
    await watch?.stop();
  }

  /** The sealing keys, newest first (empty before the first load). */
  get registry(): KeyRegistry {
    return this.#keys?.registry ?? { keys: [], rejected: [] };
  }

  /** The private keys that decrypt, newest first. */
  get privateKeys(): KeyObject[] {
    return this.registry.keys.map((k) => k.privateKey);
  }

  /** The age identities that decrypt, newest first. */
  get ageIdentities(): string[] {
    return this.#ages?.current.identities.map((i) => i.identity) ?? [];
  }

  /** The recipient AgeSecrets are sealed to (the newest identity's). */
  get ageRecipient(): string | undefined {
    return this.#ages?.recipient;
  }

  /** Changes whenever the key set changes. */
  get version(): number {
    return this.#version;
  }

  /** Re-reads the key Secrets (e.g. after one was restored or relabelled); the leader also refreshes the backup. */
  async reload(): Promise<void> {
    if (this.#stopped) return;
    await this.#serial(async () => {
      await this.#keys?.load();
      await this.#ages?.load();
    });
    await this.#backup();
  }

  #init(kube: KubeClient, clock: Clock, log: ControllerLogger): void {
    if (this.#keys) return;
    const o = this.#opts;
    this.#log = log;
    this.#kube = kube;
    this.#keys = new KeyStore({
      kube,
      clock,
      namespace: o.namespace,
      keyPrefix: o.keyPrefix,
      renewPeriodMs: o.renewPeriodMs,
      generate: o.generateSealingKey,
      ...(o.orderPriority ? { orderPriority: o.orderPriority } : {}),
    });
    this.#ages = new AgeIdentityStore({ kube, clock, namespace: o.namespace, renewPeriodMs: o.renewPeriodMs, generate: o.generateAgeIdentity });
    this.#keys.onChange(() => this.#changed());
    this.#ages.onChange(() => this.#changed());
  }

  #logRejected(): void {
    for (const r of this.registry.rejected) this.#log?.warn({ secret: r.secretName, reason: r.reason }, "sealing key Secret skipped");
    for (const r of this.#ages?.current.rejected ?? []) this.#log?.warn({ secret: r.secretName, reason: r.reason }, "age identity Secret skipped");
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Only the leader writes: the backup, new keys. */
  #leading(): boolean {
    return this.#started !== undefined && !this.#stopped && this.#isLeader();
  }

  async #changed(): Promise<void> {
    this.#version++;
  }

  async #backup(): Promise<void> {
    const o = this.#opts;
    if (o.backupRecipients.length === 0 || !this.#kube || !this.#leading()) return;
    try {
      const wrote = await writeKeyBackup(this.#kube, o.namespace, o.backupConfigMap, o.backupRecipients);
      if (wrote) this.#log?.info({ configMap: `${o.namespace}/${o.backupConfigMap}` }, "key backup written");
    } catch (err) {
      // A failed backup must not stop unsealing; it is retried at the next key change or start.
      this.#log?.error({ err: err instanceof Error ? err.message : String(err) }, "key backup failed");
    }
  }

  #arm(minWaitMs = 0): void {
    if (this.#stopped) return;
    for (const t of this.#renewals) this.#t.clearTimeout(t);
    this.#renewals = [];
    const waits = [this.#keys?.msUntilRenewal(), this.#ages?.msUntilRenewal()].filter((w): w is number => typeof w === "number");
    if (waits.length === 0) return;
    // Up to a minute of jitter, so that a leader handing over near a renewal does not renew at the
    // same moment as its successor (each reloads first and finds it not due).
    const wait = Math.min(MAX_TIMER_MS, Math.max(minWaitMs, Math.min(...waits) + Math.floor((this.#opts.random ?? Math.random)() * 60_000)));
    this.#renewals.push(this.#t.setTimeout(() => void this.#renew(), wait));
  }

  async #renew(): Promise<void> {
    if (this.#stopped) return;
    try {
      if (!this.#leading()) {
        // Another replica leads now: it renews; this one only keeps its keys current and looks
        // again in a minute at the soonest (a renewal the new leader has not made yet stays due).
        await this.reload();
        this.#arm(NOT_LEADING_RECHECK_MS);
        return;
      }
      const [key, age] = await this.#serial(async () => [await this.#keys?.ensureCurrent(), await this.#ages?.ensureCurrent()]);
      if (key || age) this.#log?.info({ newestKey: this.registry.keys[0]?.secretName, renewedKey: key, renewedAgeIdentity: age }, "keys renewed");
      await this.#backup();
    } catch (err) {
      this.#log?.error({ err: err instanceof Error ? err.message : String(err) }, "key renewal failed; retrying in 1 minute");
      if (this.#stopped) return;
      this.#renewals.push(this.#t.setTimeout(() => void this.#renew(), 60_000));
      return;
    }
    this.#arm();
  }
}

/** What the shared key service is built from (a subset of ControllerConfig). */
export interface ControllerKeysConfig {
  namespace: string;
  keyPrefix: string;
  keyRenewPeriodMs: number;
  keyBackupRecipients: string[];
  keyBackupConfigMap: string;
}

/**
 * A key service for a controller configuration. The SealedSecret and AgeSecret kinds and the key
 * endpoints share one per process (encrypted-secret/followed-keys.ts). Keys are RSA-4096 with a
 * 10-year self-signed certificate (sealed-secrets' defaults).
 */
export function controllerKeysFor(cfg: ControllerKeysConfig, timers?: Timers): ControllerKeys {
  return new ControllerKeys({
    namespace: cfg.namespace,
    keyPrefix: cfg.keyPrefix,
    renewPeriodMs: cfg.keyRenewPeriodMs,
    backupRecipients: cfg.keyBackupRecipients,
    backupConfigMap: cfg.keyBackupConfigMap,
    generateSealingKey: async () => (await import("../../crypto/sealing-key.js")).generateSealingKey({ bits: 4096 }),
    generateAgeIdentity: async () => (await import("../../crypto/age-keys.js")).generateAgeIdentity(),
    ...(timers ? { timers } : {}),
  });
}
