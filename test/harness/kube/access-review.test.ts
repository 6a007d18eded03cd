// Access reviews and self reviews: authorization.k8s.io/v1 SelfSubjectAccessReview,
// SubjectAccessReview, LocalSubjectAccessReview
// (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access),
// authentication.k8s.io/v1 SelfSubjectReview
// (https://kubernetes.io/docs/reference/access-authn-authz/authentication/#self-subject-review),
// the seeded bootstrap roles system:auth-delegator and system:basic-user
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings),
// and the real `kubectl auth can-i` / `kubectl auth whoami` on top of them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { startWithKubectl, type KubectlEnv, type ServerWithKubectl } from "./kubectl-cli.js";
import { send, type Target } from "./test-client.js";

const RBAC = "/apis/rbac.authorization.k8s.io/v1";
const AUTHZ = "/apis/authorization.k8s.io/v1";

describe("access reviews", () => {
  let server: KubeTestServer;
  let admin: Target;
  let reader: Target;
  let kubectl: KubectlEnv;
  let env: ServerWithKubectl;
  const as = (token: string): Target => ({ url: server.url, caPem: server.caPem, token });

  before(async () => {
    env = await startWithKubectl();
    ({ server, kubectl } = env);
    admin = as(server.adminToken);
    await send(admin, "POST", "/api/v1/namespaces", { metadata: { name: "app" } });
    await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts", { metadata: { name: "reader" } });
    await send(admin, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/app/roles", {
      metadata: { name: "secret-reader" },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["s1"] }],
    });
    await send(admin, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/app/rolebindings", {
      metadata: { name: "reader-secrets" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "secret-reader" },
      subjects: [{ kind: "ServiceAccount", name: "reader" }],
    });
    reader = as(server.issueServiceAccountToken("app", "reader"));
  });
  after(() => env.stop());

  test("the bootstrap roles system:auth-delegator and system:basic-user are seeded, and again after reset()", async () => {
    const check = async (): Promise<void> => {
      const delegator = await send(admin, "GET", `${RBAC}/clusterroles/system:auth-delegator`);
      assert.equal(delegator.status, 200);
      assert.deepEqual(delegator.json.rules, [
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        { apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"], verbs: ["create"] },
      ]);
      const basic = await send(admin, "GET", `${RBAC}/clusterrolebindings/system:basic-user`);
      assert.deepEqual(basic.json.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }]);
    };
    await check();
    const conflict = await send(admin, "POST", `${RBAC}/clusterroles`, { metadata: { name: "system:auth-delegator" }, rules: [] });
    assert.equal(conflict.status, 409);
    const fresh = await startKubeServer();
    try {
      fresh.reset();
      const r = await send({ url: fresh.url, caPem: fresh.caPem, token: fresh.adminToken }, "GET", `${RBAC}/clusterroles/system:auth-delegator`);
      assert.equal(r.status, 200);
    } finally {
      await fresh.stop();
    }
  });

  test("SelfSubjectAccessReview answers for the caller, with the RBAC reason when allowed", async () => {
    const ask = (t: Target, resourceAttributes: Record<string, string>) => send(t, "POST", `${AUTHZ}/selfsubjectaccessreviews`, { spec: { resourceAttributes } });
    const yes = await ask(reader, { namespace: "app", verb: "get", resource: "secrets", name: "s1" });
    assert.equal(yes.status, 201);
    assert.equal(yes.json.kind, "SelfSubjectAccessReview");
    assert.deepEqual(yes.json.spec, { resourceAttributes: { namespace: "app", verb: "get", resource: "secrets", name: "s1" } });
    assert.deepEqual(yes.json.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "reader-secrets/app" of Role "secret-reader" to ServiceAccount "reader/app"' });
    assert.deepEqual((await ask(reader, { namespace: "app", verb: "get", resource: "secrets", name: "s2" })).json.status, { allowed: false });
    assert.deepEqual((await ask(reader, { namespace: "app", verb: "list", resource: "secrets" })).json.status, { allowed: false });
    assert.deepEqual((await ask(admin, { namespace: "app", verb: "delete", resource: "secrets" })).json.status, { allowed: true }, "system:masters: no reason");
    const bad = await send(reader, "POST", `${AUTHZ}/selfsubjectaccessreviews`, { spec: {} });
    assert.equal(bad.status, 422);
    assert.match(bad.json.message, /spec\.resourceAttributes: Invalid value: .*exactly one of nonResourceAttributes or resourceAttributes must be specified/);
    const anon = await send({ url: server.url, caPem: server.caPem, token: null }, "POST", `${AUTHZ}/selfsubjectaccessreviews`, { spec: { resourceAttributes: { verb: "get", resource: "pods" } } });
    assert.equal(anon.status, 403, "system:basic-user is bound to system:authenticated only");
  });

  test("SubjectAccessReview asks about another user; it needs system:auth-delegator", async () => {
    const body = { spec: { user: "system:serviceaccount:app:reader", groups: ["system:serviceaccounts", "system:authenticated"], resourceAttributes: { namespace: "app", verb: "get", resource: "secrets", name: "s1" } } };
    const r = await send(admin, "POST", `${AUTHZ}/subjectaccessreviews`, body);
    assert.equal(r.status, 201);
    assert.equal(r.json.status.allowed, true);
    assert.deepEqual(r.json.spec, body.spec);
    const group = await send(admin, "POST", `${AUTHZ}/subjectaccessreviews`, { spec: { user: "alice", groups: ["system:masters"], nonResourceAttributes: { path: "/metrics", verb: "get" } } });
    assert.equal(group.json.status.allowed, true);
    const none = await send(admin, "POST", `${AUTHZ}/subjectaccessreviews`, { spec: { resourceAttributes: { verb: "get", resource: "pods" } } });
    assert.equal(none.status, 422);
    assert.match(none.json.message, /spec\.user: Invalid value: "": at least one of user or group must be specified/);
    assert.equal((await send(reader, "POST", `${AUTHZ}/subjectaccessreviews`, body)).status, 403);
    await send(admin, "POST", `${RBAC}/clusterrolebindings`, {
      metadata: { name: "reader-delegator" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "app" }],
    });
    const delegated = await send(reader, "POST", `${AUTHZ}/subjectaccessreviews`, { spec: { user: "bob", resourceAttributes: { verb: "list", resource: "secrets", namespace: "app" } } });
    assert.equal(delegated.status, 201);
    assert.deepEqual(delegated.json.status, { allowed: false });
    const local = await send(admin, "POST", `${AUTHZ}/namespaces/app/localsubjectaccessreviews`, { spec: { user: "system:serviceaccount:app:reader", resourceAttributes: { namespace: "app", verb: "get", resource: "secrets", name: "s1" } } });
    assert.equal(local.status, 201);
    assert.equal(local.json.status.allowed, true);
    const mismatch = await send(admin, "POST", `${AUTHZ}/namespaces/app/localsubjectaccessreviews`, { spec: { user: "x", resourceAttributes: { namespace: "other", verb: "get", resource: "secrets" } } });
    assert.equal(mismatch.status, 422);
    await send(admin, "DELETE", `${RBAC}/clusterrolebindings/reader-delegator`);
  });

  test("SelfSubjectReview tells the caller who they are (after impersonation)", async () => {
    const r = await send(reader, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {});
    assert.equal(r.status, 201);
    assert.equal(r.json.kind, "SelfSubjectReview");
    assert.equal(r.json.status.userInfo.username, "system:serviceaccount:app:reader");
    assert.ok(r.json.status.userInfo.groups.includes("system:authenticated"));
    const imp = await send(admin, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, { "Impersonate-User": "alice" });
    assert.equal(imp.json.status.userInfo.username, "alice");
  });

  test("kubectl auth can-i and kubectl auth whoami work against the server", async () => {
    const kc = await kubectl.kubeconfigFor(server.issueServiceAccountToken("app", "reader"), "reader");
    const yes = await kubectl.run(["auth", "can-i", "get", "secrets/s1", "-n", "app"], { kubeconfig: kc });
    assert.deepEqual([yes.code, yes.stdout], [0, "yes\n"], yes.stderr);
    const no = await kubectl.run(["auth", "can-i", "get", "secrets/s2", "-n", "app"], { kubeconfig: kc });
    assert.deepEqual([no.code, no.stdout], [1, "no\n"], no.stderr);
    const asSa = await kubectl.run(["auth", "can-i", "create", "tokenreviews.authentication.k8s.io", "--as", "system:serviceaccount:app:reader"]);
    assert.deepEqual([asSa.code, asSa.stdout], [1, "no\n"], asSa.stderr);
    const adminYes = await kubectl.run(["auth", "can-i", "create", "tokenreviews"]);
    assert.deepEqual([adminYes.code, adminYes.stdout], [0, "yes\n"], adminYes.stderr);
    const who = await kubectl.run(["auth", "whoami", "-o", "json"], { kubeconfig: kc });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(JSON.parse(who.stdout).status.userInfo.username, "system:serviceaccount:app:reader");
  });
});
