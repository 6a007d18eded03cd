// Conformance: authentication (admin token, TokenRequest, TokenReview) and RBAC authorization.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { ruleAllows } from "./rbac.js";
import { send, type Target } from "./test-client.js";

const RBAC = "/apis/rbac.authorization.k8s.io/v1";

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("authentication and authorization", () => {
  let server: KubeTestServer;
  let admin: Target;
  let now = Date.parse("2026-01-01T00:00:00Z");
  const as = (token: string | null): Target => ({ url: server.url, caPem: server.caPem, token });

  before(async () => {
    server = await startKubeServer({ now: () => now });
    admin = as(server.adminToken);
    await send(admin, "POST", "/api/v1/namespaces", { metadata: { name: "app" } });
    await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts", { metadata: { name: "reader" } });
    await send(admin, "POST", "/api/v1/namespaces/app/secrets", { metadata: { name: "s1" } });
    await send(admin, "POST", "/api/v1/namespaces/app/secrets", { metadata: { name: "s2" } });
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/
  test("TokenRequest issues an RS256 JWT with the ServiceAccount claims, audiences and expiry", async () => {
    const r = await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts/reader/token", { spec: { audiences: ["vault"], expirationSeconds: 900 } });
    assert.equal(r.status, 201);
    assert.equal(r.json.kind, "TokenRequest");
    const token = r.json.status.token as string;
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString()) as { alg: string };
    assert.equal(header.alg, "RS256");
    const c = claims(token);
    const sa = (await send(admin, "GET", "/api/v1/namespaces/app/serviceaccounts/reader")).json;
    assert.equal(c["sub"], "system:serviceaccount:app:reader");
    assert.deepEqual(c["aud"], ["vault"]);
    assert.equal(c["iss"], server.issuer);
    assert.equal(c["exp"], Math.floor(now / 1000) + 900);
    assert.deepEqual(c["kubernetes.io"], { namespace: "app", serviceaccount: { name: "reader", uid: sa.metadata.uid } });
    assert.equal(r.json.status.expirationTimestamp, new Date((Math.floor(now / 1000) + 900) * 1000).toISOString().replace(".000Z", "Z"));
    const dflt = claims((await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts/reader/token", {})).json.status.token);
    assert.deepEqual(dflt["aud"], [server.issuer]);
    assert.equal(dflt["exp"], Math.floor(now / 1000) + 3600);
    const short = await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts/reader/token", { spec: { expirationSeconds: 60 } });
    assert.equal(short.status, 422);
    assert.match(short.json.message, /may not specify a duration less than 10 minutes/);
    const missing = await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts/nobody/token", {});
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'serviceaccounts "nobody" not found');
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-review-v1/
  test("TokenReview authenticates issued tokens by audience, expiry and ServiceAccount existence", async () => {
    const tok = (await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts/reader/token", { spec: { audiences: ["vault"] } })).json.status.token as string;
    const review = async (token: string, audiences?: string[]) =>
      (await send(admin, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } })).json;
    const ok = await review(tok, ["vault"]);
    assert.equal(ok.status.authenticated, true);
    assert.equal(ok.status.user.username, "system:serviceaccount:app:reader");
    assert.deepEqual(ok.status.user.groups, ["system:serviceaccounts", "system:serviceaccounts:app", "system:authenticated"]);
    assert.deepEqual(ok.status.audiences, ["vault"]);
    assert.ok(!JSON.stringify(ok).includes("error"));
    const wrongAud = await review(tok, ["other"]);
    assert.equal(wrongAud.status.authenticated, undefined);
    assert.match(wrongAud.status.error, /invalid bearer token/);
    const forged = await review(`${tok.slice(0, -4)}AAAA`, ["vault"]);
    assert.equal(forged.status.authenticated, undefined);
    now += 3601 * 1000;
    const expired = await review(tok, ["vault"]);
    assert.match(expired.status.error, /expired/);
    now -= 3601 * 1000;
    await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts", { metadata: { name: "temp" } });
    const tempTok = server.issueServiceAccountToken("app", "temp", { audiences: ["vault"] });
    assert.equal((await review(tempTok, ["vault"])).status.authenticated, true);
    await send(admin, "DELETE", "/api/v1/namespaces/app/serviceaccounts/temp");
    assert.match((await review(tempTok, ["vault"])).status.error, /has been deleted/);
    const noToken = await send(admin, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: {} });
    assert.equal(noToken.status, 422);
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/authentication/ (401 for a bad bearer token)
  test("an unknown bearer token is 401 Unauthorized; a token for another audience is not an API credential", async () => {
    const r = await send(as("nonsense"), "GET", "/api/v1/namespaces");
    assert.equal(r.status, 401);
    assert.deepEqual(r.json, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    const vaultOnly = server.issueServiceAccountToken("app", "reader", { audiences: ["vault"] });
    assert.equal((await send(as(vaultOnly), "GET", "/api/v1/namespaces/app/secrets")).status, 401);
    assert.equal((await send(as(null), "GET", "/version")).status, 200, "/version is public");
    const anon = await send(as(null), "GET", "/api/v1/namespaces/app/secrets");
    assert.equal(anon.status, 403);
    assert.match(anon.json.message, /User "system:anonymous" cannot list resource "secrets"/);
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole
  test("RBAC: a ServiceAccount gets exactly what its RoleBinding grants, with the real 403 bodies", async () => {
    const sa = as(server.issueServiceAccountToken("app", "reader"));
    const denied = await send(sa, "GET", "/api/v1/namespaces/app/secrets");
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.json, {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
      message: 'secrets is forbidden: User "system:serviceaccount:app:reader" cannot list resource "secrets" in API group "" in the namespace "app"',
      reason: "Forbidden", details: { kind: "secrets" }, code: 403,
    });
    await send(admin, "POST", `${RBAC}/namespaces/app/roles`, {
      metadata: { name: "read-s1" },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["s1"] }, { apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }],
    });
    await send(admin, "POST", `${RBAC}/namespaces/app/rolebindings`, {
      metadata: { name: "reader" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-s1" },
      subjects: [{ kind: "ServiceAccount", name: "reader", namespace: "app" }],
    });
    assert.equal((await send(sa, "GET", "/api/v1/namespaces/app/secrets/s1")).status, 200);
    const s2 = await send(sa, "GET", "/api/v1/namespaces/app/secrets/s2");
    assert.equal(s2.status, 403);
    assert.equal(s2.json.message, 'secrets "s2" is forbidden: User "system:serviceaccount:app:reader" cannot get resource "secrets" in API group "" in the namespace "app"');
    assert.deepEqual(s2.json.details, { name: "s2", kind: "secrets" });
    assert.equal((await send(sa, "POST", "/api/v1/namespaces/app/configmaps", { metadata: { name: "c" } })).status, 201);
    assert.equal((await send(sa, "GET", "/api/v1/namespaces/default/configmaps")).status, 403, "a RoleBinding grants only its namespace");
    const cluster = await send(sa, "GET", `${RBAC}/clusterroles`);
    assert.equal(cluster.json.message, 'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:app:reader" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope');
    assert.equal((await send(sa, "GET", "/apis")).status, 200, "discovery is open to authenticated users");
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example, #referring-to-subjects
  test("RBAC: ClusterRoleBinding to the system:serviceaccounts group and subresource rules", async () => {
    await send(admin, "POST", "/api/v1/namespaces/app/serviceaccounts", { metadata: { name: "rev" } });
    const rev = as(server.issueServiceAccountToken("app", "rev"));
    assert.equal((await send(rev, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: { token: "x" } })).status, 403);
    await send(admin, "POST", `${RBAC}/clusterroles`, {
      metadata: { name: "reviewer" },
      rules: [{ apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] }, { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }],
    });
    await send(admin, "POST", `${RBAC}/clusterrolebindings`, {
      metadata: { name: "reviewer" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "reviewer" },
      subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "system:serviceaccounts:app" }],
    });
    assert.equal((await send(rev, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: { token: "x" } })).status, 201);
    assert.equal((await send(rev, "POST", "/api/v1/namespaces/app/serviceaccounts/reader/token", {})).status, 201);
    assert.equal((await send(rev, "GET", "/api/v1/namespaces/app/serviceaccounts/reader")).status, 403, "the subresource rule does not grant the parent");
    const badRef = await send(admin, "POST", `${RBAC}/clusterrolebindings`, { metadata: { name: "bad" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "x" }, subjects: [] });
    assert.equal(badRef.status, 422);
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources (wildcards, */subresource)
  test("rule matching: wildcards, */status, resourceNames and nonResourceURLs", () => {
    const req = { resourceRequest: true as const, verb: "patch", apiGroup: "apps", resource: "deployments", subresource: "status", namespace: "x", name: "d" };
    assert.equal(ruleAllows(req, { verbs: ["*"], apiGroups: ["*"], resources: ["*"] }), true);
    assert.equal(ruleAllows(req, { verbs: ["patch"], apiGroups: ["apps"], resources: ["*/status"] }), true);
    assert.equal(ruleAllows(req, { verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments"] }), false);
    assert.equal(ruleAllows(req, { verbs: ["patch"], apiGroups: ["apps"], resources: ["deployments/status"], resourceNames: ["other"] }), false);
    assert.equal(ruleAllows(req, { verbs: ["get"], apiGroups: ["apps"], resources: ["deployments/status"] }), false);
    const path = { resourceRequest: false as const, verb: "get", path: "/metrics/cadvisor" };
    assert.equal(ruleAllows(path, { verbs: ["get"], nonResourceURLs: ["/metrics/*"] }), true);
    assert.equal(ruleAllows(path, { verbs: ["get"], nonResourceURLs: ["/metrics"] }), false);
    assert.equal(ruleAllows(req, null as never), false, "malformed stored rules never grant");
    assert.equal(ruleAllows(req, { verbs: "patch" as never, apiGroups: ["*"], resources: ["*"] }), false);
  });

  // https://kubernetes.io/docs/concepts/configuration/secret/#service-account-token-secrets
  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#other-component-roles (system:auth-delegator, seeded as in real clusters)
  test("a service-account-token Secret gets a legacy token that authenticates until the Secret is deleted", async () => {
    await send(admin, "POST", "/api/v1/namespaces", { metadata: { name: "vault" } });
    await send(admin, "POST", "/api/v1/namespaces/vault/serviceaccounts", { metadata: { name: "vault-reviewer" } });
    const sec = await send(admin, "POST", "/api/v1/namespaces/vault/secrets", {
      metadata: { name: "vault-reviewer-token", annotations: { "kubernetes.io/service-account.name": "vault-reviewer" } },
      type: "kubernetes.io/service-account-token",
    });
    assert.equal(sec.status, 201);
    const token = Buffer.from(sec.json.data.token, "base64").toString();
    assert.equal(Buffer.from(sec.json.data["ca.crt"], "base64").toString(), server.caPem);
    assert.equal(Buffer.from(sec.json.data.namespace, "base64").toString(), "vault");
    assert.equal(claims(token)["iss"], "kubernetes/serviceaccount");
    assert.equal(claims(token)["exp"], undefined, "legacy tokens do not expire");
    const reviewer = as(token);
    assert.equal((await send(reviewer, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: { token } })).status, 403);
    assert.equal((await send(admin, "GET", `${RBAC}/clusterroles/system:auth-delegator`)).status, 200, "seeded");
    await send(admin, "POST", `${RBAC}/clusterrolebindings`, {
      metadata: { name: "vault-tokenreview" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subjects: [{ kind: "ServiceAccount", name: "vault-reviewer", namespace: "vault" }],
    });
    const login = server.issueServiceAccountToken("app", "reader", { audiences: [server.issuer] });
    const review = await send(reviewer, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: { token: login } });
    assert.equal(review.status, 201);
    assert.equal(review.json.status.user.username, "system:serviceaccount:app:reader");
    await send(admin, "DELETE", "/api/v1/namespaces/vault/secrets/vault-reviewer-token");
    assert.equal((await send(reviewer, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", { spec: { token } })).status, 401, "deleting the Secret revokes the token");
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/authentication/#user-impersonation
  test("impersonation: the admin may act as a ServiceAccount (its RBAC applies); others may not impersonate", async () => {
    const asReader = { "Impersonate-User": "system:serviceaccount:app:reader" };
    assert.equal((await send(admin, "GET", "/api/v1/namespaces/app/secrets/s1", undefined, asReader)).status, 200);
    const denied = await send(admin, "GET", "/api/v1/namespaces/app/secrets/s2", undefined, asReader);
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /User "system:serviceaccount:app:reader" cannot get resource "secrets"/);
    const sa = as(server.issueServiceAccountToken("app", "reader"));
    const refused = await send(sa, "GET", "/api/v1/namespaces", undefined, { "Impersonate-User": "alice" });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.message, 'users "alice" is forbidden: User "system:serviceaccount:app:reader" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});
