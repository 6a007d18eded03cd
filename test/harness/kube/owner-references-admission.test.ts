// Conformance: the OwnerReferencesPermissionEnforcement admission plugin, on by default as on the
// real tier's kube-apiserver (k8s.io/kubernetes v1.37.2 plugin/pkg/admission/gc/gc_admission.go;
// https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#ownerreferencespermissionenforcement).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

const NS = "/api/v1/namespaces/default";
const RBAC = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
const MERGE = { "Content-Type": "application/merge-patch+json" };

describe("OwnerReferencesPermissionEnforcement", () => {
  let server: KubeTestServer;
  let admin: Target;
  let sa: Target;
  let ownerUid = "";

  before(async () => {
    server = await startKubeServer();
    admin = { url: server.url, caPem: server.caPem, token: server.adminToken };
    assert.equal((await send(admin, "POST", `${NS}/serviceaccounts`, { metadata: { name: "ctl" } })).status, 201);
    const role = {
      metadata: { name: "ctl" },
      rules: [{ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["get", "list", "create", "update", "patch"] }],
    };
    assert.equal((await send(admin, "POST", `${RBAC}/roles`, role)).status, 201);
    const binding = { metadata: { name: "ctl" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "ctl" }, subjects: [{ kind: "ServiceAccount", name: "ctl", namespace: "default" }] };
    assert.equal((await send(admin, "POST", `${RBAC}/rolebindings`, binding)).status, 201);
    sa = { ...admin, token: server.issueServiceAccountToken("default", "ctl") };
    ownerUid = (await send(admin, "POST", `${NS}/configmaps`, { metadata: { name: "owner" } })).json.metadata.uid;
  });
  after(() => server.stop());

  const ref = (block: boolean | undefined, extra: Record<string, unknown> = {}) => ({
    apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: ownerUid, controller: true, ...(block === undefined ? {} : { blockOwnerDeletion: block }), ...extra,
  });
  const secret = (name: string, refs: unknown[]) => ({ metadata: { name, ownerReferences: refs }, stringData: { k: "v" } });

  test("blockOwnerDeletion without update on the owner's finalizers is 403 with the plugin's text; nothing is stored", async () => {
    const r = await send(sa, "POST", `${NS}/secrets`, secret("blocked", [ref(true)]));
    assert.equal(r.status, 403);
    assert.equal(r.json.reason, "Forbidden");
    assert.equal(r.json.message, 'secrets "blocked" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can\'t set finalizers on: , <nil>');
    assert.deepEqual(r.json.details, { name: "blocked", kind: "secrets" });
    assert.equal(server.objects("secrets", "default").filter((o) => o.metadata.name === "blocked").length, 0);
    // dry runs are admitted the same way
    assert.equal((await send(sa, "POST", `${NS}/secrets?dryRun=All`, secret("blocked", [ref(true)]))).status, 403);
  });

  test("without blockOwnerDeletion (or false) the same client may set the owner reference", async () => {
    assert.equal((await send(sa, "POST", `${NS}/secrets`, secret("plain", [ref(undefined)]))).status, 201);
    assert.equal((await send(sa, "POST", `${NS}/secrets`, secret("notblocking", [ref(false)]))).status, 201);
  });

  test("changing ownerReferences on an update needs delete on the object itself", async () => {
    const r = await send(sa, "PATCH", `${NS}/secrets/plain`, { metadata: { ownerReferences: [ref(false)] } }, MERGE);
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'secrets "plain" is forbidden: cannot set an ownerRef on a resource you can\'t delete: , <nil>');
    // an update that leaves the references alone is not the plugin's business
    assert.equal((await send(sa, "PATCH", `${NS}/secrets/plain`, { metadata: { labels: { a: "b" } } }, MERGE)).status, 200);
  });

  test("with update on configmaps/finalizers (and delete on secrets) the blocking reference is admitted", async () => {
    const rules = [
      { apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["get", "list", "create", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["configmaps/finalizers"], verbs: ["update"], resourceNames: ["owner"] },
    ];
    assert.equal((await send(admin, "PATCH", `${RBAC}/roles/ctl`, { rules }, MERGE)).status, 200);
    assert.equal((await send(sa, "POST", `${NS}/secrets`, secret("blocked", [ref(true)]))).status, 201, "create");
    const up = await send(sa, "PATCH", `${NS}/secrets/plain`, { metadata: { ownerReferences: [ref(true)] } }, MERGE);
    assert.equal(up.status, 200, JSON.stringify(up.json));
    // resourceNames count: another owner's finalizers are not covered
    const other = (await send(admin, "POST", `${NS}/configmaps`, { metadata: { name: "other" } })).json.metadata.uid;
    const r = await send(sa, "POST", `${NS}/secrets`, secret("other-owner", [{ apiVersion: "v1", kind: "ConfigMap", name: "other", uid: other, blockOwnerDeletion: true }]));
    assert.equal(r.status, 403);
  });

  test("an owner kind the server does not serve is refused with the RESTMapping text; system:masters may do anything", async () => {
    const r = await send(sa, "POST", `${NS}/secrets`, secret("ghost", [{ apiVersion: "example.test/v1", kind: "Ghost", name: "g", uid: "u-1", blockOwnerDeletion: true }]));
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'secrets "ghost" is forbidden: cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion example.test/v1 Kind Ghost: no matches for kind "Ghost" in version "example.test/v1"');
    assert.equal((await send(admin, "POST", `${NS}/secrets`, secret("ghost", [{ apiVersion: "example.test/v1", kind: "Ghost", name: "g", uid: "u-1", blockOwnerDeletion: true }]))).status, 201);
  });

  test("the plugin can be switched off (ownerReferencesPermissionEnforcement: false)", async () => {
    const off = await startKubeServer({ ownerReferencesPermissionEnforcement: false });
    try {
      const a = { url: off.url, caPem: off.caPem, token: off.adminToken };
      assert.equal((await send(a, "POST", `${NS}/serviceaccounts`, { metadata: { name: "ctl" } })).status, 201);
      assert.equal((await send(a, "POST", `${RBAC}/roles`, { metadata: { name: "ctl" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }] })).status, 201);
      const binding = { metadata: { name: "ctl" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "ctl" }, subjects: [{ kind: "ServiceAccount", name: "ctl", namespace: "default" }] };
      assert.equal((await send(a, "POST", `${RBAC}/rolebindings`, binding)).status, 201);
      const t = { ...a, token: off.issueServiceAccountToken("default", "ctl") };
      assert.equal((await send(t, "POST", `${NS}/secrets`, secret("blocked", [ref(true)]))).status, 201);
    } finally {
      await off.stop();
    }
  });
});
