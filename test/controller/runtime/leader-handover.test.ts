import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ControllerRuntime } from "../../../src/controller/runtime/runtime.js";
import type { RuntimeConfig } from "../../../src/controller/runtime/runtime.js";
import { testRuntimeConfig } from "../support/runtime-config.js";
import { LEASES } from "../../../src/kube/resources.js";
import type { LeaseSpec } from "../../../src/controller/runtime/leader-election.js";
import { silentLogger } from "../../../src/log.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";
import { CONFIGMAPS, converged, MirrorReconciler } from "./mirror-reconciler.js";

const LEASE_MS = 2000;

function config(identity: string): RuntimeConfig {
  return testRuntimeConfig({ concurrency: { default: 2, perKind: {} }, leaderElect: true, leaseDurationMs: LEASE_MS, identity });
}

describe("leader election with two runtimes", { timeout: 60_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "sealbridge" } });
    await f.kube.create(NAMESPACES, { metadata: { name: "le" } });
  });
  after(async () => f.close());

  const lease = async () => (await f.kube.get<KubeObject & { spec: LeaseSpec }>(LEASES, "sealbridge", "sealbridge-controller"))?.spec;
  const isConverged = () => converged(f.server.objects("configmaps", "le"), f.server.objects("secrets", "le"));
  /** Waits until the leader has renewed the lease `n` more times (every retry period, 200 ms). */
  const renewals = async (n: number): Promise<void> => {
    const seen = new Set([(await lease())?.renewTime]);
    await eventually(async () => (seen.add((await lease())?.renewTime), seen.size > n), 10_000, `${n} lease renewals`);
  };
  const addCm = (i: number) => f.kube.create(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: "le", labels: { mirror: "yes" } }, data: { v: String(i) } });

  test("only the leader works; a killed leader is replaced within the lease duration; a clean stop hands over at once", async () => {
    for (let i = 0; i < 5; i++) await addCm(i);
    const kubeA = await f.newClient();
    const kubeB = await f.newClient();
    const a = new MirrorReconciler();
    const b = new MirrorReconciler();
    const runtimeA = new ControllerRuntime({ kube: kubeA, reconcilers: [a], config: config("a"), log: silentLogger });
    await runtimeA.start();
    await eventually(async () => (await lease())?.holderIdentity === "a", 5000, "a leads");
    const runtimeB = new ControllerRuntime({ kube: kubeB, reconcilers: [b], config: config("b"), log: silentLogger });
    await runtimeB.start();
    let runtimeC: ControllerRuntime | undefined;
    try {
      await eventually(isConverged, 5000, "a converges");
      assert.equal(runtimeA.leading, true);
      assert.equal(runtimeB.leading, false);
      assert.equal(runtimeB.readiness().ok, true, "a standby with synced caches is ready");
      assert.match(runtimeB.readiness().reason, /standby/);
      await addCm(5);
      await eventually(isConverged, 5000, "a handles new work");
      // Several renew periods pass: b still does nothing.
      await renewals(3);
      assert.equal(b.stats.reconciles, 0, "the standby never reconciles");
      assert.equal(b.startCalls, 0, "a standby does not start its reconcilers");
      assert.equal(a.startCalls, 1);
      const spec = await lease();
      assert.equal(spec?.leaseDurationSeconds, 2);
      assert.ok(spec?.renewTime && spec.acquireTime);

      // Kill a: no release, its connection gone.
      const killedAt = Date.now();
      await runtimeA.stop({ releaseLease: false, timeoutMs: 0 });
      kubeA.close();
      assert.equal((await lease())?.holderIdentity, "a", "a kill does not release");
      await addCm(6);
      await eventually(() => runtimeB.leading, LEASE_MS + 2000, "b takes over");
      const handover = Date.now() - killedAt;
      assert.ok(handover <= LEASE_MS + 700, `handover took ${handover} ms`);
      await eventually(isConverged, 5000, "b converges");
      assert.ok(b.stats.reconciles > 0);
      assert.equal(b.startCalls, 1);
      const afterTakeover = await lease();
      assert.equal(afterTakeover?.holderIdentity, "b");
      assert.equal(afterTakeover?.leaseTransitions, 1);

      // A third candidate; b stops cleanly and releases: c leads well before a lease duration.
      const kubeC = await f.newClient();
      const c = new MirrorReconciler();
      runtimeC = new ControllerRuntime({ kube: kubeC, reconcilers: [c], config: config("c"), log: silentLogger });
      await runtimeC.start();
      const stoppedAt = Date.now();
      await runtimeB.stop({ releaseLease: true });
      kubeB.close();
      await eventually(() => runtimeC!.leading, LEASE_MS, "c takes over after release");
      assert.equal(b.stopCalls, 1, "stop hooks run at shutdown");
      assert.ok(Date.now() - stoppedAt < 1500, "released lease is taken without waiting for expiry");
      await addCm(7);
      await eventually(isConverged, 5000, "c converges");
    } finally {
      await runtimeA.stop({ releaseLease: false, timeoutMs: 0 });
      await runtimeB.stop();
      await runtimeC?.stop();
    }
  });

  test("a leader that cannot renew within the renew deadline stops working, and resumes when it can", async () => {
    const kube = await f.newClient();
    const r = new MirrorReconciler();
    const runtime = new ControllerRuntime({ kube, reconcilers: [r], config: { ...config("solo"), leaseName: "solo-lease" }, log: silentLogger });
    await runtime.start();
    try {
      await eventually(() => runtime.leading, 5000, "leading");
      f.server.faults.failRate(/\/leases\/solo-lease/, 500, { rate: 1 });
      const failedAt = Date.now();
      await eventually(() => !runtime.leading, 4000, "stops leading");
      assert.ok(Date.now() - failedAt >= 1000, "not before the renew deadline");
      const before = r.stats.reconciles;
      const attempts = f.server.counters.requests(undefined, /\/leases\/solo-lease/);
      await addCm(100);
      // Several failed lease attempts (every retry period) while the new object sits in the cache.
      await eventually(() => f.server.counters.requests(undefined, /\/leases\/solo-lease/) >= attempts + 3, 10_000, "lease attempts");
      assert.equal(r.stats.reconciles, before, "no work while not leading");
      f.server.faults.clear();
      await eventually(() => runtime.leading, 5000, "leads again");
      await eventually(isConverged, 5000, "catches up");
    } finally {
      f.server.faults.clear();
      await runtime.stop();
      kube.close();
    }
  });
});
