// Conformance: CustomResourceDefinitions and custom resources on the Kubernetes test server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { openWatch, send, type Target } from "./test-client.js";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const MERGE = { "Content-Type": "application/merge-patch+json" };

function widgetCrd(): Record<string, unknown> {
  const schema = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        required: ["size"],
        properties: {
          size: { type: "integer", minimum: 1, maximum: 10 },
          color: { type: "string", enum: ["red", "blue"], default: "red" },
          tags: { type: "array", items: { type: "string" } },
          labels: { type: "object", additionalProperties: { type: "string" } },
          free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        },
      },
      status: { type: "object", properties: { phase: { type: "string" }, conditions: { type: "array", items: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } } },
    },
  };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.test" },
    spec: {
      group: "example.test",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
      versions: [
        { name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: schema } },
        { name: "v1beta1", served: true, storage: false, subresources: { status: {} }, schema: { openAPIV3Schema: schema } },
      ],
    },
  };
}

describe("CustomResourceDefinitions", () => {
  let server: KubeTestServer;
  let t: Target;
  const W = "/apis/example.test/v1/namespaces/default/widgets";

  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    const r = await send(t, "POST", CRDS, widgetCrd());
    assert.equal(r.status, 201);
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#create-a-customresourcedefinition
  test("a created CRD becomes NamesAccepted and Established and its group/version is discoverable", async () => {
    const crd = (await send(t, "GET", `${CRDS}/widgets.example.test`)).json;
    const conds = Object.fromEntries((crd.status.conditions as { type: string; status: string }[]).map((c) => [c.type, c.status]));
    assert.deepEqual(conds, { NamesAccepted: "True", Established: "True" });
    assert.deepEqual(crd.status.storedVersions, ["v1"]);
    assert.equal(crd.status.acceptedNames.kind, "Widget");
    const disc = await send(t, "GET", "/apis/example.test/v1");
    assert.equal(disc.status, 200);
    assert.ok(JSON.stringify(disc.json).includes('"widgets"'));
    const empty = await send(t, "GET", W);
    assert.equal(empty.json.kind, "WidgetList");
    assert.equal(empty.json.apiVersion, "example.test/v1");
  });

  // As kube-apiserver 1.37.2 answered (probed through the real tier): the create's answer has
  // `conditions: null` and empty acceptedNames; ~30 ms later a GET shows both conditions True.
  test("a new CRD is created unestablished and established a moment later, seen as ADDED then MODIFIED", async () => {
    const w = openWatch(t, `${CRDS}?watch=true&resourceVersion=${server.resourceVersion()}`);
    try {
      assert.equal(await w.status, 200);
      const crd = widgetCrd() as { metadata: { name: string }; spec: { names: Record<string, unknown> } };
      crd.metadata.name = "gadgets.example.test";
      crd.spec.names = { plural: "gadgets", singular: "gadget", kind: "Gadget" };
      const created = await send(t, "POST", CRDS, crd);
      assert.equal(created.status, 201);
      assert.deepEqual(created.json.status, { conditions: null, acceptedNames: { plural: "", kind: "" }, storedVersions: ["v1"] });
      await w.waitFor(2);
      assert.deepEqual(w.events.map((e) => [e.type, (e.object.status.conditions as { type: string }[] | null)?.map((c) => c.type) ?? null]), [
        ["ADDED", null],
        ["MODIFIED", ["NamesAccepted", "Established"]],
      ]);
      assert.equal(w.events[1]?.object.status.acceptedNames.kind, "Gadget");
      assert.equal((await send(t, "GET", "/apis/example.test/v1/namespaces/default/gadgets")).status, 200);
    } finally {
      w.close();
      await send(t, "DELETE", `${CRDS}/gadgets.example.test`);
    }
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
  test("schema validation answers 422 with field causes (type, enum, required, maximum)", async () => {
    const r = await send(t, "POST", W, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "bad" }, spec: { size: "big", color: "green" } });
    assert.equal(r.status, 422);
    assert.equal(r.json.details.kind, "Widget");
    assert.equal(r.json.details.group, "example.test");
    const fields = (r.json.details.causes as { field: string; reason: string }[]).map((c) => `${c.field}:${c.reason}`).sort();
    assert.deepEqual(fields, ["spec.color:FieldValueNotSupported", "spec.size:FieldValueTypeInvalid"]);
    assert.match(r.json.message, /^Widget\.example\.test "bad" is invalid: \[/);
    const noSize = await send(t, "POST", W, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "bad" }, spec: {} });
    assert.equal(noSize.status, 422);
    assert.equal(noSize.json.message, 'Widget.example.test "bad" is invalid: spec.size: Required value');
    const tooBig = await send(t, "POST", W, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "bad" }, spec: { size: 11 } });
    assert.equal(tooBig.json.details.causes[0].message, "Invalid value: 11: spec.size in body should be less than or equal to 10");
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting
  test("unknown fields are pruned (kept under preserve-unknown-fields), defaults applied; Strict rejects them", async () => {
    const r = await send(t, "POST", W, {
      apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "pruned" },
      spec: { size: 2, bogus: 1, free: { any: { thing: true } }, labels: { a: "b" } }, extra: "x",
    });
    assert.equal(r.status, 201);
    assert.deepEqual(r.json.spec, { size: 2, free: { any: { thing: true } }, labels: { a: "b" }, color: "red" });
    assert.equal(r.json.extra, undefined);
    assert.match(String(r.headers["warning"]), /unknown field \\"spec\.bogus\\"/);
    const strict = await send(t, "POST", `${W}?fieldValidation=Strict`, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "strict" }, spec: { size: 2, bogus: 1 } });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.bogus"');
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
  // ("metadata" at the root may only restrict name/generateName; the apiserver never prunes ObjectMeta).
  // sealed-secrets' own CRD declares `metadata: {type: object}`.
  test("a schema declaring root metadata as a bare object keeps the object's name, namespace and labels", async () => {
    const crd = widgetCrd() as { metadata: { name: string }; spec: { names: Record<string, unknown>; versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, unknown> } } }> } };
    crd.metadata.name = "gadgets.example.test";
    crd.spec.names = { plural: "gadgets", singular: "gadget", kind: "Gadget" };
    for (const v of crd.spec.versions) v.schema.openAPIV3Schema.properties["metadata"] = { type: "object" };
    assert.equal((await send(t, "POST", CRDS, crd)).status, 201);
    const r = await send(t, "POST", "/apis/example.test/v1/namespaces/default/gadgets?fieldValidation=Strict", {
      apiVersion: "example.test/v1", kind: "Gadget", metadata: { name: "g1", labels: { a: "b" } }, spec: { size: 1 },
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.metadata.name, "g1");
    assert.equal(r.json.metadata.namespace, "default");
    assert.deepEqual(r.json.metadata.labels, { a: "b" });
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#status-subresource
  test("status subresource: the main resource ignores status, /status ignores spec, generation follows spec only", async () => {
    const c = await send(t, "POST", W, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 1 }, status: { phase: "ignored" } });
    assert.equal(c.json.metadata.generation, 1);
    assert.equal(c.json.status, undefined, "status is dropped on create");
    const s = await send(t, "PATCH", `${W}/w/status`, { spec: { size: 5 }, status: { phase: "Ready" } }, MERGE);
    assert.equal(s.status, 200);
    assert.equal(s.json.status.phase, "Ready");
    assert.equal(s.json.spec.size, 1);
    assert.equal(s.json.metadata.generation, 1);
    const m = await send(t, "PATCH", `${W}/w`, { spec: { size: 3 }, status: { phase: "Nope" } }, MERGE);
    assert.equal(m.json.spec.size, 3);
    assert.equal(m.json.status.phase, "Ready");
    assert.equal(m.json.metadata.generation, 2);
    const meta = await send(t, "PATCH", `${W}/w`, { metadata: { annotations: { a: "b" } } }, MERGE);
    assert.equal(meta.json.metadata.generation, 2);
    const got = await send(t, "GET", `${W}/w/status`);
    assert.equal(got.json.status.phase, "Ready");
    const noRv = await send(t, "PUT", `${W}/w`, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 4 } });
    assert.equal(noRv.status, 422, "custom resources need metadata.resourceVersion on update");
    assert.match(noRv.json.message, /metadata\.resourceVersion: Invalid value: 0x0: must be specified for an update/);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/
  test("every served version reads the same stored object with its own apiVersion; DELETE returns the object", async () => {
    await send(t, "POST", W, { apiVersion: "example.test/v1", kind: "Widget", metadata: { name: "mv" }, spec: { size: 1 } });
    const beta = await send(t, "GET", "/apis/example.test/v1beta1/namespaces/default/widgets/mv");
    assert.equal(beta.status, 200);
    assert.equal(beta.json.apiVersion, "example.test/v1beta1");
    const del = await send(t, "DELETE", `${W}/mv`);
    assert.equal(del.status, 200);
    assert.equal(del.json.kind, "Widget");
    assert.equal(del.json.metadata.name, "mv");
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#delete-a-customresourcedefinition
  test("deleting a CRD deletes its objects (watchers see DELETED) and stops serving it", async () => {
    const crd2 = widgetCrd() as { metadata: { name: string }; spec: { group: string; names: Record<string, unknown>; scope: string } };
    crd2.metadata.name = "gizmos.example.test";
    crd2.spec.names = { plural: "gizmos", kind: "Gizmo" };
    crd2.spec.scope = "Cluster";
    assert.equal((await send(t, "POST", CRDS, crd2)).status, 201);
    const G = "/apis/example.test/v1/gizmos";
    const g = await send(t, "POST", G, { apiVersion: "example.test/v1", kind: "Gizmo", metadata: { name: "g1", namespace: "ignored" }, spec: { size: 1 } });
    assert.equal(g.status, 201);
    assert.equal(g.json.metadata.namespace, undefined, "cluster-scoped objects have no namespace");
    const w = openWatch(t, `${G}?watch=true&resourceVersion=${server.resourceVersion()}`);
    await w.status;
    assert.equal((await send(t, "DELETE", `${CRDS}/gizmos.example.test`)).status, 200);
    await w.waitFor(1);
    assert.equal(w.events[0]?.type, "DELETED");
    w.close();
    assert.equal((await send(t, "GET", G)).status, 404);
    assert.equal((await send(t, "GET", "/apis/example.test/v1")).json.resources.some((r: { name: string }) => r.name === "gizmos"), false);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/ (naming rules)
  test("an invalid CRD is 422: name must be plural.group, scope and storage version checked (and, as on kube-apiserver, the empty storedVersions)", async () => {
    const bad = widgetCrd() as { metadata: { name: string }; spec: { scope: string; versions: { storage: boolean }[] } };
    bad.metadata.name = "wrong.example.test";
    bad.spec.scope = "Galaxy";
    for (const v of bad.spec.versions) v.storage = false;
    const r = await send(t, "POST", CRDS, bad);
    assert.equal(r.status, 422);
    const fields = (r.json.details.causes as { field: string }[]).map((c) => c.field).sort();
    assert.deepEqual(fields, ["metadata.name", "spec.scope", "spec.versions", "status.storedVersions"]);
    assert.equal(r.json.details.kind, "CustomResourceDefinition");
  });
});
