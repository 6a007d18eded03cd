import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { ControllerRuntime } from "../../../src/controller/runtime/runtime.js";
import { testRuntimeConfig } from "../support/runtime-config.js";
import { controllerLogger, createLogger, silentLogger } from "../../../src/log.js";
import { createControllerMetrics } from "../../../src/server/metrics.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";
import { aTurn, CONFIGMAPS, converged, MirrorReconciler, WorkGate } from "./mirror-reconciler.js";

const FAST_BACKOFF = { baseMs: 20, capMs: 200 };

const config = testRuntimeConfig;

describe("ControllerRuntime against the Kubernetes test server", { timeout: 60_000 }, () => {
  let f: KubeFixture;
  let ns = 0;
  before(async () => {
    f = await kubeFixture();
  });
  after(async () => f.close());

  async function namespace(): Promise<string> {
    ns += 1;
    const name = `rt-${ns}`;
    await f.kube.create(NAMESPACES, { metadata: { name } });
    return name;
  }
  const isConverged = (n: string) => converged(f.server.objects("configmaps", n), f.server.objects("secrets", n));
  const createCms = async (n: string, from: number, to: number, extra: Record<string, string> = {}) => {
    for (let i = from; i < to; i++) await f.kube.create(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: n, labels: { mirror: "yes", ...extra } }, data: { value: `v${i}` } });
  };

  test("converges, follows changes and deletions, never runs one key twice at once, and a resync writes nothing", async () => {
    const n = await namespace();
    await createCms(n, 0, 25);
    // Each pass yields to the event loop mid-way, so passes of different keys interleave.
    const reconciler = new MirrorReconciler(aTurn);
    const metrics = createControllerMetrics({ defaults: false });
    const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [reconciler], config: config({ resyncPeriodMs: 300 }), log: silentLogger, metrics, backoff: FAST_BACKOFF });
    assert.equal(runtime.readiness().ok, false);
    await runtime.start();
    try {
      assert.equal(runtime.readiness().ok, true);
      await eventually(() => isConverged(n), 10_000, "initial convergence");
      // Many changes to one key collapse, and one key is never processed concurrently.
      for (let i = 0; i < 10; i++) await f.kube.mergePatch(CONFIGMAPS, n, "cm-0", { data: { value: `changed-${i}` } });
      await f.kube.delete(CONFIGMAPS, n, "cm-1");
      await f.kube.mergePatch(CONFIGMAPS, n, "cm-2", { metadata: { labels: { mirror: "no" } } });
      await eventually(() => isConverged(n), 10_000, "after changes");
      assert.equal(reconciler.stats.maxConcurrentPerKey, 1);
      // Steady state: resyncs (every 300 ms here) reconcile again but write nothing.
      const writes = f.server.counters.writes();
      const passes = reconciler.stats.reconciles;
      await eventually(() => reconciler.stats.reconciles >= passes + 40, 5000, "resync passes");
      assert.equal(f.server.counters.writes(), writes, "idempotent: no writes in steady state");
      const text = await metrics.registry.metrics();
      assert.match(text, /sealbridge_reconcile_total\{kind="mirror",result="success"\} \d+/);
      assert.match(text, /sealbridge_reconcile_duration_seconds_count\{kind="mirror"\} \d+/);
      assert.match(text, /sealbridge_workqueue_depth\{kind="mirror"\} \d+/);
    } finally {
      await runtime.stop();
    }
    assert.equal(runtime.readiness().ok, false);
  });

  test("--concurrency per kind: that many workers run at once, never more", async () => {
    const n = await namespace();
    await createCms(n, 0, 12);
    for (const [perKind, want] of [[{ mirror: 3 }, 3], [{ other: 5 }, 1]] as const) {
      // Passes are held in the gate until as many as there are workers are in it: 12 keys are
      // queued, so a runtime running more workers would put more than `want` in it.
      const gate = new WorkGate();
      const reconciler = new MirrorReconciler(gate.enter);
      const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [reconciler], config: config({ concurrency: { default: 1, perKind } }), log: silentLogger, backoff: FAST_BACKOFF });
      await runtime.start();
      try {
        await eventually(() => gate.held >= want, 10_000, `${want} passes in the gate`);
        for (let i = 0; i < 20; i++) await aTurn();
        assert.equal(gate.held, want, `passes running at once for mirror with ${JSON.stringify(perKind)}`);
        gate.open();
        await eventually(() => reconciler.stats.reconciles >= 12 && [...reconciler.stats.inFlight.values()].every((v) => v === 0), 10_000, "every key reconciled");
        assert.equal(reconciler.stats.maxConcurrentTotal, want, `workers for mirror with ${JSON.stringify(perKind)}`);
      } finally {
        await runtime.stop({ timeoutMs: 2_000 });
      }
    }
  });

  test("transient errors back off and succeed; stalled objects wait for a change; Events and logs carry no secrets", async () => {
    const n = await namespace();
    await createCms(n, 0, 2);
    await f.kube.create(CONFIGMAPS, { metadata: { name: "stuck", namespace: n, labels: { mirror: "yes", stall: "yes" } }, data: { value: "CANARY-stall-secret" } });
    const reconciler = new MirrorReconciler();
    reconciler.failNext.set(`${n}/cm-0`, 3);
    let logged = "";
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((logged += c.toString()), cb()) });
    const log = controllerLogger(createLogger({ level: "debug", destination: sink }));
    const metrics = createControllerMetrics({ defaults: false });
    const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [reconciler], config: config({ resyncPeriodMs: 100 }), log, metrics, backoff: FAST_BACKOFF });
    await runtime.start();
    try {
      await eventually(() => isConverged(n), 10_000, "convergence after backoff");
      const passes = reconciler.stats.reconciles;
      await eventually(() => reconciler.stats.reconciles >= passes + 6, 5000, "a few resyncs");
      assert.equal(reconciler.stats.perKey.get(`${n}/stuck`), 1, "stalled: not retried by resyncs");
      assert.equal(reconciler.failNext.get(`${n}/cm-0`), 0);
      const text = await metrics.registry.metrics();
      assert.match(text, /sealbridge_reconcile_errors_total\{kind="mirror",reason="InjectedFailure"\} 3/);
      assert.match(text, /sealbridge_reconcile_total\{kind="mirror",result="stalled"\} 1/);
      // A change to the stalled object retries it.
      const before = reconciler.stats.reconciles;
      await f.kube.mergePatch(CONFIGMAPS, n, "stuck", { metadata: { labels: { stall: "no" } } });
      await eventually(() => f.server.objects("secrets", n).some((s) => s.metadata.name === "stuck"), 5000, "stalled object retried after change");
      assert.ok(reconciler.stats.reconciles > before);
      await eventually(() => f.server.objects("events", n).some((e) => e.reason === "InvalidMirror"), 5000, "stalled event");
      const events = f.server.objects("events", n);
      const injected = events.filter((e) => e.reason === "InjectedFailure");
      assert.equal(injected.length, 1, "repeated failures aggregate into one Event");
      assert.equal((injected[0] as KubeObject & { type: string }).type, "Warning");
      assert.equal((injected[0] as KubeObject & { source: { component: string } }).source.component, "sealbridge");
      assert.equal((injected[0] as KubeObject & { involvedObject: { name: string } }).involvedObject.name, "cm-0");
      assert.doesNotMatch(JSON.stringify(events), /CANARY/);
      assert.doesNotMatch(logged, /CANARY/);
      assert.match(logged, /backing off/);
    } finally {
      await runtime.stop();
    }
  });

  test("killed mid-work and started again: every object converges, with no duplicate Secrets", async () => {
    const n = await namespace();
    await createCms(n, 0, 40);
    f.server.faults.latencyMs(new RegExp(`/namespaces/${n}/secrets`), 15);
    const first = new MirrorReconciler();
    const runtime1 = new ControllerRuntime({ kube: f.kube, reconcilers: [first], config: config({ concurrency: { default: 2, perKind: {} } }), log: silentLogger, backoff: FAST_BACKOFF });
    await runtime1.start();
    await eventually(() => f.server.objects("secrets", n).length >= 5, 10_000, "some progress");
    // "Kill": stop at once, without waiting for in-flight work or releasing anything.
    await runtime1.stop({ releaseLease: false, timeoutMs: 0 });
    assert.equal(isConverged(n), false, "killed before finishing");
    await createCms(n, 40, 45);
    await f.kube.mergePatch(CONFIGMAPS, n, "cm-0", { data: { value: "changed-while-down" } });
    f.server.faults.clear();
    const second = new MirrorReconciler();
    const runtime2 = new ControllerRuntime({ kube: f.kube, reconcilers: [second], config: config(), log: silentLogger, backoff: FAST_BACKOFF });
    await runtime2.start();
    try {
      await eventually(() => isConverged(n), 15_000, "convergence after restart");
      const names = f.server.objects("secrets", n).map((s) => s.metadata.name);
      assert.equal(new Set(names).size, names.length);
      assert.equal(names.length, 45);
    } finally {
      await runtime2.stop();
    }
  });

  test("converges through watch cuts, 410 Gone and API errors", async () => {
    const n = await namespace();
    await createCms(n, 0, 10);
    const reconciler = new MirrorReconciler();
    const runtime = new ControllerRuntime({
      kube: f.kube,
      reconcilers: [reconciler],
      config: config(),
      log: silentLogger,
      backoff: FAST_BACKOFF,
      watchBackoff: { baseMs: 10, capMs: 100, jitter: 0.5 },
    });
    await runtime.start();
    try {
      f.server.faults.cutWatchesAfter(2);
      f.server.faults.failRate(new RegExp(`/namespaces/${n}/secrets`), 500, { rate: 0.3 });
      await createCms(n, 10, 20);
      f.server.faults.dropWatches();
      await f.kube.mergePatch(CONFIGMAPS, n, "cm-3", { data: { value: "after-cut" } });
      f.server.faults.expireResourceVersions();
      await createCms(n, 20, 30);
      await f.kube.delete(CONFIGMAPS, n, "cm-4");
      f.server.faults.dropWatches();
      await eventually(() => isConverged(n), 15_000, "convergence under faults");
      f.server.faults.clear();
      await f.kube.mergePatch(CONFIGMAPS, n, "cm-5", { data: { value: "after-clear" } });
      await eventually(() => isConverged(n), 5000, "still watching");
      assert.equal(reconciler.stats.maxConcurrentPerKey, 1);
    } finally {
      f.server.faults.clear();
      await runtime.stop();
    }
  });

  test("writeReadyOnError writes Ready=False with observedGeneration once", async () => {
    const n = await namespace();
    const CRDS = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
    const GADGETS = { group: "example.test", version: "v1", plural: "gadgets", kind: "Gadget", namespaced: true };
    await f.kube.create(CRDS, {
      metadata: { name: "gadgets.example.test" },
      spec: {
        group: "example.test",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget", listKind: "GadgetList" },
        versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    });
    await eventually(async () => (await f.kube.list(GADGETS, n).catch(() => null)) !== null, 5000, "CRD served");
    await f.kube.create(GADGETS, { metadata: { name: "g1", namespace: n }, spec: { broken: true } });
    const { StalledError } = await import("../../../src/controller/types.js");
    const reconciler = {
      name: "gadget",
      resource: GADGETS,
      writeReadyOnError: true,
      async reconcile() {
        throw new StalledError("InvalidGadget", "spec.broken is true: gadget (set spec.broken to false)");
      },
    };
    const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [reconciler], config: config(), log: silentLogger, backoff: FAST_BACKOFF });
    await runtime.start();
    try {
      await eventually(() => {
        const g = f.server.objects("gadgets.example.test", n)[0] as KubeObject & { status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string; reason: string }> } };
        return g?.status?.observedGeneration === 1 && g.status.conditions?.[0]?.reason === "InvalidGadget" && g.status.conditions[0].status === "False";
      }, 5000, "Ready=False status");
    } finally {
      await runtime.stop();
    }
  });
});
