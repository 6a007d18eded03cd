// Conformance: object CRUD semantics and Status error bodies of the Kubernetes test server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

describe("object semantics", () => {
  let server: KubeTestServer;
  let t: Target;
  const ns = "/api/v1/namespaces/crud";

  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    assert.equal((await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "crud" } })).status, 201);
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
  // https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/
  test("create sets uid, creationTimestamp and a resourceVersion that increases across resources", async () => {
    const a = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "a" }, data: { k: "v" } });
    const b = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "b" } });
    assert.equal(a.status, 201);
    assert.match(a.json.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(a.json.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Number(b.json.metadata.resourceVersion) > Number(a.json.metadata.resourceVersion));
    assert.equal(a.json.metadata.generation, undefined, "ConfigMaps keep no generation");
    assert.equal(b.json.type, "Opaque", "Secret type defaults to Opaque");
    // https://github.com/kubernetes/kubernetes/issues/113847: a set resourceVersion fails the create with a 500.
    const withRv = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "rv", resourceVersion: "5" } });
    assert.equal(withRv.status, 500);
    assert.equal(withRv.json.message, "resourceVersion should not be set on objects to be created");
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/ (stringData is write-only)
  test("Secret stringData is folded into base64 data; invalid base64 data is a 400 BadRequest", async () => {
    const r = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "sd" }, data: { a: "YQ==" }, stringData: { b: "bee", a: "over" } });
    assert.deepEqual(r.json.data, { a: Buffer.from("over").toString("base64"), b: Buffer.from("bee").toString("base64") });
    assert.equal(r.json.stringData, undefined);
    const bad = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "bad64" }, data: { a: "not base64!" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.reason, "BadRequest");
    assert.equal(bad.json.message, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/ (Status kind; NotFound/AlreadyExists bodies as in kubectl-requests.md §6)
  test("404 and 409 AlreadyExists answer Status bodies as kube-apiserver writes them", async () => {
    const nf = await send(t, "GET", `${ns}/secrets/nosuch`);
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json, {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'secrets "nosuch" not found', reason: "NotFound",
      details: { name: "nosuch", kind: "secrets" }, code: 404,
    });
    await send(t, "POST", `${ns}/secrets`, { metadata: { name: "dup" } });
    const dup = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "dup" } });
    assert.equal(dup.status, 409);
    assert.equal(dup.json.reason, "AlreadyExists");
    assert.equal(dup.json.message, 'secrets "dup" already exists');
    const crNf = await send(t, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/none");
    assert.equal(crNf.json.message, 'clusterroles.rbac.authorization.k8s.io "none" not found');
    assert.deepEqual(crNf.json.details, { name: "none", group: "rbac.authorization.k8s.io", kind: "clusterroles" });
    const unknownPath = await send(t, "GET", "/apis/nope.example/v1/things");
    assert.equal(unknownPath.status, 404);
    assert.equal(unknownPath.json.message, "the server could not find the requested resource");
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions (optimistic concurrency)
  test("PUT with a stale resourceVersion is 409 Conflict with the real message; without one it is unconditional", async () => {
    const c = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "occ" }, data: { v: "1" } });
    const u1 = await send(t, "PUT", `${ns}/configmaps/occ`, { ...c.json, data: { v: "2" } });
    assert.equal(u1.status, 200);
    const stale = await send(t, "PUT", `${ns}/configmaps/occ`, { ...c.json, data: { v: "3" } });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, "Conflict");
    assert.equal(stale.json.message, 'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again');
    const { resourceVersion: _rv, ...meta } = u1.json.metadata as Record<string, unknown>;
    void _rv;
    const unconditional = await send(t, "PUT", `${ns}/configmaps/occ`, { ...u1.json, metadata: meta, data: { v: "4" } });
    assert.equal(unconditional.status, 200);
    assert.equal(unconditional.json.data.v, "4");
  });

  // Unchanged updates are not written (etcd3 store GuaranteedUpdate short-circuits identical bytes).
  test("an update that changes nothing keeps the resourceVersion and counts no write", async () => {
    const c = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "noop" }, data: { v: "1" } });
    server.counters.reset();
    const u = await send(t, "PUT", `${ns}/configmaps/noop`, c.json);
    assert.equal(u.json.metadata.resourceVersion, c.json.metadata.resourceVersion);
    assert.equal(server.counters.writes(), 0);
    const reordered = { data: c.json.data, kind: "ConfigMap", apiVersion: "v1", metadata: Object.fromEntries(Object.entries(c.json.metadata as object).reverse()) };
    const u2 = await send(t, "PUT", `${ns}/configmaps/noop`, reordered);
    assert.equal(u2.json.metadata.resourceVersion, c.json.metadata.resourceVersion, "key order is not a change");
    await send(t, "PUT", `${ns}/configmaps/noop`, { ...c.json, data: { v: "2" } });
    assert.equal(server.counters.writes(), 1);
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/ (generation)
  test("generation starts at 1 and is bumped by spec changes only, not by metadata", async () => {
    const d = await send(t, "POST", "/apis/apps/v1/namespaces/crud/deployments", {
      metadata: { name: "web" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    });
    assert.equal(d.json.metadata.generation, 1);
    const labelled = await send(t, "PATCH", "/apis/apps/v1/namespaces/crud/deployments/web", { metadata: { labels: { x: "y" } } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(labelled.json.metadata.generation, 1);
    const scaled = await send(t, "PATCH", "/apis/apps/v1/namespaces/crud/deployments/web", { spec: { replicas: 3 } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(scaled.json.metadata.generation, 2);
    const status = await send(t, "PATCH", "/apis/apps/v1/namespaces/crud/deployments/web/status", { status: { readyReplicas: 3 } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(status.json.metadata.generation, 2);
    assert.equal(status.json.status.readyReplicas, 3);
    const mainIgnoresStatus = await send(t, "PATCH", "/apis/apps/v1/namespaces/crud/deployments/web", { status: { readyReplicas: 9 } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(mainIgnoresStatus.json.status.readyReplicas, 3);
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
  test("invalid names are 422 Invalid with causes; missing names too; generateName makes one", async () => {
    const r = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "Bad_Name" } });
    assert.equal(r.status, 422);
    assert.equal(r.json.reason, "Invalid");
    assert.equal(r.json.details.kind, "Secret");
    assert.equal(r.json.details.name, "Bad_Name");
    assert.equal(r.json.details.causes[0].field, "metadata.name");
    assert.match(r.json.message, /^Secret "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const missing = await send(t, "POST", `${ns}/secrets`, { metadata: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.json.details.causes[0].message, "Required value: name or generateName is required");
    const gen = await send(t, "POST", `${ns}/secrets`, { metadata: { generateName: "tok-" } });
    assert.equal(gen.status, 201);
    assert.match(gen.json.metadata.name, /^tok-[a-z0-9]{5}$/);
    const badLabel = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "badlabel", labels: { "ok/key": "bad value!" } } });
    assert.equal(badLabel.status, 422);
    assert.match(badLabel.json.message, /metadata\.labels: Invalid value: "bad value!": a valid label must be an empty string/);
    const badKey = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "badkey" }, data: { "a b": "x" } });
    assert.equal(badKey.status, 422);
    assert.equal(badKey.json.details.causes[0].field, "data[a b]");
  });

  // https://kubernetes.io/docs/concepts/configuration/secret/#secret-immutable
  test("immutable Secrets reject data changes with the real Forbidden cause", async () => {
    const canary = "canary-7f3a9e";
    const c = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "frozen" }, immutable: true, stringData: { a: canary } });
    const u = await send(t, "PUT", `${ns}/secrets/frozen`, { ...c.json, stringData: { a: `${canary}-2` }, type: "kubernetes.io/tls" });
    assert.equal(u.status, 422);
    // Causes in ValidateSecretUpdate's order: type, immutable data, then ValidateSecret.
    assert.equal(u.json.message, 'Secret "frozen" is invalid: [type: Invalid value: "kubernetes.io/tls": field is immutable, data: Forbidden: field is immutable when `immutable` is set, data[tls.crt]: Required value, data[tls.key]: Required value]');
    assert.ok(!u.text.includes(canary) && !u.text.includes(Buffer.from(canary).toString("base64")), "no secret value in the error");
    const d = await send(t, "PUT", `${ns}/secrets/frozen`, { ...c.json, data: { a: "Yg==" } });
    assert.equal(d.json.message, 'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#dry-run
  test("dryRun=All validates and answers but stores nothing", async () => {
    const before = server.resourceVersion();
    const r = await send(t, "POST", `${ns}/secrets?dryRun=All`, { metadata: { name: "dry" } });
    assert.equal(r.status, 201);
    assert.equal(r.json.metadata.name, "dry");
    assert.equal(server.resourceVersion(), before);
    assert.equal((await send(t, "GET", `${ns}/secrets/dry`)).status, 404);
    const bad = await send(t, "POST", `${ns}/secrets?dryRun=Maybe`, { metadata: { name: "dry" } });
    assert.equal(bad.status, 400);
    await send(t, "POST", `${ns}/secrets`, { metadata: { name: "keep" } });
    const del = await send(t, "DELETE", `${ns}/secrets/keep`, { dryRun: ["All"] });
    assert.equal(del.status, 200);
    assert.equal((await send(t, "GET", `${ns}/secrets/keep`)).status, 200);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#setting-the-field-validation-level
  test("fieldValidation=Strict rejects unknown fields with 400; Warn (the default) answers a Warning header", async () => {
    const strict = await send(t, "POST", `${ns}/secrets?fieldValidation=Strict`, { metadata: { name: "strict" }, foo: "bar" });
    assert.equal(strict.status, 400);
    assert.equal(strict.json.message, 'Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "foo"');
    const warn = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "warn" }, foo: "bar" });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers["warning"], '299 - "unknown field \\"foo\\""');
    assert.equal(warn.json.foo, undefined);
  });

  // https://kubernetes.io/docs/tasks/administer-cluster/namespaces/ (objects need an existing, non-terminating namespace)
  test("creating in a missing namespace is 404 namespaces not found; namespaced paths need a namespace", async () => {
    const r = await send(t, "POST", "/api/v1/namespaces/ghost/secrets", { metadata: { name: "x" } });
    assert.equal(r.status, 404);
    assert.equal(r.json.message, 'namespaces "ghost" not found');
    const ns2 = await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "fresh" } });
    assert.equal(ns2.json.status.phase, "Active");
    assert.equal(ns2.json.metadata.labels["kubernetes.io/metadata.name"], "fresh");
    const sa = await send(t, "GET", "/api/v1/namespaces/fresh/serviceaccounts/default");
    assert.equal(sa.status, 200, "a default ServiceAccount is made per namespace");
    const clusterList = await send(t, "GET", "/api/v1/secrets");
    assert.equal(clusterList.status, 200);
    assert.ok(clusterList.json.items.length >= 3);
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/#delete-delete-a-secret
  test("DELETE answers a Success Status for built-ins, then the object is gone; deleting again is 404", async () => {
    const c = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "gone" } });
    const d = await send(t, "DELETE", `${ns}/secrets/gone`, { propagationPolicy: "Background" });
    assert.equal(d.status, 200);
    assert.deepEqual(d.json, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: "gone", kind: "secrets", uid: c.json.metadata.uid } });
    assert.equal((await send(t, "DELETE", `${ns}/secrets/gone`)).status, 404);
    const pre = await send(t, "POST", `${ns}/secrets`, { metadata: { name: "pre" } });
    const wrongUid = await send(t, "DELETE", `${ns}/secrets/pre`, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } });
    assert.equal(wrongUid.status, 409);
    assert.match(wrongUid.json.message, /Precondition failed: UID in precondition/);
    assert.equal(pre.status, 201);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#collections (DELETE on a collection)
  test("deletecollection removes the selected objects only", async () => {
    for (const [n, l] of [["dc1", "a"], ["dc2", "a"], ["dc3", "b"]] as const) {
      await send(t, "POST", `${ns}/configmaps`, { metadata: { name: n, labels: { dc: l } } });
    }
    const r = await send(t, "DELETE", `${ns}/configmaps?labelSelector=dc%3Da`);
    assert.equal(r.status, 200);
    const left = (await send(t, "GET", `${ns}/configmaps?labelSelector=dc`)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    assert.deepEqual(left, ["dc3"]);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/ (POST to an object path, wrong name on PUT)
  test("method and body errors: POST on an object path is 405, a PUT whose name differs is 400", async () => {
    await send(t, "POST", `${ns}/secrets`, { metadata: { name: "m" } });
    assert.equal((await send(t, "POST", `${ns}/secrets/m`, { metadata: { name: "m" } })).status, 405);
    const r = await send(t, "PUT", `${ns}/secrets/m`, { metadata: { name: "other" } });
    assert.equal(r.status, 400);
    assert.equal(r.json.message, "the name of the object (other) does not match the name on the URL (m)");
    assert.equal((await send(t, "POST", `${ns}/secrets`, "{not json")).status, 400);
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/event-v1/ (events.k8s.io/v1 and core
  // v1 Events are one resource; field mapping per pkg/apis/events/v1/conversion.go)
  test("an events.k8s.io/v1 Event is readable as a core v1 Event and back, with fields mapped", async () => {
    const r = await send(t, "POST", "/apis/events.k8s.io/v1/namespaces/crud/events", {
      apiVersion: "events.k8s.io/v1", kind: "Event", metadata: { name: "ev1" },
      regarding: { kind: "Secret", name: "s", namespace: "crud" }, note: "synced", reason: "SecretSynced", type: "Normal",
      reportingController: "sealbridge", reportingInstance: "pod-1", action: "Sync", eventTime: "2026-01-01T00:00:00.000000Z",
    });
    assert.equal(r.status, 201);
    assert.equal(r.json.apiVersion, "events.k8s.io/v1");
    assert.equal(r.json.note, "synced");
    const core = await send(t, "GET", `${ns}/events/ev1`);
    assert.equal(core.json.apiVersion, "v1");
    assert.equal(core.json.message, "synced");
    assert.deepEqual(core.json.involvedObject, { kind: "Secret", name: "s", namespace: "crud" });
    assert.equal(core.json.reportingComponent, "sealbridge");
    const byField = await send(t, "GET", `${ns}/events?fieldSelector=${encodeURIComponent("involvedObject.name=s,reason=SecretSynced")}`);
    assert.deepEqual(byField.json.items.map((e: { metadata: { name: string } }) => e.metadata.name), ["ev1"]);
    const v1list = await send(t, "GET", "/apis/events.k8s.io/v1/namespaces/crud/events?fieldSelector=regarding.kind%3DSecret");
    assert.equal(v1list.json.items[0].regarding.name, "s");
  });

  // https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
  test("a Deployment needs a selector matching its template labels, and the selector is immutable", async () => {
    const path = "/apis/apps/v1/namespaces/crud/deployments";
    const tpl = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: "c", image: "i" }] } });
    const noSel = await send(t, "POST", path, { metadata: { name: "nosel" }, spec: { template: tpl({ a: "b" }) } });
    assert.equal(noSel.status, 422);
    assert.equal(noSel.json.message, 'Deployment.apps "nosel" is invalid: spec.selector: Required value');
    const mismatch = await send(t, "POST", path, { metadata: { name: "mm" }, spec: { selector: { matchLabels: { a: "b" } }, template: tpl({ a: "c" }) } });
    assert.equal(mismatch.status, 422);
    assert.equal(mismatch.json.details.causes[0].message, 'Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`');
    const ok = await send(t, "POST", path, { metadata: { name: "ok" }, spec: { selector: { matchLabels: { a: "b" } }, template: tpl({ a: "b" }) } });
    assert.equal(ok.status, 201);
    const moved = await send(t, "PATCH", `${path}/ok`, { spec: { selector: { matchLabels: { a: "x" } }, template: { metadata: { labels: { a: "x" } } } } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(moved.status, 422);
    assert.match(moved.json.message, /spec\.selector: Invalid value: .*field is immutable/);
  });

  // https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
  test("the initial namespaces may not be deleted", async () => {
    const r = await send(t, "DELETE", "/api/v1/namespaces/kube-system");
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/object-meta/ (field types; ownerReferences
  // need apiVersion, kind, name and uid — ValidateOwnerReferences)
  test("metadata of the wrong JSON type is a 400 decoding error; incomplete ownerReferences are 422", async () => {
    const badLabels = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "shape", labels: ["a"] } });
    assert.equal(badLabels.status, 400);
    assert.equal(badLabels.json.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string');
    const badRefs = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "shape", ownerReferences: {} } });
    assert.equal(badRefs.status, 400);
    const noUid = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "shape", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x" }] } });
    assert.equal(noUid.status, 422);
    assert.equal(noUid.json.details.causes[0].field, "metadata.ownerReferences[0].uid");
    const nullLabels = await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "shape", labels: null } });
    assert.equal(nullLabels.status, 201, "null is absent");
  });

  // A map value of the wrong type is reported against the element type (encoding/json
  // UnmarshalTypeError, as kube-apiserver prints it: "json: cannot unmarshal bool into Go struct
  // field ObjectMeta.metadata.labels of type string"; for templates the path runs from the root,
  // e.g. "ObjectMeta.spec.jobTemplate.metadata.labels" — netbox-community/netbox-chart#1034).
  test("non-string label, annotation and data values are 400 decoding errors, on create, update and patch", async () => {
    const msg = (kind: string, found: string, field: string, type = "string") =>
      `${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${found} into Go struct field ${field} of type ${type}`;
    const cases: [string, unknown, string][] = [
      [`${ns}/configmaps`, { metadata: { name: "lv", labels: { on: true } } }, msg("ConfigMap", "bool", "ObjectMeta.metadata.labels")],
      [`${ns}/configmaps`, { metadata: { name: "lv", annotations: { n: 1 } } }, msg("ConfigMap", "number", "ObjectMeta.metadata.annotations")],
      [`${ns}/configmaps`, { metadata: { name: "lv", labels: { x: { y: "z" } } } }, msg("ConfigMap", "object", "ObjectMeta.metadata.labels")],
      [`${ns}/configmaps`, { metadata: { name: "lv" }, data: { port: 8080 } }, msg("ConfigMap", "number", "ConfigMap.data")],
      [`${ns}/secrets`, { metadata: { name: "lv" }, stringData: { on: false } }, msg("Secret", "bool", "Secret.stringData")],
      [`${ns}/secrets`, { metadata: { name: "lv" }, data: { k: 1 } }, msg("Secret", "number", "Secret.data", "[]uint8")],
      [`${ns}/services`, { metadata: { name: "lv" }, spec: { selector: { enabled: true }, ports: [{ port: 80 }] } }, msg("Service", "bool", "ServiceSpec.spec.selector")],
      [
        "/apis/apps/v1/namespaces/crud/deployments",
        { metadata: { name: "lv" }, spec: { selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b", on: true } }, spec: { containers: [{ name: "c", image: "i" }] } } } },
        msg("Deployment", "bool", "ObjectMeta.spec.template.metadata.labels"),
      ],
    ];
    for (const [path, body, message] of cases) {
      const r = await send(t, "POST", path, body);
      assert.equal(r.status, 400, message);
      assert.equal(r.json.reason, "BadRequest");
      assert.equal(r.json.message, message);
    }
    assert.equal((await send(t, "GET", `${ns}/configmaps/lv`)).status, 404, "nothing stored");
    assert.equal((await send(t, "POST", `${ns}/configmaps`, { metadata: { name: "lv", labels: { on: "true" } }, data: { port: "8080" } })).status, 201);
    const patched = await send(t, "PATCH", `${ns}/configmaps/lv`, { metadata: { labels: { on: true } } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(patched.status, 400);
    // Only the decoding error itself is asserted for a patch (the create/update prefix is sure).
    assert.match(patched.json.message, /json: cannot unmarshal bool into Go struct field ObjectMeta\.metadata\.labels of type string$/);
    const got = (await send(t, "GET", `${ns}/configmaps/lv`)).json;
    const put = await send(t, "PUT", `${ns}/configmaps/lv`, { ...got, data: { port: 8080 } });
    assert.equal(put.status, 400);
    assert.equal(put.json.message, msg("ConfigMap", "number", "ConfigMap.data"));
    assert.deepEqual((await send(t, "GET", `${ns}/configmaps/lv`)).json.metadata.labels, { on: "true" });
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/autoscaling-resources/scale-v1/ (deployments/scale)
  test("the scale subresource reads and writes a Deployment's replicas as an autoscaling/v1 Scale", async () => {
    const path = "/apis/apps/v1/namespaces/crud/deployments";
    await send(t, "POST", path, { metadata: { name: "sc" }, spec: { replicas: 2, selector: { matchLabels: { app: "sc" } }, template: { metadata: { labels: { app: "sc" } }, spec: { containers: [{ name: "c", image: "i" }] } } } });
    const got = await send(t, "GET", `${path}/sc/scale`);
    assert.equal(got.json.kind, "Scale");
    assert.equal(got.json.apiVersion, "autoscaling/v1");
    assert.deepEqual(got.json.spec, { replicas: 2 });
    assert.equal(got.json.status.selector, "app=sc");
    const patched = await send(t, "PATCH", `${path}/sc/scale`, { spec: { replicas: 5 } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(patched.json.spec.replicas, 5);
    const dep = await send(t, "GET", `${path}/sc`);
    assert.equal(dep.json.spec.replicas, 5);
    assert.equal(dep.json.metadata.generation, 2);
    const stale = await send(t, "PUT", `${path}/sc/scale`, { ...got.json, spec: { replicas: 1 } });
    assert.equal(stale.status, 409, "the Scale carries the parent's resourceVersion");
    assert.equal((await send(t, "GET", "/apis/apps/v1/namespaces/crud/daemonsets/x/scale")).status, 404);
  });
});
