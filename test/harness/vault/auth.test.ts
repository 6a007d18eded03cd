// Conformance tests for the AppRole and Kubernetes auth methods. Each test names the Vault API page
// it follows; details not on the page come from shared/reference/vault-api.md §9 and §10. The
// Kubernetes logins go through the real Kubernetes API test server's TokenReview.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer } from "../kube/index.js";
import type { KubeTestServer } from "../kube/index.js";
import { createAsAdmin as kubeCreate } from "../kube/test-client.js";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { call } from "./vault-call.js";

const approleDocs = "https://developer.hashicorp.com/vault/api-docs/auth/approle";
const k8sDocs = "https://developer.hashicorp.com/vault/api-docs/auth/kubernetes";

describe("AppRole", () => {
  let v: VaultTestCluster;
  let root = "";
  before(async () => {
    v = await startVaultServer();
    root = v.rootToken ?? "";
    assert.equal((await call(v.addr, "POST", "sys/auth/approle", { token: root, body: { type: "approle" } })).status, 204);
  });
  after(async () => {
    await v.stop();
  });

  test(`role write (policies alias), read, constraint error (${approleDocs}#create-update-approle)`, async () => {
    const w = await call(v.addr, "POST", "auth/approle/role/app", { token: root, body: { policies: "app,db", token_ttl: 1800, secret_id_ttl: "10m" } });
    assert.equal(w.status, 204);
    const r = await call(v.addr, "GET", "auth/approle/role/app", { token: root });
    assert.deepEqual(r.body.data.token_policies, ["app", "db"]);
    assert.deepEqual(r.body.data.policies, ["app", "db"]);
    assert.equal(r.body.data.token_ttl, 1800);
    assert.equal(r.body.data.secret_id_ttl, 600);
    const none = await call(v.addr, "POST", "auth/approle/role/loose", { token: root, body: { bind_secret_id: false } });
    assert.deepEqual([none.status, none.body], [400, { errors: ["at least one constraint should be enabled on the role"] }]);
    assert.deepEqual((await call(v.addr, "LIST", "auth/approle/role", { token: root })).body.data.keys, ["app"]);
  });

  test(`role-id and secret-id (empty POST body accepted) (${approleDocs}#read-approle-role-id)`, async () => {
    const rid = await call(v.addr, "GET", "auth/approle/role/app/role-id", { token: root });
    assert.match(rid.body.data.role_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual((await call(v.addr, "GET", "auth/approle/role/nope/role-id", { token: root })).body, { errors: [] });
    const sid = await call(v.addr, "POST", "auth/approle/role/app/secret-id", { token: root });
    assert.equal(sid.status, 200);
    assert.match(sid.body.data.secret_id, /^[0-9a-f-]{36}$/);
    assert.equal(sid.body.data.secret_id_ttl, 600);
    const unknown = await call(v.addr, "POST", "auth/approle/role/nope/secret-id", { token: root });
    assert.deepEqual([unknown.status, unknown.body], [400, { errors: ['role "nope" does not exist'] }]);
  });

  test(`login returns an orphan token with the role's policies and metadata (${approleDocs}#login-with-approle)`, async () => {
    const roleId = (await call(v.addr, "GET", "auth/approle/role/app/role-id", { token: root })).body.data.role_id;
    const secretId = (await call(v.addr, "POST", "auth/approle/role/app/secret-id", { token: root, body: { metadata: '{"env":"test"}' } })).body.data.secret_id;
    // A stale token on a login path is ignored (vault-api.md §1.3).
    const r = await call(v.addr, "POST", "auth/approle/login", { token: "hvs.stale", body: { role_id: roleId, secret_id: secretId } });
    assert.equal(r.status, 200);
    const a = r.body.auth;
    assert.deepEqual(a.policies, ["app", "db", "default"]);
    assert.deepEqual(a.metadata, { env: "test", role_name: "app" });
    assert.deepEqual([a.lease_duration, a.renewable, a.orphan, a.token_type], [1800, true, true, "service"]);
    const self = await call(v.addr, "GET", "auth/token/lookup-self", { token: a.client_token });
    assert.equal(self.body.data.path, "auth/approle/login");
  });

  test(`login errors (${approleDocs}#login-with-approle; vault-api.md §10)`, async () => {
    const roleId = (await call(v.addr, "GET", "auth/approle/role/app/role-id", { token: root })).body.data.role_id;
    const cases: [unknown, number, string][] = [
      [{ secret_id: "x" }, 500, "missing role_id"],
      [{ role_id: "nope", secret_id: "x" }, 400, "invalid role or secret ID"],
      [{ role_id: roleId }, 400, "missing secret_id"],
      [{ role_id: roleId, secret_id: "wrong" }, 400, "invalid role or secret ID"],
    ];
    for (const [body, status, message] of cases) {
      const r = await call(v.addr, "POST", "auth/approle/login", { body });
      assert.deepEqual([r.status, r.body], [status, { errors: [message] }], JSON.stringify(body));
    }
  });

  test(`CIDR bounds on the role and on a secret ID (${approleDocs}#create-update-approle; vault-api.md §10)`, async () => {
    await call(v.addr, "POST", "auth/approle/role/netbound", { token: root, body: { secret_id_bound_cidrs: ["10.0.0.0/8"] } });
    const rid = (await call(v.addr, "GET", "auth/approle/role/netbound/role-id", { token: root })).body.data.role_id;
    const sid = (await call(v.addr, "POST", "auth/approle/role/netbound/secret-id", { token: root })).body.data.secret_id;
    const r = await call(v.addr, "POST", "auth/approle/login", { body: { role_id: rid, secret_id: sid } });
    assert.equal(r.status, 400);
    assert.match(r.body.errors[0], /^source address "(::ffff:)?127\.0\.0\.1" unauthorized by CIDR restrictions on the role: /);
    await call(v.addr, "POST", "auth/approle/role/netbound", { token: root, body: { secret_id_bound_cidrs: ["127.0.0.0/8"] } });
    assert.equal((await call(v.addr, "POST", "auth/approle/login", { body: { role_id: rid, secret_id: sid } })).status, 200);
    const narrow = (await call(v.addr, "POST", "auth/approle/role/netbound/secret-id", { token: root, body: { cidr_list: "192.168.0.0/16" } })).body.data.secret_id;
    assert.equal((await call(v.addr, "POST", "auth/approle/login", { body: { role_id: rid, secret_id: narrow } })).status, 400);
  });

  test(`secret IDs run out of uses and expire (${approleDocs}#generate-new-secret-id)`, async () => {
    await call(v.addr, "POST", "auth/approle/role/once", { token: root, body: { token_policies: ["app"], secret_id_num_uses: 1 } });
    const roleId = (await call(v.addr, "GET", "auth/approle/role/once/role-id", { token: root })).body.data.role_id;
    const sid = (await call(v.addr, "POST", "auth/approle/role/once/secret-id", { token: root })).body.data.secret_id;
    assert.equal((await call(v.addr, "POST", "auth/approle/login", { body: { role_id: roleId, secret_id: sid } })).status, 200);
    assert.equal((await call(v.addr, "POST", "auth/approle/login", { body: { role_id: roleId, secret_id: sid } })).status, 400);
    const appRole = (await call(v.addr, "GET", "auth/approle/role/app/role-id", { token: root })).body.data.role_id;
    const timed = (await call(v.addr, "POST", "auth/approle/role/app/secret-id", { token: root })).body.data.secret_id;
    v.advanceTime(11 * 60_000);
    const expired = await call(v.addr, "POST", "auth/approle/login", { body: { role_id: appRole, secret_id: timed } });
    assert.deepEqual([expired.status, expired.body], [400, { errors: ["invalid role or secret ID"] }]);
  });
});

describe("Kubernetes auth against the Kubernetes API test server", () => {
  let v: VaultTestCluster;
  let kube: KubeTestServer;
  let root = "";
  before(async () => {
    [v, kube] = await Promise.all([startVaultServer(), startKubeServer()]);
    root = v.rootToken ?? "";
    for (const name of ["vault-auth", "intruder"]) {
      assert.equal(await kubeCreate(kube, "/api/v1/namespaces/default/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name } }), 201);
    }
    assert.equal((await call(v.addr, "POST", "sys/auth/kubernetes", { token: root, body: { type: "kubernetes" } })).status, 204);
    await call(v.addr, "PUT", "sys/policies/acl/dev", { token: root, body: { policy: 'path "secret/data/dev/*" { capabilities = ["read"] }' } });
  });
  after(async () => {
    await Promise.all([v.stop(), kube.stop()]);
  });

  test(`config: host required; read omits the reviewer JWT (${k8sDocs}#configure-method)`, async () => {
    const none = await call(v.addr, "POST", "auth/kubernetes/config", { token: root, body: { kubernetes_ca_cert: kube.caPem } });
    assert.deepEqual([none.status, none.body], [400, { errors: ["no host provided"] }]);
    const w = await call(v.addr, "POST", "auth/kubernetes/config", {
      token: root,
      body: { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: kube.adminToken },
    });
    assert.equal(w.status, 204);
    const r = await call(v.addr, "GET", "auth/kubernetes/config", { token: root });
    assert.equal(r.body.data.kubernetes_host, kube.url);
    assert.equal(r.body.data.token_reviewer_jwt, undefined);
    assert.ok(!r.text.includes(kube.adminToken));
  });

  test(`role validation (${k8sDocs}#create-role)`, async () => {
    const noNames = await call(v.addr, "POST", "auth/kubernetes/role/bad", { token: root, body: { bound_service_account_namespaces: ["default"] } });
    assert.deepEqual(noNames.body, { errors: ['"bound_service_account_names" can not be empty'] });
    const mixed = await call(v.addr, "POST", "auth/kubernetes/role/bad", {
      token: root,
      body: { bound_service_account_names: ["*", "x"], bound_service_account_namespaces: ["default"] },
    });
    assert.deepEqual(mixed.body, { errors: ['can not mix "*" with values'] });
    const ok = await call(v.addr, "POST", "auth/kubernetes/role/dev-role", {
      token: root,
      body: { bound_service_account_names: "vault-auth", bound_service_account_namespaces: "default", policies: ["dev"], ttl: "1h" },
    });
    assert.equal(ok.status, 204);
    const r = await call(v.addr, "GET", "auth/kubernetes/role/dev-role", { token: root });
    assert.deepEqual([r.body.data.bound_service_account_names, r.body.data.token_policies, r.body.data.token_ttl], [["vault-auth"], ["dev"], 3600]);
  });

  test(`login: TokenReview accepted → orphan token with SA metadata (${k8sDocs}#login)`, async () => {
    const jwt = kube.issueServiceAccountToken("default", "vault-auth");
    const before = kube.counters.requests("POST", /tokenreviews/);
    const r = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role", jwt } });
    assert.equal(r.status, 200, r.text);
    assert.equal(kube.counters.requests("POST", /tokenreviews/), before + 1);
    const a = r.body.auth;
    assert.deepEqual(a.policies, ["default", "dev"]);
    assert.deepEqual([a.lease_duration, a.renewable, a.orphan], [3600, true, true]);
    assert.equal(a.metadata.role, "dev-role");
    assert.equal(a.metadata.service_account_name, "vault-auth");
    assert.equal(a.metadata.service_account_namespace, "default");
    assert.match(a.metadata.service_account_uid, /^[0-9a-f-]{36}$/);
    const self = await call(v.addr, "GET", "auth/token/lookup-self", { token: a.client_token });
    assert.equal(self.body.data.display_name, "kubernetes-default-vault-auth");
  });

  test(`login errors: bounds → specific 403s, bad JWT → permission denied (${k8sDocs}#login; vault-api.md §9.3)`, async () => {
    const good = kube.issueServiceAccountToken("default", "vault-auth");
    const missing = await call(v.addr, "POST", "auth/kubernetes/login", { body: { jwt: good } });
    assert.deepEqual([missing.status, missing.body], [400, { errors: ["missing role"] }]);
    assert.deepEqual((await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role" } })).body, { errors: ["missing jwt"] });
    assert.deepEqual((await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "x", jwt: good } })).body, { errors: ['invalid role name "x"'] });
    const other = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role", jwt: kube.issueServiceAccountToken("default", "intruder") } });
    assert.deepEqual([other.status, other.body], [403, { errors: ["service account name not authorized"] }]);
    await call(v.addr, "POST", "auth/kubernetes/role/prod-only", {
      token: root,
      body: { bound_service_account_names: ["*"], bound_service_account_namespaces: ["prod"] },
    });
    const ns = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "prod-only", jwt: good } });
    assert.deepEqual([ns.status, ns.body], [403, { errors: ["namespace not authorized"] }]);
    // Same claims, broken signature: only the TokenReview can tell.
    const [h, p] = good.split(".");
    const forged = `${h}.${p}.${Buffer.from("not-a-signature").toString("base64url")}`;
    const bad = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role", jwt: forged } });
    assert.deepEqual([bad.status, bad.body], [403, { errors: ["permission denied"] }]);
  });

  test(`audience: the role's audience must be in the JWT and is sent to TokenReview (${k8sDocs}#create-role)`, async () => {
    await call(v.addr, "POST", "auth/kubernetes/role/aud", {
      token: root,
      body: { bound_service_account_names: ["vault-auth"], bound_service_account_namespaces: ["*"], audience: "vault" },
    });
    const withAud = kube.issueServiceAccountToken("default", "vault-auth", { audiences: ["vault"] });
    assert.equal((await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "aud", jwt: withAud } })).status, 200);
    const without = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "aud", jwt: kube.issueServiceAccountToken("default", "vault-auth") } });
    assert.equal(without.status, 403);
  });

  test(`no reviewer JWT: the login JWT itself reviews, so its SA needs tokenreviews RBAC (${k8sDocs}#configure-method)`, async () => {
    await call(v.addr, "POST", "auth/kubernetes/config", { token: root, body: { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem } });
    const jwt = kube.issueServiceAccountToken("default", "vault-auth");
    const denied = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role", jwt } });
    assert.deepEqual([denied.status, denied.body], [403, { errors: ["permission denied"] }]);
    // system:auth-delegator is a bootstrap ClusterRole of every cluster (seeded by the test server,
    // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#other-component-roles): bind it.
    assert.equal(
      await kubeCreate(kube, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "vault-auth-delegator" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: [{ kind: "ServiceAccount", name: "vault-auth", namespace: "default" }],
      }),
      201,
    );
    const ok = await call(v.addr, "POST", "auth/kubernetes/login", { body: { role: "dev-role", jwt } });
    assert.equal(ok.status, 200, ok.text);
  });
});
