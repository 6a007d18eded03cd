/**
 * The kit's runtime side on its own, with an in-memory KubeClient, a fixed clock and no sleeps:
 * applying writes (only what differs, one re-plan after a 409), the one status summarizer
 * (written only when it changed, never twice for a lagging cache), Events (reasons = condition
 * reasons, one per failure), and the error classes decided by type.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError } from "../../../src/kube/errors.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { KubeClient, KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { kindReconciler } from "../../../src/controller/runtime/kind-reconciler.js";
import type { KindDefinition, Plan, PlanOutcome } from "../../../src/controller/runtime/kind.js";
import { StalledMemory } from "../../../src/controller/runtime/outcome.js";
import { runReconcilePass } from "../../../src/controller/runtime/reconcile-pass.js";
import { WorkQueue } from "../../../src/controller/runtime/work-queue.js";
import type { ObjectCache, ReconcileContext } from "../../../src/controller/types.js";
import { StalledError, TransientError, WaitingError } from "../../../src/controller/types.js";
import { ManualTimers } from "./manual-timers.js";

const WIDGETS: ResourceRef = { group: "example.test", version: "v1", plural: "widgets", kind: "Widget", namespaced: true };
const NOW = new Date("2026-03-04T05:06:07.890Z");
const STAMP = "2026-03-04T05:06:07Z";

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

/** An in-memory API server for two resources, counting writes; `conflicts` makes the next N creates/replaces answer 409. */
class FakeKube {
  readonly objects = new Map<string, KubeObject>();
  readonly writes: string[] = [];
  conflicts = 0;
  failWrites = false;
  #rv = 1;

  #id(res: ResourceRef, ns: string | undefined, name: string): string {
    return `${res.plural}/${ns ?? ""}/${name}`;
  }
  #fail(verb: string, res: ResourceRef, name: string): void {
    if (this.conflicts > 0) {
      this.conflicts--;
      throw new KubeApiError({ verb, resource: res.plural, name }, 409, "Conflict", "the object has been modified");
    }
    if (this.failWrites) throw new KubeApiError({ verb, resource: res.plural, name }, 500, "InternalError", "boom");
  }
  put(res: ResourceRef, obj: KubeObject): KubeObject {
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.#rv++) } });
    this.objects.set(this.#id(res, obj.metadata.namespace, obj.metadata.name ?? ""), stored);
    return stored;
  }
  cache(res: ResourceRef): ObjectCache {
    const prefix = `${res.plural}/`;
    const all = (): KubeObject[] => [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    return { get: (key) => all().find((o) => keyOf(o) === key), list: () => all(), synced: async () => undefined };
  }
  readonly client = {
    get: async (res: ResourceRef, ns: string | undefined, name: string) => this.objects.get(this.#id(res, ns, name)) ?? null,
    create: async (res: ResourceRef, obj: KubeObject) => {
      this.#fail("create", res, obj.metadata.name ?? "");
      this.writes.push(`create ${res.plural} ${keyOf(obj)}`);
      return this.put(res, obj);
    },
    replace: async (res: ResourceRef, obj: KubeObject) => {
      this.#fail("update", res, obj.metadata.name ?? "");
      this.writes.push(`replace ${res.plural} ${keyOf(obj)}`);
      return this.put(res, obj);
    },
    mergePatch: async (res: ResourceRef, ns: string | undefined, name: string, patch: Record<string, unknown>) => {
      this.#fail("patch", res, name);
      this.writes.push(`patch ${res.plural} ${ns}/${name}`);
      const cur = this.objects.get(this.#id(res, ns, name)) ?? { metadata: { name, namespace: ns } };
      return this.put(res, { ...cur, ...patch, metadata: cur.metadata });
    },
    patchStatus: async (res: ResourceRef, ns: string | undefined, name: string, status: unknown) => {
      this.writes.push(`status ${res.plural} ${ns}/${name}`);
      const cur = this.objects.get(this.#id(res, ns, name));
      if (!cur) throw new KubeApiError({ verb: "patch", resource: res.plural, name }, 404, "NotFound", "not found");
      return this.put(res, { ...cur, status: { ...((cur.status as object | undefined) ?? {}), ...(status as object) } });
    },
    delete: async (res: ResourceRef, ns: string | undefined, name: string) => {
      this.writes.push(`delete ${res.plural} ${ns}/${name}`);
      return this.objects.delete(this.#id(res, ns, name));
    },
    list: async () => ({ items: [], metadata: {} }),
    watch: async () => {
      throw new Error("no watches here");
    },
  } as unknown as KubeClient;
}

interface Spec {
  value: string;
}
interface Seen {
  secret: KubeObject | null;
  reads: number;
}

/** A kind writing one Secret `<name>-out` with `spec.value`, whose outcome a test chooses. */
function widgetKind(opts: { outcome?: PlanOutcome; events?: Plan["events"]; keepStatus?: boolean; observeThrows?: unknown; calls?: string[] } = {}): KindDefinition<Spec, Seen> {
  const calls = opts.calls ?? [];
  return {
    name: "widget",
    resource: WIDGETS,
    secondaryWatches: [{ resource: SECRETS, mapToPrimary: () => [] }],
    parse(obj) {
      const value = (obj.spec as { value?: unknown } | undefined)?.value;
      if (typeof value !== "string") return { ok: false, reason: "InvalidSpec", message: "spec.value: expected a string (fix the manifest)", status: { phase: "Invalid" } };
      return { ok: true, value: { value } };
    },
    async observe(ctx, _spec, raw) {
      calls.push("observe");
      if (opts.observeThrows !== undefined) throw opts.observeThrows;
      return { secret: ctx.cache(SECRETS).get(`${raw.metadata.namespace}/${raw.metadata.name}-out`) ?? null, reads: calls.length };
    },
    async reobserve(ctx, _spec, raw) {
      calls.push("reobserve");
      return { secret: await ctx.live.get(SECRETS, raw.metadata.namespace, `${raw.metadata.name}-out`), reads: calls.length };
    },
    plan(spec, seen, now) {
      calls.push(`plan@${now.toISOString()}`);
      const data = { v: Buffer.from(spec.value).toString("base64") };
      const same = seen.secret && JSON.stringify(seen.secret["data"]) === JSON.stringify(data);
      const object: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "w-out", namespace: "ns", ...(seen.secret ? { resourceVersion: seen.secret.metadata.resourceVersion } : {}) }, data };
      return {
        writes: same ? [] : [{ op: "apply", resource: SECRETS, object, previous: seen.secret }],
        conditions: [{ type: "Written", status: "True", reason: "SecretWritten", message: "the Secret holds spec.value" }],
        events: opts.events ?? [],
        status: { size: spec.value.length },
        requeueAfterMs: 60_000,
        outcome: opts.outcome ?? { kind: "ok" },
        ...(opts.keepStatus ? { keepStatus: true } : {}),
      };
    },
    planWriteFailure(_spec, _seen, message) {
      calls.push("planWriteFailure");
      return { writes: [], conditions: [], events: [], outcome: { kind: "transient", reason: "WriteFailed", message: `writing ns/w-out failed: ${message}` } };
    },
    forget: (key) => void calls.push(`forget ${key}`),
  };
}

function setup(kind: KindDefinition<Spec, Seen>, spec: unknown = { value: "one" }) {
  const kube = new FakeKube();
  kube.put(WIDGETS, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "w", namespace: "ns", uid: "u1", generation: 2 }, spec });
  const events: string[] = [];
  const ctx: ReconcileContext = {
    kube: kube.client,
    clock: { now: () => NOW },
    cache: <T extends KubeObject>(r: ResourceRef) => kube.cache(r) as unknown as ObjectCache<T>,
    event: async (_o, type, reason, message) => void events.push(`${type} ${reason}: ${message}`),
    log: silentLogger,
  };
  const reconciler = kindReconciler(kind);
  const widget = (): KubeObject => kube.cache(WIDGETS).get("ns/w") as KubeObject;
  const status = (): Record<string, unknown> => (widget().status ?? {}) as Record<string, unknown>;
  return { kube, events, ctx, reconciler, widget, status };
}

describe("kind reconciler: writes and status", () => {
  test("a pass creates the child, writes status once (summary Ready, observedGeneration, second-precision time) and asks to come back", async () => {
    const calls: string[] = [];
    const f = setup(widgetKind({ calls }));
    assert.deepEqual(await f.reconciler.reconcile("ns/w", f.ctx), { requeueAfterMs: 60_000 });
    assert.deepEqual(f.kube.writes, ["create secrets ns/w-out", "status widgets ns/w"]);
    assert.deepEqual(calls, ["observe", `plan@${NOW.toISOString()}`], "time comes from the injected clock");
    assert.deepEqual(f.status(), {
      size: 3,
      observedGeneration: 2,
      conditions: [
        { type: "Written", status: "True", reason: "SecretWritten", message: "the Secret holds spec.value", lastTransitionTime: STAMP, observedGeneration: 2 },
        { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "Reconciled", lastTransitionTime: STAMP, observedGeneration: 2 },
      ],
    });
    assert.deepEqual(f.events, []);
  });

  test("a second pass with nothing changed writes nothing", async () => {
    const f = setup(widgetKind());
    await f.reconciler.reconcile("ns/w", f.ctx);
    f.kube.writes.length = 0;
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(f.kube.writes, []);
  });

  test("a cache that has not seen our status write does not cause the same write twice", async () => {
    const f = setup(widgetKind());
    const before = structuredClone(f.widget());
    await f.reconciler.reconcile("ns/w", f.ctx);
    f.kube.put(WIDGETS, before); // the cache still shows no status
    f.kube.writes.length = 0;
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(f.kube.writes, []);
  });

  test("a pass right after our status write sees that status while the cache still holds the version it replaced; a newer cache version wins", async () => {
    const seen: unknown[] = [];
    const base = widgetKind();
    let step = 0;
    const kind: KindDefinition<Spec, Seen> = {
      ...base,
      async observe(ctx, spec, raw) {
        seen.push((raw.status as { step?: number } | undefined)?.step);
        return base.observe(ctx, spec, raw);
      },
      plan: (spec, observed, now) => ({ ...base.plan(spec, observed, now), status: { step: ++step } }),
    };
    const f = setup(kind);
    const lagging = structuredClone(f.widget());
    await f.reconciler.reconcile("ns/w", f.ctx);
    const key = [...f.kube.objects.keys()].find((k) => k.startsWith("widgets/")) ?? "";
    f.kube.objects.set(key, lagging); // the watch event of the status write has not arrived
    await f.reconciler.reconcile("ns/w", f.ctx);
    f.kube.objects.set(key, lagging); // still not, after a second write made over our first
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(seen, [undefined, 1, 2], "each pass saw the status the previous one wrote");
    f.kube.put(WIDGETS, { ...lagging, spec: { value: "two" }, metadata: { ...lagging.metadata, generation: 3 } });
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.equal(seen.at(-1), undefined, "a version the cache got since (a spec change) is read from the cache");
  });

  test("keepStatus leaves the status alone", async () => {
    const f = setup(widgetKind({ keepStatus: true }));
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(f.kube.writes, ["create secrets ns/w-out"]);
    assert.equal(f.widget().status, undefined);
  });

  test("an apply the cache already holds at that version is skipped", async () => {
    let stored: KubeObject | undefined;
    // A plan that re-applies exactly what is there (e.g. a kind without its own comparison).
    const f = setup({ ...widgetKind(), plan: () => ({ writes: stored ? [{ op: "apply", resource: SECRETS, object: stored }] : [], conditions: [], events: [], outcome: { kind: "ok" } }) });
    stored = f.kube.put(SECRETS, { apiVersion: "v1", kind: "Secret", metadata: { name: "w-out", namespace: "ns" }, data: { v: "b25l" } });
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(f.kube.writes, ["status widgets ns/w"]);
  });

  test("a 409 re-plans once on fresh reads; a second 409 ends the pass as the kind's write failure (transient)", async () => {
    const calls: string[] = [];
    const f = setup(widgetKind({ calls }));
    f.kube.conflicts = 1;
    await f.reconciler.reconcile("ns/w", f.ctx);
    assert.deepEqual(calls.map((c) => c.replace(/@.*/, "")), ["observe", "plan", "reobserve", "plan"]);
    assert.deepEqual(f.kube.writes, ["create secrets ns/w-out", "status widgets ns/w"]);

    const g = setup(widgetKind({ calls: (calls.length = 0, calls) }));
    g.kube.conflicts = 2;
    await assert.rejects(g.reconciler.reconcile("ns/w", g.ctx), (err: unknown) => err instanceof TransientError && err.reason === "WriteFailed");
    assert.deepEqual(calls.map((c) => c.replace(/@.*/, "")), ["observe", "plan", "reobserve", "plan", "planWriteFailure"]);
    const ready = (g.status()["conditions"] as Array<Record<string, unknown>>).find((c) => c["type"] === "Ready");
    assert.equal(ready?.["status"], "False");
    assert.equal(ready?.["reason"], "WriteFailed");
    assert.match(String(ready?.["message"]), /^writing ns\/w-out failed: kubernetes create failed with 409 Conflict/);
    assert.deepEqual(g.events.map((e) => e.split(":")[0]), ["Warning WriteFailed"]);
  });

  test("a deleted object: nothing written, the kind forgets it", async () => {
    const calls: string[] = [];
    const f = setup(widgetKind({ calls }));
    f.kube.objects.delete("widgets/ns/w");
    assert.deepEqual(await f.reconciler.reconcile("ns/w", f.ctx), {});
    assert.deepEqual(calls, ["forget ns/w"]);
    assert.deepEqual(f.kube.writes, []);
  });
});

describe("kind reconciler: error classes, Events", () => {
  const table: Array<[string, Parameters<typeof widgetKind>[0], (err: unknown) => boolean, string]> = [
    ["stalled outcome", { outcome: { kind: "stalled", reason: "BadValue", message: "spec.value is not allowed" } }, (e) => e instanceof StalledError && e.reason === "BadValue", "Warning BadValue"],
    ["waiting outcome", { outcome: { kind: "waiting", reason: "NotYet", message: "come back", afterMs: 5000 } }, (e) => e instanceof WaitingError && e.afterMs === 5000, "Normal NotYet"],
    ["transient outcome", { outcome: { kind: "transient", reason: "Flaky", message: "try again" } }, (e) => e instanceof TransientError && e.reason === "Flaky", "Warning Flaky"],
    ["observe throws WaitingError", { observeThrows: new WaitingError("VaultSealed", "vault is sealed", 30_000) }, (e) => e instanceof WaitingError && e.reason === "VaultSealed" && e.afterMs === 30_000, "Normal VaultSealed"],
    ["observe throws StalledError", { observeThrows: new StalledError("NoSuchStore", "store missing") }, (e) => e instanceof StalledError, "Warning NoSuchStore"],
    ["observe throws anything else", { observeThrows: new Error("socket hang up") }, (e) => e instanceof TransientError && e.reason === "ReconciliationFailed", "Warning ReconciliationFailed"],
    // A message that looks like a Kubernetes 404 does not make it one: the class is decided by type.
    ["text never decides", { observeThrows: Object.assign(new Error("not found"), { code: 404 }) }, (e) => e instanceof TransientError, "Warning ReconciliationFailed"],
  ];
  for (const [name, opts, check, event] of table) {
    test(name, async () => {
      const f = setup(widgetKind(opts));
      await assert.rejects(f.reconciler.reconcile("ns/w", f.ctx), check);
      assert.deepEqual(f.events.map((e) => e.split(":")[0]), [event], "one Event, its reason the condition's");
      const ready = (f.status()["conditions"] as Array<Record<string, unknown>>).find((c) => c["type"] === "Ready");
      assert.equal(ready?.["status"], "False");
      assert.equal(ready?.["reason"], event.split(" ")[1]);
      assert.equal(ready?.["observedGeneration"], 2);
    });
  }

  test("a plan Event with the outcome's reason is the one Event for it", async () => {
    const f = setup(widgetKind({ outcome: { kind: "stalled", reason: "BadValue", message: "m" }, events: [{ type: "Warning", reason: "BadValue", message: "spec.value is not allowed" }] }));
    await assert.rejects(f.reconciler.reconcile("ns/w", f.ctx), StalledError);
    assert.deepEqual(f.events, ["Warning BadValue: spec.value is not allowed"]);
  });

  test("a parse failure is stalled, naming the field, with the parse's status fields", async () => {
    const f = setup(widgetKind(), { value: 7 });
    await assert.rejects(f.reconciler.reconcile("ns/w", f.ctx), (e: unknown) => e instanceof StalledError && e.reason === "InvalidSpec");
    assert.equal(f.status()["phase"], "Invalid");
    const ready = (f.status()["conditions"] as Array<Record<string, unknown>>)[0];
    assert.deepEqual([ready?.["type"], ready?.["reason"], ready?.["message"]], ["Ready", "InvalidSpec", "spec.value: expected a string (fix the manifest)"]);
    assert.deepEqual(f.kube.writes, ["status widgets ns/w"]);
  });

  test("through the runtime pass: stalled is not retried until the generation or the retry token changes; no second Event", async () => {
    let token = "k1";
    const calls: string[] = [];
    const f = setup({ ...widgetKind({ calls, outcome: { kind: "stalled", reason: "BadValue", message: "m" } }), retryToken: () => token });
    const queue = new WorkQueue({ timers: new ManualTimers() });
    const stalled = new StalledMemory();
    const pass = () => runReconcilePass({ reconciler: f.reconciler, ctx: f.ctx, primary: f.kube.cache(WIDGETS), queue, stalled, kube: f.kube.client, clock: f.ctx.clock, metrics: undefined }, "ns/w");
    await pass();
    await pass();
    assert.equal(calls.filter((c) => c === "observe").length, 1, "stalled: not run again");
    assert.equal(f.events.length, 1, "the runtime adds no Event of its own for kit kinds");
    token = "k2";
    await pass();
    assert.equal(calls.filter((c) => c === "observe").length, 2, "a new retry token retries");
    f.kube.put(WIDGETS, { ...f.widget(), metadata: { ...f.widget().metadata, generation: 3 } });
    await pass();
    assert.equal(calls.filter((c) => c === "observe").length, 3, "a new generation retries");
  });
});
