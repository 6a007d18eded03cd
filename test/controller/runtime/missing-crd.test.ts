/**
 * Issue 8: a kind whose CRD is not installed is reported (log line naming the kind, the
 * `sealbridge_resource_installed` metric, the /readyz reason), does not hold readiness, and starts
 * as soon as its CRD appears; the other kinds run meanwhile.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { ControllerRuntime } from "../../../src/controller/runtime/runtime.js";
import { Informer } from "../../../src/controller/runtime/informer.js";
import type { Reconciler } from "../../../src/controller/types.js";
import { controllerLogger, createLogger, silentLogger } from "../../../src/log.js";
import { createControllerMetrics } from "../../../src/server/metrics.js";
import type { KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";
import { testRuntimeConfig } from "../support/runtime-config.js";
import { converged, CONFIGMAPS, MirrorReconciler } from "./mirror-reconciler.js";

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const FAST = { baseMs: 20, capMs: 100 };

function gadgets(n: number): ResourceRef {
  return { group: "example.test", version: "v1", plural: `gadgets${n}`, kind: `Gadget${n}`, namespaced: true };
}

function crdFor(res: ResourceRef): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${res.plural}.${res.group}` },
    spec: {
      group: res.group,
      scope: "Namespaced",
      names: { plural: res.plural, singular: res.plural.replace(/s(\d+)$/, "$1"), kind: res.kind },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  };
}

/** Records the keys it is asked to reconcile. */
function recorder(name: string, resource: ResourceRef): Reconciler & { seen: string[] } {
  const seen: string[] = [];
  return {
    name,
    resource,
    seen,
    async reconcile(key) {
      seen.push(key);
      return {};
    },
  };
}

describe("a kind whose CRD is not installed (issue 8)", { timeout: 60_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "crd" } });
  });
  after(async () => f.close());

  test("Informer: settles as absent, reports it, and syncs once the CRD appears", async () => {
    const res = gadgets(1);
    const served: boolean[] = [];
    const informer = new Informer({ kube: f.kube, resource: res, log: silentLogger, backoff: FAST, onServedChange: (s) => served.push(s) });
    informer.start();
    try {
      await informer.settled();
      assert.equal(informer.absent, true);
      assert.equal(informer.hasSynced(), false);
      assert.deepEqual(served, [false]);
      await f.kube.create(CRDS, crdFor(res));
      await f.kube.create(res, { apiVersion: "example.test/v1", kind: res.kind, metadata: { name: "g", namespace: "crd" } });
      await informer.synced();
      assert.equal(informer.absent, false);
      await eventually(() => informer.get("crd/g") !== undefined, 5000, "the object in the cache");
      assert.deepEqual(served, [false, true]);
    } finally {
      await informer.stop();
    }
  });

  test("Runtime: the others run and the runtime is ready; the waiting kind is logged and counted, and starts when its CRD is installed", async () => {
    const res = gadgets(2);
    await f.kube.create(CONFIGMAPS, { metadata: { name: "cm-0", namespace: "crd", labels: { mirror: "yes" } }, data: { value: "v" } });
    let logged = "";
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((logged += c.toString()), cb()) });
    const log = controllerLogger(createLogger({ level: "info", destination: sink }));
    const metrics = createControllerMetrics({ defaults: false });
    const gadget = recorder("gadget", res);
    const mirror = new MirrorReconciler();
    const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [mirror, gadget], config: testRuntimeConfig(), log, metrics, watchBackoff: FAST });
    await runtime.start();
    try {
      assert.deepEqual(runtime.readiness(), { ok: true, reason: "ok; not installed: gadgets2.example.test" });
      await eventually(() => converged(f.server.objects("configmaps", "crd"), f.server.objects("secrets", "crd")), 10_000, "the mirror kind runs");
      const lines = logged.split("\n").filter((l) => l.includes("CRD not installed"));
      assert.equal(lines.length, 1, logged);
      assert.match(lines[0]!, /CRD not installed: gadgets2\.example\.test; gadget waits for it/);
      const text = await metrics.registry.metrics();
      assert.match(text, /sealbridge_resource_installed\{resource="gadgets2.example.test"\} 0/);
      assert.match(text, /sealbridge_resource_installed\{resource="configmaps"\} 1/);

      await f.kube.create(CRDS, crdFor(res));
      await f.kube.create(res, { apiVersion: "example.test/v1", kind: res.kind, metadata: { name: "g", namespace: "crd" } });
      await eventually(() => gadget.seen.includes("crd/g"), 10_000, "the gadget kind starts once its CRD exists");
      assert.deepEqual(runtime.readiness(), { ok: true, reason: "ok" });
      assert.match(await metrics.registry.metrics(), /sealbridge_resource_installed\{resource="gadgets2.example.test"\} 1/);
      assert.match(logged, /CRD installed: gadgets2\.example\.test/);
    } finally {
      await runtime.stop({ timeoutMs: 1000 });
    }
  });
  test("Runtime: a kind whose optional secondary watch has no CRD runs at once, and is not named as waiting", async () => {
    const res = gadgets(3);
    await f.kube.create(CONFIGMAPS, { metadata: { name: "cm-opt", namespace: "crd" }, data: { value: "v" } });
    let logged = "";
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((logged += c.toString()), cb()) });
    const log = controllerLogger(createLogger({ level: "info", destination: sink }));
    const withOptional = { ...recorder("configs", CONFIGMAPS), secondaryWatches: [{ resource: res, optional: true, mapToPrimary: () => [] }] };
    const runtime = new ControllerRuntime({ kube: f.kube, reconcilers: [withOptional], config: testRuntimeConfig(), log, watchBackoff: FAST });
    await runtime.start();
    try {
      await eventually(() => withOptional.seen.includes("crd/cm-opt"), 10_000, "the kind runs without the optional resource");
      assert.match(logged, /CRD not installed: gadgets3\.example\.test; no kind waits for it/);
    } finally {
      await runtime.stop({ timeoutMs: 1000 });
    }
  });
});
