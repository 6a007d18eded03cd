// Conformance: list (selectors, pagination) and watch streams of the Kubernetes test server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { openWatch, send, type Target } from "./test-client.js";

const names = (list: { items: { metadata: { name: string } }[] }): string[] => list.items.map((i) => i.metadata.name);

describe("list and watch", () => {
  let server: KubeTestServer;
  let t: Target;
  const ns = "/api/v1/namespaces/lw";

  before(async () => {
    server = await startKubeServer({ watchWindow: 50, bookmarkIntervalMs: 50 });
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "lw" } });
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "other" } });
    const labels: Record<string, Record<string, string>> = {
      a: { app: "web", tier: "front" },
      b: { app: "web", tier: "back" },
      c: { app: "db" },
      d: {},
    };
    for (const [name, l] of Object.entries(labels)) {
      await send(t, "POST", `${ns}/secrets`, { metadata: { name, labels: l }, type: name === "c" ? "kubernetes.io/basic-auth" : "Opaque", ...(name === "c" ? { stringData: { username: "u" } } : {}) });
    }
    await send(t, "POST", "/api/v1/namespaces/other/secrets", { metadata: { name: "z", labels: { app: "web" } } });
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
  test("labelSelector: equality, inequality, set-based, exists and !exists", async () => {
    const q = async (sel: string): Promise<string[]> => names((await send(t, "GET", `${ns}/secrets?labelSelector=${encodeURIComponent(sel)}`)).json);
    assert.deepEqual(await q("app=web"), ["a", "b"]);
    assert.deepEqual(await q("app==web,tier!=front"), ["b"]);
    assert.deepEqual(await q("app in (web, db)"), ["a", "b", "c"]);
    assert.deepEqual(await q("app notin (web)"), ["c", "d"]);
    assert.deepEqual(await q("tier"), ["a", "b"]);
    assert.deepEqual(await q("!tier"), ["c", "d"]);
    const bad = await send(t, "GET", `${ns}/secrets?labelSelector=${encodeURIComponent("a in b")}`);
    assert.equal(bad.status, 400);
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
  test("fieldSelector: metadata.name, metadata.namespace, Secret type; unknown fields are 400", async () => {
    const q = async (path: string, sel: string) => send(t, "GET", `${path}?fieldSelector=${encodeURIComponent(sel)}`);
    assert.deepEqual(names((await q(`${ns}/secrets`, "metadata.name=b")).json), ["b"]);
    assert.deepEqual(names((await q(`${ns}/secrets`, "type=kubernetes.io/basic-auth")).json), ["c"]);
    assert.deepEqual(names((await q("/api/v1/secrets", "metadata.namespace=other")).json), ["z"]);
    assert.deepEqual(names((await q(`${ns}/secrets`, "metadata.name!=a,type=Opaque")).json), ["b", "d"]);
    const bad = await q(`${ns}/secrets`, "spec.foo=x");
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, "BadRequest");
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks
  test("limit/continue pages through a list in key order with remainingItemCount", async () => {
    const p1 = (await send(t, "GET", `${ns}/secrets?limit=3`)).json;
    assert.deepEqual(names(p1), ["a", "b", "c"]);
    assert.equal(p1.metadata.remainingItemCount, 1);
    assert.ok(p1.metadata.continue);
    const p2 = (await send(t, "GET", `${ns}/secrets?limit=3&continue=${encodeURIComponent(p1.metadata.continue)}`)).json;
    assert.deepEqual(names(p2), ["d"]);
    assert.equal(p2.metadata.continue, undefined);
    assert.equal(p1.kind, "SecretList");
    assert.match(p1.metadata.resourceVersion, /^\d+$/);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
  test("watch without resourceVersion sends synthetic ADDED for the current state, then live events", async () => {
    const w = openWatch(t, `${ns}/secrets?watch=true&labelSelector=app%3Dweb`);
    await w.waitFor(2);
    assert.deepEqual(w.events.map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:a", "ADDED:b"]);
    assert.equal(w.events[0]?.object.kind, "Secret");
    await send(t, "PATCH", `${ns}/secrets/c`, { metadata: { labels: { app: "web" } } }, { "Content-Type": "application/merge-patch+json" });
    await send(t, "PATCH", `${ns}/secrets/a`, { metadata: { labels: { app: "gone" } } }, { "Content-Type": "application/merge-patch+json" });
    await send(t, "PATCH", `${ns}/secrets/b`, { metadata: { annotations: { x: "1" } } }, { "Content-Type": "application/merge-patch+json" });
    await w.waitFor(5);
    // Objects entering/leaving the selector are ADDED/DELETED (watch cache semantics).
    assert.deepEqual(w.events.slice(2).map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:c", "DELETED:a", "MODIFIED:b"]);
    w.close();
    await send(t, "PATCH", `${ns}/secrets/a`, { metadata: { labels: { app: "web" } } }, { "Content-Type": "application/merge-patch+json" });
    await send(t, "PATCH", `${ns}/secrets/c`, { metadata: { labels: { app: "db" } } }, { "Content-Type": "application/merge-patch+json" });
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#watch-bookmarks
  test("watch from a list resourceVersion resumes exactly after it and sends BOOKMARKs when allowed", async () => {
    const list = (await send(t, "GET", `${ns}/configmaps`)).json;
    await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "m1" } });
    await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "m2" } });
    const w = openWatch(t, `${ns}/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`);
    await w.waitFor(3);
    assert.deepEqual(w.events.slice(0, 2).map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:m1", "ADDED:m2"]);
    const bm = w.events.find((e) => e.type === "BOOKMARK");
    assert.ok(bm);
    assert.equal(bm.object.kind, "ConfigMap");
    assert.ok(Number(bm.object.metadata.resourceVersion) >= Number(w.events[1]?.object.metadata.resourceVersion));
    w.close();
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#410-gone-responses
  test("watch from a resourceVersion older than the window gets one ERROR event with a 410 Expired Status", async () => {
    const old = (await send(t, "GET", `${ns}/configmaps`)).json.metadata.resourceVersion;
    for (let i = 0; i < 60; i++) await send(t, "POST", `${ns}/configmaps`, { metadata: { name: `x${i}` } });
    const w = openWatch(t, `${ns}/configmaps?watch=true&resourceVersion=${old}`);
    assert.equal(await w.status, 200);
    assert.deepEqual(await w.ended, { aborted: false });
    assert.equal(w.events.length, 1);
    assert.equal(w.events[0]?.type, "ERROR");
    assert.equal(w.events[0]?.object.code, 410);
    assert.equal(w.events[0]?.object.reason, "Expired");
    assert.match(w.events[0]?.object.message, new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`));
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes (timeoutSeconds)
  test("timeoutSeconds ends the stream cleanly; DELETED carries the deletion's resourceVersion", async () => {
    const rv = server.resourceVersion();
    const w = openWatch(t, `${ns}/secrets?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    await w.status;
    const del = await send(t, "DELETE", `${ns}/secrets/d`);
    assert.equal(del.status, 200);
    await w.waitFor(1);
    assert.equal(w.events[0]?.type, "DELETED");
    assert.equal(w.events[0]?.object.metadata.name, "d");
    assert.equal(w.events[0]?.object.metadata.resourceVersion, server.resourceVersion());
    const started = Date.now();
    assert.deepEqual(await w.ended, { aborted: false });
    assert.ok(Date.now() - started < 2000);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#single-resource-api (watch of one object via fieldSelector)
  test("a single-object watch (fieldSelector=metadata.name, resourceVersion=0) starts with its ADDED", async () => {
    const w = openWatch(t, `${ns}/secrets?watch=true&fieldSelector=metadata.name%3Db&resourceVersion=0`);
    await w.waitFor(1);
    assert.deepEqual(w.events.map((e) => `${e.type}:${e.object.metadata.name}`), ["ADDED:b"]);
    w.close();
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("Accept as=Table answers Tables for list, get and each watch event (column definitions once)", async () => {
    const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    const list = await send(t, "GET", `${ns}/secrets?limit=500`, undefined, { Accept: TABLE });
    assert.equal(list.json.kind, "Table");
    assert.match(String(list.headers["content-type"]), /as=Table/);
    assert.ok(list.json.rows.length >= 3);
    assert.equal(list.json.rows[0].object.kind, "PartialObjectMetadata");
    const one = await send(t, "GET", `${ns}/secrets/b`, undefined, { Accept: TABLE });
    assert.deepEqual(one.json.rows.map((r: { cells: unknown[] }) => r.cells[0]), ["b"]);
    const w = openWatch(t, `${ns}/secrets?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`, { Accept: TABLE });
    await w.status;
    await send(t, "POST", `${ns}/secrets`, { metadata: { name: "tbl1" } });
    await send(t, "POST", `${ns}/secrets`, { metadata: { name: "tbl2" } });
    await w.waitFor(2);
    assert.equal(w.events[0]?.object.kind, "Table");
    assert.ok(Array.isArray(w.events[0]?.object.columnDefinitions));
    assert.equal(w.events[1]?.object.columnDefinitions, null);
    assert.equal(w.events[1]?.object.rows[0].cells[0], "tbl2");
    w.close();
  });

  // Scale: "holds 10,000 objects with watches open" — checked at 2,000 objects and 20 watches.
  test("2,000 objects with 20 open watches: list is fast and every watch sees every event", async () => {
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "bulk" } });
    const watches = Array.from({ length: 20 }, () => openWatch(t, `/api/v1/namespaces/bulk/configmaps?watch=true&resourceVersion=${server.resourceVersion()}`));
    await Promise.all(watches.map((w) => w.status));
    const total = 2000;
    for (let i = 0; i < total; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => send(t, "POST", "/api/v1/namespaces/bulk/configmaps", { metadata: { name: `cm-${String(i + j).padStart(5, "0")}` }, data: { i: String(i + j) } })));
    }
    await Promise.all(watches.map((w) => w.waitFor(total, 20_000)));
    const started = performance.now();
    const list = (await send(t, "GET", "/api/v1/namespaces/bulk/configmaps")).json;
    const ms = performance.now() - started;
    assert.equal(list.items.length, total);
    assert.ok(ms < 500, `list of ${total} took ${ms} ms`);
    for (const w of watches) {
      assert.equal(w.events.length, total);
      w.close();
    }
    assert.equal(server.objects("configmaps", "bulk").length, total);
  });
});
