// A tiny reconciler for runtime tests: every ConfigMap labelled mirror=yes gets a Secret of the
// same name holding its data; the Secret goes when the ConfigMap goes. Records what it did.
import type { KubeObject } from "../../../src/kube/types.js";
import { StalledError, TransientError } from "../../../src/controller/types.js";
import type { ObjectKey, ReconcileContext, ReconcileOutcome, Reconciler } from "../../../src/controller/types.js";
import { CONFIGMAPS, SECRETS } from "../../../src/kube/resources.js";
export { CONFIGMAPS, SECRETS };


type Data = Record<string, string>;

/** Holds the passes that enter it until released: simulated work that needs no wall clock. */
export class WorkGate {
  readonly #waiting: Array<() => void> = [];
  #open = false;

  /** Resolves when released (at once once the gate is open). */
  readonly enter = (): Promise<void> => (this.#open ? Promise.resolve() : new Promise<void>((resolve) => this.#waiting.push(resolve)));

  /** How many passes are held now. */
  get held(): number {
    return this.#waiting.length;
  }

  /** Releases every held pass and lets all later ones through. */
  open(): void {
    this.#open = true;
    for (const release of this.#waiting.splice(0)) release();
  }
}

/** One event-loop turn (setImmediate): passes interleave without waiting on the clock. */
export const aTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export interface MirrorStats {
  reconciles: number;
  writes: number;
  maxConcurrentPerKey: number;
  /** Most passes (any keys) running at the same moment. */
  maxConcurrentTotal: number;
  inFlight: Map<string, number>;
  perKey: Map<string, number>;
}

export class MirrorReconciler implements Reconciler {
  readonly name = "mirror";
  readonly resource = CONFIGMAPS;
  readonly stats: MirrorStats = { reconciles: 0, writes: 0, maxConcurrentPerKey: 0, maxConcurrentTotal: 0, inFlight: new Map(), perKey: new Map() };
  /** Keys whose next N passes throw TransientError. */
  readonly failNext = new Map<string, number>();

  startCalls = 0;
  stopCalls = 0;

  /**
   * `work` is awaited inside every pass (simulated work: a WorkGate, an event-loop turn, …);
   * `writer` is recorded on every Secret written, as the annotation mirror/written-by.
   */
  constructor(
    private readonly work: (() => Promise<void>) | undefined = undefined,
    private readonly writer = "test",
  ) {}

  async start(): Promise<void> {
    this.startCalls += 1;
  }

  stop(): void {
    this.stopCalls += 1;
  }

  async reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileOutcome> {
    const s = this.stats;
    s.reconciles += 1;
    s.perKey.set(key, (s.perKey.get(key) ?? 0) + 1);
    const n = (s.inFlight.get(key) ?? 0) + 1;
    s.inFlight.set(key, n);
    s.maxConcurrentPerKey = Math.max(s.maxConcurrentPerKey, n);
    s.maxConcurrentTotal = Math.max(s.maxConcurrentTotal, [...s.inFlight.values()].reduce((a, b) => a + b, 0));
    try {
      if (this.work) await this.work();
      const failures = this.failNext.get(key) ?? 0;
      if (failures > 0) {
        this.failNext.set(key, failures - 1);
        throw new TransientError("InjectedFailure", `injected failure: ${key} (wait)`);
      }
      const [namespace, name] = key.split("/") as [string, string];
      const cm = ctx.cache<KubeObject & { data?: Data }>(CONFIGMAPS).get(key);
      const secret = await ctx.kube.get<KubeObject & { data?: Data }>(SECRETS, namespace, name);
      if (!cm || cm.metadata.labels?.mirror !== "yes") {
        if (secret && secret.metadata.labels?.["mirrored-by"] === "test") {
          s.writes += 1;
          await ctx.kube.delete(SECRETS, namespace, name);
        }
        return {};
      }
      if (cm.metadata.labels?.stall === "yes") throw new StalledError("InvalidMirror", `mirror refused: ${key} (remove the stall label)`);
      const want: Data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));
      if (!secret) {
        s.writes += 1;
        await ctx.kube.create(SECRETS, { metadata: { name, namespace, labels: { "mirrored-by": "test" }, annotations: { "mirror/written-by": this.writer } }, data: want });
      } else if (JSON.stringify(secret.data ?? {}) !== JSON.stringify(want)) {
        s.writes += 1;
        await ctx.kube.replace(SECRETS, { ...secret, metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, "mirror/written-by": this.writer } }, data: want });
      }
      return {};
    } finally {
      s.inFlight.set(key, (s.inFlight.get(key) ?? 1) - 1);
    }
  }
}

/** True when every mirror=yes ConfigMap in `cms` has a Secret with the same data in `secrets` and no extra mirrored Secret exists. */
export function converged(cms: KubeObject[], secrets: KubeObject[]): boolean {
  const wanted = cms.filter((c) => c.metadata.labels?.mirror === "yes" && c.metadata.labels?.stall !== "yes");
  const mirrored = secrets.filter((s) => s.metadata.labels?.["mirrored-by"] === "test");
  if (wanted.length !== mirrored.length) return false;
  return wanted.every((c) => {
    const sec = mirrored.find((s) => s.metadata.name === c.metadata.name && s.metadata.namespace === c.metadata.namespace) as (KubeObject & { data?: Data }) | undefined;
    if (!sec) return false;
    const data = (c as KubeObject & { data?: Data }).data ?? {};
    const decoded = Object.fromEntries(Object.entries(sec.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]));
    return JSON.stringify(decoded) === JSON.stringify(data);
  });
}
