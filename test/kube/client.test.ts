import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError, isConflict } from "../../src/kube/errors.js";
import type { KubeObject, ResourceRef, WatchEvent } from "../../src/kube/types.js";
import { CONFIGMAPS, eventually, kubeFixture, NAMESPACES, SECRETS } from "./kube-fixture.js";
import type { KubeFixture } from "./kube-fixture.js";

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const WIDGETS: ResourceRef = { group: "example.test", version: "v1", plural: "widgets", kind: "Widget", namespaced: true };
const CANARY = "CANARY-client-secret-value";

describe("HttpKubeClient against the Kubernetes test server", { timeout: 20_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "demo" } });
  });
  after(async () => f.close());

  test("create, get, replace, merge patch, delete; 404 → null/false", async () => {
    const created = await f.kube.create<KubeObject>(SECRETS, { metadata: { name: "s1", namespace: "demo", labels: { app: "x" } }, stringData: { password: CANARY } });
    assert.equal(created.kind, "Secret");
    assert.ok(created.metadata.resourceVersion);
    const got = await f.kube.get<KubeObject & { data?: Record<string, string> }>(SECRETS, "demo", "s1");
    assert.equal(Buffer.from(got!.data!.password!, "base64").toString(), CANARY);
    const replaced = await f.kube.replace(SECRETS, { ...got!, metadata: { ...got!.metadata, labels: { app: "y" } } });
    assert.equal(replaced.metadata.labels?.app, "y");
    const patched = await f.kube.mergePatch(SECRETS, "demo", "s1", { metadata: { annotations: { a: "b" } } });
    assert.equal(patched.metadata.annotations?.a, "b");
    assert.equal(patched.metadata.labels?.app, "y");
    assert.equal(await f.kube.get(SECRETS, "demo", "missing"), null);
    assert.equal(await f.kube.delete(SECRETS, "demo", "s1", { propagationPolicy: "Background" }), true);
    assert.equal(await f.kube.delete(SECRETS, "demo", "s1"), false);
    assert.equal(await f.kube.get(SECRETS, "demo", "s1"), null);
  });

  test("stale replace → 409 KubeApiError without request body in the message", async () => {
    const cm = await f.kube.create(CONFIGMAPS, { metadata: { name: "c1", namespace: "demo" }, data: { k: "v1" } });
    await f.kube.replace(CONFIGMAPS, { ...cm, data: { k: "v2" } });
    await assert.rejects(f.kube.replace(CONFIGMAPS, { ...cm, data: { k: CANARY } }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.ok(isConflict(err));
      assert.equal(err.status, 409);
      assert.equal(err.reason, "Conflict");
      assert.match(err.message, /update/);
      assert.match(err.message, /configmaps "demo\/c1"/);
      assert.doesNotMatch(err.message, /CANARY/);
      return true;
    });
    await assert.rejects(f.kube.create(CONFIGMAPS, { metadata: { name: "c1", namespace: "demo" } }), (err: unknown) => err instanceof KubeApiError && err.status === 409 && err.reason === "AlreadyExists");
  });

  test("paginated list with label selector", async () => {
    for (let i = 0; i < 7; i++) await f.kube.create(CONFIGMAPS, { metadata: { name: `page-${i}`, namespace: "demo", labels: { page: "yes" } } });
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await f.kube.list(CONFIGMAPS, "demo", { labelSelector: "page=yes", limit: 3, ...(cont ? { continue: cont } : {}) });
      pages += 1;
      names.push(...page.items.map((i) => i.metadata.name!));
      assert.ok(page.resourceVersion);
      assert.ok(page.items.every((i) => i.kind === "ConfigMap" && i.apiVersion === "v1"));
      cont = page.continue;
    } while (cont);
    assert.equal(pages, 3);
    assert.deepEqual(names.sort(), [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    const all = await f.kube.list(CONFIGMAPS, undefined, { fieldSelector: "metadata.namespace=demo" });
    assert.ok(all.items.length >= 7);
  });

  test("status subresource on a CRD via patchStatus", async () => {
    await f.kube.create(CRDS, {
      metadata: { name: "widgets.example.test" },
      spec: {
        group: "example.test",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    });
    await eventually(async () => (await f.kube.list(WIDGETS, "demo").catch(() => null)) !== null, 5000, "CRD served");
    const w = await f.kube.create<KubeObject>(WIDGETS, { metadata: { name: "w1", namespace: "demo" }, spec: { size: 1 } });
    assert.equal(w.metadata.generation, 1);
    const st = await f.kube.patchStatus(WIDGETS, "demo", "w1", { observedGeneration: 1, conditions: [{ type: "Ready", status: "True", reason: "Ok", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }] });
    assert.equal((st.status as { observedGeneration: number }).observedGeneration, 1);
    const again = await f.kube.get(WIDGETS, "demo", "w1");
    assert.equal(again!.metadata.generation, 1, "status writes do not bump generation");
  });

  test("watch streams events from a resourceVersion, then ends on abort", async () => {
    const list = await f.kube.list(SECRETS, "demo");
    const events: Array<WatchEvent> = [];
    const abort = new AbortController();
    const ended = f.kube.watch(SECRETS, "demo", { resourceVersion: list.resourceVersion }, (e) => events.push(e), abort.signal);
    await f.kube.create(SECRETS, { metadata: { name: "w1", namespace: "demo" } });
    await f.kube.mergePatch(SECRETS, "demo", "w1", { metadata: { labels: { x: "1" } } });
    await f.kube.delete(SECRETS, "demo", "w1");
    await eventually(() => events.filter((e) => e.type !== "BOOKMARK").length >= 3, 5000, "3 watch events");
    assert.deepEqual(events.filter((e) => e.type !== "BOOKMARK").map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
    abort.abort();
    assert.deepEqual(await ended, { gone: false });
  });

  test("watch from an expired resourceVersion → gone", async () => {
    const list = await f.kube.list(SECRETS, "demo");
    await f.kube.create(SECRETS, { metadata: { name: "old", namespace: "demo" } });
    f.server.faults.expireResourceVersions();
    const end = await f.kube.watch(SECRETS, "demo", { resourceVersion: list.resourceVersion }, () => undefined, new AbortController().signal);
    assert.equal(end.gone, true);
  });

  test("a dropped watch ends cleanly; a cut watch ends (with or without error)", async () => {
    const list = await f.kube.list(SECRETS, "demo");
    const abort = new AbortController();
    // Wait for *this* watch to stream: watchCount() may still count an earlier test's closed watch.
    const watchesBefore = f.server.counters.requests("GET", /watch=true/);
    const ended = f.kube.watch(SECRETS, "demo", { resourceVersion: list.resourceVersion, timeoutSeconds: 30 }, () => undefined, abort.signal);
    await eventually(() => f.server.counters.requests("GET", /watch=true/) > watchesBefore, 5000, "watch open");
    f.server.faults.dropWatches();
    const end = await ended;
    assert.equal(end.gone, false);
    f.server.faults.cutWatchesAfter(1);
    try {
      const seen: string[] = [];
      const rv = (await f.kube.list(SECRETS, "demo")).resourceVersion;
      const cutWatchesBefore = f.server.counters.requests("GET", /watch=true/);
      const cut = f.kube.watch(SECRETS, "demo", { resourceVersion: rv, timeoutSeconds: 10 }, (e) => seen.push(e.type), abort.signal);
      await eventually(() => f.server.counters.requests("GET", /watch=true/) > cutWatchesBefore, 5000, "watch open");
      await f.kube.create(SECRETS, { metadata: { name: "cut1", namespace: "demo" } });
      await f.kube.create(SECRETS, { metadata: { name: "cut2", namespace: "demo" } });
      const cutEnd = await cut;
      assert.equal(cutEnd.gone, false);
      assert.ok(seen.length >= 1);
    } finally {
      f.server.faults.clear();
    }
  });

  test("server errors map to KubeApiError with status and reason", async () => {
    f.server.faults.failRate("/api/v1/namespaces/demo/secrets/err1", 503, 1);
    await assert.rejects(f.kube.get(SECRETS, "demo", "err1"), (err: unknown) => err instanceof KubeApiError && err.status === 503 && /retry later/.test(err.message));
  });

  test("401 re-reads credentials once, then fails with a credentials hint and no token", async () => {
    const { writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { loadKubeConnection } = await import("../../src/kube/config.js");
    const { HttpKubeClient } = await import("../../src/kube/client.js");
    const path = join(f.dir, "bad-kubeconfig");
    await writeFile(path, f.server.kubeconfig({ token: "CANARY-wrong-token" }));
    const conn = await loadKubeConnection({ kubeconfig: path, env: {} });
    try {
      const bad = new HttpKubeClient(conn);
      f.server.counters.reset();
      await assert.rejects(bad.get(SECRETS, "demo", "x"), (err: unknown) => {
        assert.ok(err instanceof KubeApiError);
        assert.equal(err.status, 401);
        assert.match(err.message, /check the credentials/);
        assert.doesNotMatch(err.message, /CANARY/);
        return true;
      });
      assert.equal(f.server.counters.requests("GET"), 2, "one retry after re-reading credentials");
    } finally {
      conn.agent.destroy();
    }
  });
});
