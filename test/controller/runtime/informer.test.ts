import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Informer } from "../../../src/controller/runtime/informer.js";
import { silentLogger } from "../../../src/log.js";
import { HttpKubeClient } from "../../../src/kube/client.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { CONFIGMAPS, eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";

const FAST = { baseMs: 10, capMs: 100, jitter: 0.5 };

describe("Informer against the Kubernetes test server", { timeout: 30_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "inf" } });
  });
  after(async () => f.close());

  function cacheMatchesServer(informer: Informer): boolean {
    const server = f.server.objects("configmaps", "inf");
    const cached = informer.list("inf");
    if (server.length !== cached.length) return false;
    return server.every((o) => informer.get(`inf/${o.metadata.name}`)?.metadata.resourceVersion === o.metadata.resourceVersion);
  }

  test("paginated initial list, then watch; survives dropped and cut watches and 410 Gone", async () => {
    for (let i = 0; i < 12; i++) await f.kube.create(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: "inf" }, data: { v: "0" } });
    const informer = new Informer({ kube: f.kube, resource: CONFIGMAPS, namespace: "inf", log: silentLogger, pageSize: 5, backoff: FAST, minHealthyWatchMs: 0 });
    const seen = { add: 0, update: 0, delete: 0 };
    informer.addHandler((type) => (seen[type] += 1));
    informer.start();
    try {
      await informer.synced();
      assert.equal(informer.hasSynced(), true);
      assert.equal(informer.list().length, 12);
      assert.equal(seen.add, 12);
      assert.ok(f.server.counters.requests("GET", /configmaps\?.*limit=5/) >= 3, "listed in pages of 5");

      // Changes arrive through the watch.
      await f.kube.mergePatch(CONFIGMAPS, "inf", "cm-0", { data: { v: "1" } });
      await f.kube.delete(CONFIGMAPS, "inf", "cm-1");
      await eventually(() => cacheMatchesServer(informer), 5000, "watch changes");
      assert.equal(informer.get("inf/cm-1"), undefined);

      // Dropped watches: changes made while disconnected arrive after the resumed watch.
      f.server.faults.dropWatches();
      await f.kube.mergePatch(CONFIGMAPS, "inf", "cm-2", { data: { v: "2" } });
      await eventually(() => cacheMatchesServer(informer), 5000, "after drop");

      // Cut watches (connection destroyed mid-stream) every event.
      f.server.faults.cutWatchesAfter(1);
      for (let i = 3; i < 8; i++) await f.kube.mergePatch(CONFIGMAPS, "inf", `cm-${i}`, { data: { v: "cut" } });
      await eventually(() => cacheMatchesServer(informer), 5000, "after cuts");
      f.server.faults.clear();

      // 410 Gone: history expired while disconnected → re-list, and deletions seen by the diff.
      const listsBefore = informer.stats.lists;
      f.server.faults.dropWatches();
      f.server.faults.failRate(/configmaps\?.*watch=true/, 503, 2);
      await f.kube.delete(CONFIGMAPS, "inf", "cm-8");
      await f.kube.create(CONFIGMAPS, { metadata: { name: "cm-new", namespace: "inf" } });
      f.server.faults.expireResourceVersions();
      const deletesBefore = seen.delete;
      await eventually(() => informer.stats.relistsAfterGone > 0 && cacheMatchesServer(informer), 10_000, "after 410");
      assert.ok(informer.stats.lists > listsBefore);
      assert.ok(seen.delete > deletesBefore, "the deletion is reported from the re-list diff");
      assert.ok(informer.get("inf/cm-new"));
      assert.ok(informer.stats.watchErrors >= 1, "the injected 503 counted as a watch error");
    } finally {
      f.server.faults.clear();
      await informer.stop();
    }
  });

  const ssa = (res: typeof CONFIGMAPS, obj: KubeObject, opts: { fieldManager: string }): Promise<KubeObject> => {
    assert.ok(f.kube instanceof HttpKubeClient);
    return f.kube.apply(res, obj, opts);
  };

  test("the cache keeps no metadata.managedFields, listed or watched; the rest of metadata stays", async () => {
    await ssa(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "managed", namespace: "inf", labels: { a: "b" } }, data: { v: "0" } }, { fieldManager: "someone" });
    assert.ok(Array.isArray(f.server.objects("configmaps", "inf").find((o) => o.metadata.name === "managed")?.metadata.managedFields), "the server keeps managedFields");
    const informer = new Informer({ kube: f.kube, resource: CONFIGMAPS, namespace: "inf", log: silentLogger, backoff: FAST });
    const handed: unknown[] = [];
    informer.addHandler((_type, obj) => handed.push(obj.metadata.managedFields));
    informer.start();
    try {
      await informer.synced();
      const listed = informer.get("inf/managed");
      assert.equal(listed?.metadata.managedFields, undefined);
      assert.deepEqual(listed?.metadata.labels, { a: "b" });
      await ssa(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "managed", namespace: "inf" }, data: { v: "1" } }, { fieldManager: "someone" });
      await eventually(() => informer.get("inf/managed")?.["data"] !== undefined && (informer.get("inf/managed")?.["data"] as Record<string, string>)["v"] === "1", 5000, "the watched apply");
      assert.equal(informer.get("inf/managed")?.metadata.managedFields, undefined);
      assert.ok(handed.length >= 2 && handed.every((m) => m === undefined), "handlers get the stripped objects too");
    } finally {
      await informer.stop();
      await f.kube.delete(CONFIGMAPS, "inf", "managed");
    }
  });

  test("list failures are retried with backoff until the API answers", async () => {
    f.server.faults.failRate(/\/namespaces\/inf\/configmaps\?/, 500, 3);
    const informer = new Informer({ kube: f.kube, resource: CONFIGMAPS, namespace: "inf", log: silentLogger, backoff: FAST });
    informer.start();
    try {
      await informer.synced();
      assert.ok(cacheMatchesServer(informer));
    } finally {
      f.server.faults.clear();
      await informer.stop();
    }
  });

  test("stop ends an open watch promptly", async () => {
    const informer = new Informer({ kube: f.kube, resource: CONFIGMAPS, namespace: "inf", log: silentLogger });
    informer.start();
    await informer.synced();
    await eventually(() => f.server.watchCount() > 0, 5000, "watch open");
    const t0 = Date.now();
    await informer.stop();
    assert.ok(Date.now() - t0 < 1000);
  });
});
