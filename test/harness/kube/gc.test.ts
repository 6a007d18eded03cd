// Conformance: finalizers, deletion propagation (garbage collection) and namespace termination.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

const MERGE = { "Content-Type": "application/merge-patch+json" };

describe("deletion, finalizers and garbage collection", () => {
  let server: KubeTestServer;
  let t: Target;
  const ns = "/api/v1/namespaces/gc";

  async function owner(name: string): Promise<{ uid: string }> {
    const r = await send(t, "POST", `${ns}/configmaps`, { metadata: { name } });
    return { uid: r.json.metadata.uid as string };
  }
  async function dependent(name: string, owners: { name: string; uid: string }[]): Promise<void> {
    const refs = owners.map((o) => ({ apiVersion: "v1", kind: "ConfigMap", name: o.name, uid: o.uid }));
    const r = await send(t, "POST", `${ns}/secrets`, { metadata: { name, ownerReferences: refs } });
    assert.equal(r.status, 201);
  }
  const exists = async (kind: string, name: string): Promise<boolean> => (await send(t, "GET", `${ns}/${kind}/${name}`)).status === 200;

  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "gc" } });
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/
  test("an object with finalizers gets deletionTimestamp (200 with the object) and goes once the last finalizer is removed", async () => {
    await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "fin", finalizers: ["example.test/keep"] } });
    const d = await send(t, "DELETE", `${ns}/configmaps/fin`);
    assert.equal(d.status, 200);
    assert.match(d.json.metadata.deletionTimestamp, /Z$/);
    const still = await send(t, "GET", `${ns}/configmaps/fin`);
    assert.equal(still.status, 200);
    const add = await send(t, "PATCH", `${ns}/configmaps/fin`, { metadata: { finalizers: ["example.test/keep", "other"] } }, MERGE);
    assert.equal(add.status, 422, "no new finalizers once deleting");
    const rm = await send(t, "PATCH", `${ns}/configmaps/fin`, { metadata: { finalizers: null } }, MERGE);
    assert.equal(rm.status, 200);
    assert.equal(await exists("configmaps", "fin"), false);
    await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "fin2", finalizers: ["example.test/keep"] } });
    const accepted = await send(t, "DELETE", `${ns}/configmaps/fin2`, { orphanDependents: false });
    assert.equal(accepted.status, 202, "202 only for a delayed delete with orphanDependents=false (handlers/delete.go)");
    await send(t, "PATCH", `${ns}/configmaps/fin2`, { metadata: { finalizers: null } }, MERGE);
  });

  // https://kubernetes.io/docs/concepts/architecture/garbage-collection/#background-deletion
  test("background deletion: dependents whose owners are all gone are collected; others lose the dangling reference", async () => {
    const a = await owner("owner-a");
    const b = await owner("owner-b");
    await dependent("only-a", [{ name: "owner-a", ...a }]);
    await dependent("a-and-b", [{ name: "owner-a", ...a }, { name: "owner-b", ...b }]);
    await dependent("unrelated", []);
    await send(t, "DELETE", `${ns}/configmaps/owner-a`, { propagationPolicy: "Background" });
    await server.gcIdle();
    assert.equal(await exists("secrets", "only-a"), false);
    const both = await send(t, "GET", `${ns}/secrets/a-and-b`);
    assert.deepEqual(both.json.metadata.ownerReferences.map((r: { name: string }) => r.name), ["owner-b"]);
    assert.equal(await exists("secrets", "unrelated"), true);
  });

  // https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion
  test("foreground deletion: the owner waits with the foregroundDeletion finalizer until dependents are gone", async () => {
    const o = await owner("fg");
    await dependent("fg-dep", [{ name: "fg", ...o }]);
    const d = await send(t, "DELETE", `${ns}/configmaps/fg`, { propagationPolicy: "Foreground" });
    assert.equal(d.status, 200);
    assert.deepEqual(d.json.metadata.finalizers, ["foregroundDeletion"]);
    await server.gcIdle();
    assert.equal(await exists("secrets", "fg-dep"), false);
    assert.equal(await exists("configmaps", "fg"), false);
  });

  // https://kubernetes.io/docs/concepts/architecture/garbage-collection/#orphaned-dependents
  test("orphan deletion: dependents stay without the owner reference", async () => {
    const o = await owner("orph");
    await dependent("orph-dep", [{ name: "orph", ...o }]);
    await send(t, "DELETE", `${ns}/configmaps/orph`, { propagationPolicy: "Orphan" });
    await server.gcIdle();
    assert.equal(await exists("configmaps", "orph"), false);
    const dep = await send(t, "GET", `${ns}/secrets/orph-dep`);
    assert.equal(dep.status, 200);
    assert.equal(dep.json.metadata.ownerReferences, undefined);
  });

  // https://kubernetes.io/docs/tasks/administer-cluster/namespaces/#deleting-a-namespace
  test("deleting a namespace marks it Terminating, refuses new content, deletes its objects, then goes", async () => {
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "doomed" } });
    await send(t, "POST", "/api/v1/namespaces/doomed/secrets", { metadata: { name: "s" } });
    await send(t, "POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "held", finalizers: ["example.test/hold"] } });
    const d = await send(t, "DELETE", "/api/v1/namespaces/doomed");
    assert.equal(d.status, 200);
    assert.equal(d.json.status.phase, "Terminating");
    const refused = await send(t, "POST", "/api/v1/namespaces/doomed/secrets", { metadata: { name: "late" } });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.message, 'secrets "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    await server.gcIdle();
    assert.equal((await send(t, "GET", "/api/v1/namespaces/doomed/secrets/s")).status, 404);
    assert.equal((await send(t, "GET", "/api/v1/namespaces/doomed")).status, 200, "held by a finalizer on its content");
    await send(t, "PATCH", "/api/v1/namespaces/doomed/configmaps/held", { metadata: { finalizers: null } }, MERGE);
    await server.gcIdle();
    assert.equal((await send(t, "GET", "/api/v1/namespaces/doomed")).status, 404);
  });

  // Scale: collection uses owner/uid/namespace indexes, not scans (10,000-object budget, checked at 1,500).
  test("1,500 dependents of one owner and a namespace of 1,500 objects are collected quickly", async () => {
    await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "many" } });
    const o = await send(t, "POST", "/api/v1/namespaces/many/configmaps", { metadata: { name: "boss" } });
    const ref = [{ apiVersion: "v1", kind: "ConfigMap", name: "boss", uid: o.json.metadata.uid }];
    for (let i = 0; i < 1500; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => send(t, "POST", "/api/v1/namespaces/many/secrets", { metadata: { name: `d${i + j}`, ownerReferences: ref } })));
    }
    const started = performance.now();
    await send(t, "DELETE", "/api/v1/namespaces/many/configmaps/boss");
    await server.gcIdle();
    assert.equal(server.objects("secrets", "many").length, 0);
    for (let i = 0; i < 1500; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => send(t, "POST", "/api/v1/namespaces/many/configmaps", { metadata: { name: `c${i + j}` } })));
    }
    await send(t, "DELETE", "/api/v1/namespaces/many");
    await server.gcIdle();
    assert.equal((await send(t, "GET", "/api/v1/namespaces/many")).status, 404);
    assert.ok(performance.now() - started < 8000, `took ${performance.now() - started} ms`);
  });
});
