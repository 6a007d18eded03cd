// Conformance: the three patch formats, as pure functions and over HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from "./patch.js";
import { send, type Target } from "./test-client.js";

// RFC 7386 section 3 / Appendix A examples.
describe("JSON merge patch (RFC 7386)", () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) {
    test(`${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => assert.deepEqual(mergePatch(target, patch), want));
  }
});

// RFC 6902 section 4 and Appendix A.
describe("JSON patch (RFC 6902)", () => {
  test("add, remove, replace, move, copy, test, escaped pointers and '-'", () => {
    const doc = { a: { b: [1, 2] }, "x/y": 1, "m~n": 2 };
    const out = jsonPatch(doc, [
      { op: "add", path: "/a/b/-", value: 3 },
      { op: "add", path: "/a/b/0", value: 0 },
      { op: "remove", path: "/x~1y" },
      { op: "replace", path: "/m~0n", value: 5 },
      { op: "copy", from: "/a/b", path: "/c" },
      { op: "move", from: "/c", path: "/d" },
      { op: "test", path: "/d/3", value: 3 },
    ]);
    assert.deepEqual(out, { a: { b: [0, 1, 2, 3] }, "m~n": 5, d: [0, 1, 2, 3] });
    assert.deepEqual(doc, { a: { b: [1, 2] }, "x/y": 1, "m~n": 2 }, "input untouched");
  });
  test("a failing test op, a missing path and an unknown op throw PatchError", () => {
    assert.throws(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]), PatchError);
    assert.throws(() => jsonPatch({ a: 1 }, [{ op: "remove", path: "/b" }]), PatchError);
    assert.throws(() => jsonPatch({ a: 1 }, [{ op: "replace", path: "/b/c", value: 1 }]), PatchError);
    assert.throws(() => jsonPatch({ a: 1 }, [{ op: "frob", path: "/a" }]), PatchError);
    assert.throws(() => jsonPatch({ a: 1 }, { op: "add" }), PatchError);
  });
});

// https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
describe("strategic merge patch", () => {
  const deploy = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: "app", image: "app:1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], ports: [{ containerPort: 80 }] },
            { name: "side", image: "side:1" },
          ],
          volumes: [{ name: "v1", emptyDir: {} }],
        },
      },
    },
    metadata: { finalizers: ["a"] },
  };
  test("lists with a merge key merge item by item; other fields merge like a merge patch", () => {
    const out = strategicMergePatch(deploy, {
      spec: { template: { spec: { containers: [{ name: "app", image: "app:2", env: [{ name: "B", value: "3" }, { name: "C", value: "4" }] }] } } },
    }) as typeof deploy;
    const app = out.spec.template.spec.containers[0];
    assert.equal(app?.image, "app:2");
    assert.deepEqual(app?.env, [{ name: "A", value: "1" }, { name: "B", value: "3" }, { name: "C", value: "4" }]);
    assert.deepEqual(app?.ports, [{ containerPort: 80 }]);
    assert.equal(out.spec.template.spec.containers[1]?.name, "side");
  });
  test("$patch: delete removes a list item; $patch: replace replaces a list or map; primitive merge lists union", () => {
    const del = strategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: "side", $patch: "delete" }] } } } }) as typeof deploy;
    assert.deepEqual(del.spec.template.spec.containers.map((c) => c.name), ["app"]);
    const rep = strategicMergePatch(deploy, { spec: { template: { spec: { volumes: [{ name: "v2" }, { $patch: "replace" }] } } } }) as typeof deploy;
    assert.deepEqual(rep.spec.template.spec.volumes, [{ name: "v2" }]);
    const repMap = strategicMergePatch({ a: { x: 1, y: 2 } }, { a: { $patch: "replace", z: 3 } });
    assert.deepEqual(repMap, { a: { z: 3 } });
    const fin = strategicMergePatch(deploy, { metadata: { finalizers: ["b", "a"] } }) as typeof deploy;
    assert.deepEqual(fin.metadata.finalizers, ["a", "b"]);
    const drop = strategicMergePatch(deploy, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } }) as typeof deploy;
    assert.deepEqual(drop.metadata.finalizers, []);
    const nulled = strategicMergePatch({ a: 1, b: 2 }, { a: null, "$setElementOrder/x": [] });
    assert.deepEqual(nulled, { b: 2 });
  });
  test("with a patch-metadata lookup, lists without patchStrategy merge are replaced and $retainKeys clears other keys", () => {
    const lookup = (path: readonly string[]) => (path.join(".") === "spec.items" ? { mergeKey: "id", strategy: "merge" } : path.join(".") === "spec.strategy" ? { strategy: "retainKeys" } : {});
    const base = { spec: { items: [{ id: 1, v: "a" }], tags: ["x"], strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } };
    const out = strategicMergePatch(base, { spec: { items: [{ id: 2, v: "b" }], tags: ["y"], strategy: { $retainKeys: ["type"], type: "Recreate" } } }, lookup);
    assert.deepEqual(out, { spec: { items: [{ id: 1, v: "a" }, { id: 2, v: "b" }], tags: ["y"], strategy: { type: "Recreate" } } });
  });
});

describe("PATCH over HTTP", () => {
  let server: KubeTestServer;
  let t: Target;
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    await send(t, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      metadata: { name: "widgets.example.test" },
      spec: {
        group: "example.test", scope: "Namespaced", names: { plural: "widgets", kind: "Widget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    });
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
  test("strategic merge patch merges containers by name on a Deployment", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    await send(t, "POST", path, { metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "a", image: "a:1" }, { name: "b", image: "b:1" }] } } } });
    const r = await send(t, "PATCH", `${path}/d`, { spec: { template: { spec: { containers: [{ name: "b", image: "b:2" }] } } } }, { "Content-Type": "application/strategic-merge-patch+json" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.spec.template.spec.containers, [{ name: "a", image: "a:1" }, { name: "b", image: "b:2" }]);
    assert.equal(r.json.metadata.generation, 2);
  });

  // The merge key comes from the kind's patch metadata (k8s.io/api struct tags, served as
  // x-kubernetes-patch-merge-key in /openapi/v3), not the field name: core/v1 types.go has
  // `ImagePullSecrets []LocalObjectReference` with no patchStrategy on ServiceAccount (atomic) but
  // `patchStrategy:"merge" patchMergeKey:"name"` on PodSpec.
  test("strategic merge patch uses per-kind patch metadata: ServiceAccount.imagePullSecrets is replaced, PodSpec's merged", async () => {
    const sa = "/api/v1/namespaces/default/serviceaccounts";
    await send(t, "POST", sa, { metadata: { name: "puller" }, imagePullSecrets: [{ name: "reg" }] });
    const smp = { "Content-Type": "application/strategic-merge-patch+json" };
    const r = await send(t, "PATCH", `${sa}/puller`, { imagePullSecrets: [{ name: "reg2" }] }, smp);
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.imagePullSecrets, [{ name: "reg2" }]);
    const pods = "/api/v1/namespaces/default/pods";
    await send(t, "POST", pods, { metadata: { name: "p" }, spec: { imagePullSecrets: [{ name: "reg" }], containers: [{ name: "c", image: "i", ports: [{ containerPort: 80, name: "http" }], env: [{ name: "A", value: "1" }] }] } });
    const p = await send(t, "PATCH", `${pods}/p`, {
      spec: { imagePullSecrets: [{ name: "reg2" }], containers: [{ name: "c", ports: [{ containerPort: 81 }], env: [{ name: "B", value: "2" }] }] },
    }, smp);
    assert.equal(p.status, 200);
    assert.deepEqual(p.json.spec.imagePullSecrets, [{ name: "reg" }, { name: "reg2" }]);
    assert.deepEqual(p.json.spec.containers[0].ports, [{ containerPort: 80, name: "http" }, { containerPort: 81 }], "ports merge by containerPort");
    assert.deepEqual(p.json.spec.containers[0].env, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
    // Lists without patchStrategy are replaced whole: PodSpec.tolerations is atomic.
    const tol = await send(t, "PATCH", `${pods}/p`, { spec: { tolerations: [{ key: "k", operator: "Exists" }] } }, smp);
    const tol2 = await send(t, "PATCH", `${pods}/p`, { spec: { tolerations: [{ key: "k2", operator: "Exists" }] } }, smp);
    assert.equal(tol.status, 200);
    assert.deepEqual(tol2.json.spec.tolerations, [{ key: "k2", operator: "Exists" }], "PodSpec.tolerations is atomic");
    // A merged list item without its merge key: mergepatch.ErrNoMergeKey is no API Status, so the
    // server answers 500 with no reason (kubectl: "Error from server: map: map[image:x] does not
    // contain declared merge key: name", as quoted in kubernetes/kubernetes#57834 and #141112).
    const bad = await send(t, "PATCH", `${pods}/p`, { spec: { containers: [{ image: "x", ports: [{ containerPort: 1 }] }] } }, smp);
    assert.equal(bad.status, 500);
    assert.equal(bad.json.reason, undefined);
    assert.equal(bad.json.message, "map: map[image:x ports:[map[containerPort:1]]] does not contain declared merge key: name");
  });

  // https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/#use-a-json-merge-patch-to-update-a-deployment
  test("merge patch with null removes a label; JSON patch test failure is 422; a stale resourceVersion in a patch is 409", async () => {
    const c = await send(t, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "p", labels: { a: "1", b: "2" } }, data: { k: "v" } });
    const m = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/p", { metadata: { labels: { a: null } } }, { "Content-Type": "application/merge-patch+json" });
    assert.deepEqual(m.json.metadata.labels, { b: "2" });
    const j = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/p", [{ op: "replace", path: "/data/k", value: "w" }], { "Content-Type": "application/json-patch+json" });
    assert.equal(j.json.data.k, "w");
    const jt = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/p", [{ op: "test", path: "/data/k", value: "nope" }], { "Content-Type": "application/json-patch+json" });
    assert.equal(jt.status, 422);
    const stale = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/p", { metadata: { resourceVersion: c.json.metadata.resourceVersion }, data: { k: "x" } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(stale.status, 409);
    const missing = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/none", {}, { "Content-Type": "application/merge-patch+json" });
    assert.equal(missing.status, 404);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#advanced-topics
  // (custom resources support no strategic merge patch); body per kubectl-requests.md §5.
  test("strategic merge patch on a custom resource is 415 UnsupportedMediaType", async () => {
    await send(t, "POST", "/apis/example.test/v1/namespaces/default/widgets", { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 1 } });
    const r = await send(t, "PATCH", "/apis/example.test/v1/namespaces/default/widgets/w", { spec: { size: 2 } }, { "Content-Type": "application/strategic-merge-patch+json" });
    assert.equal(r.status, 415);
    assert.equal(r.json.reason, "UnsupportedMediaType");
    // The server sends only the negotiation error; kubectl prefixes "<type> is not supported by <gvk>: ".
    assert.equal(r.json.message, "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
  });
});
