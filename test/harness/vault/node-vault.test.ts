// node-vault 0.12 — the client sealbridge uses — against the test server, unchanged. What the client
// sends is recorded in shared/reference/vault-api.md §11; the pages cited are the endpoints' docs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import vault from "node-vault";
import { startKubeServer } from "../kube/index.js";
import type { KubeTestServer } from "../kube/index.js";
import { createAsAdmin as kubeCreate } from "../kube/test-client.js";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";

const apiDocs = "https://developer.hashicorp.com/vault/api-docs";

async function rejection(p: Promise<unknown>): Promise<{ message: string; response?: { statusCode: number; body: any } }> {
  try {
    await p;
  } catch (err) {
    return err as { message: string; response?: { statusCode: number; body: any } };
  }
  throw new Error("expected a rejection");
}

describe("node-vault: init, unseal, status on a new Vault", () => {
  let v: VaultTestCluster;
  before(async () => {
    v = await startVaultServer({ mode: "new" });
  });
  after(async () => {
    await v.stop();
  });

  test(`initialized/init/status/unseal (${apiDocs}/system/init, /system/unseal, /system/seal-status)`, async () => {
    const client = vault({ endpoint: v.addr });
    assert.deepEqual(await client.initialized(), { initialized: false });
    const init = await client.init({ secret_shares: 3, secret_threshold: 2 });
    assert.equal(init.keys.length, 3);
    assert.equal((await client.status()).sealed, true);
    const first = await client.unseal({ key: init.keys[0] });
    assert.deepEqual([first.sealed, first.progress], [true, 1]);
    const second = await client.unseal({ key: init.keys_base64[1] });
    assert.equal(second.sealed, false);
    client.token = init.root_token;
    const health = await client.health();
    assert.equal(health.sealed, false);
    await client.seal();
    // node-vault resolves sys/health whatever the status (503 here).
    assert.equal((await client.health()).sealed, true);
    const sealedRead = await rejection(client.read("secret/data/x"));
    assert.equal(sealedRead.message, "Vault is sealed");
    assert.equal(sealedRead.response?.statusCode, 503);
  });
});

describe("node-vault against a dev Vault", () => {
  let v: VaultTestCluster;
  let kube: KubeTestServer;
  let admin: ReturnType<typeof vault>;
  before(async () => {
    const frozen = Date.now();
    [v, kube] = await Promise.all([startVaultServer({ clock: () => frozen }), startKubeServer({ now: () => frozen })]);
    admin = vault({ endpoint: v.addr, token: v.rootToken ?? "" });
    await admin.addPolicy({ name: "dev", rules: 'path "secret/data/dev/*" { capabilities = ["read"] }' });
  });
  after(async () => {
    await Promise.all([v.stop(), kube.stop()]);
  });

  test(`KV v2 write/read/list/delete through generic methods (${apiDocs}/secret/kv/kv-v2)`, async () => {
    const w = await admin.write("secret/data/dev/db", { data: { password: "canary-node-vault" } });
    assert.equal(w.data.version, 1);
    const r = await admin.read("secret/data/dev/db");
    assert.deepEqual(r.data.data, { password: "canary-node-vault" });
    assert.deepEqual((await admin.list("secret/metadata/dev")).data.keys, ["db"]);
    const noVerbs = vault({ endpoint: v.addr, token: v.rootToken ?? "", noCustomHTTPVerbs: true });
    assert.deepEqual((await noVerbs.list("secret/metadata/dev")).data.keys, ["db"]);
    assert.equal(await admin.delete("secret/data/dev/db"), "");
    const gone = await rejection(admin.read("secret/data/dev/db"));
    assert.equal(gone.message, "Status 404");
    assert.equal(gone.response?.body.data.metadata.version, 1);
    await admin.write("secret/data/dev/db", { data: { password: "again" } });
  });

  test(`tokenCreate switches the client; lookup-self; renew-self; 403 on other paths (${apiDocs}/auth/token)`, async () => {
    const client = vault({ endpoint: v.addr, token: v.rootToken ?? "" });
    const created = await client.tokenCreate({ policies: ["dev"], ttl: "1h" });
    assert.equal(client.token, created.auth.client_token);
    const self = await client.tokenLookupSelf();
    assert.deepEqual(self.data.policies, ["default", "dev"]);
    assert.equal(self.data.ttl, 3600);
    const renewed = await client.tokenRenewSelf({ increment: "2h" });
    assert.equal(renewed.auth.lease_duration, 7200);
    assert.deepEqual((await client.read("secret/data/dev/db")).data.data, { password: "again" });
    const denied = await rejection(client.read("secret/data/other"));
    assert.match(denied.message, /permission denied/);
    assert.equal(denied.response?.statusCode, 403);
  });

  test(`approle: enableAuth, addApproleRole (policies alias), role-id, secret-id (no body), approleLogin (${apiDocs}/auth/approle)`, async () => {
    await admin.enableAuth({ mount_point: "approle", type: "approle" });
    await admin.addApproleRole({ role_name: "app", policies: "dev", token_ttl: 600 });
    const roleId = (await admin.getApproleRoleId({ role_name: "app" })).data.role_id;
    const secretId = (await admin.getApproleRoleSecret({ role_name: "app" })).data.secret_id;
    const client = vault({ endpoint: v.addr });
    const login = await client.approleLogin({ role_id: roleId, secret_id: secretId });
    assert.equal(client.token, login.auth.client_token);
    assert.deepEqual(login.auth.policies, ["default", "dev"]);
    assert.equal(login.auth.lease_duration, 600);
    assert.deepEqual((await client.read("secret/data/dev/db")).data.data, { password: "again" });
    const bad = await rejection(vault({ endpoint: v.addr }).approleLogin({ role_id: roleId, secret_id: "wrong" }));
    assert.equal(bad.message, "invalid role or secret ID");
  });

  test(`kubernetesLogin with mount_point; without it the // path fails as against Vault (${apiDocs}/auth/kubernetes; vault-api.md §11)`, async () => {
    assert.equal(await kubeCreate(kube, "/api/v1/namespaces/apps/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web" } }), 404);
    assert.equal(await kubeCreate(kube, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }), 201);
    assert.equal(await kubeCreate(kube, "/api/v1/namespaces/apps/serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web" } }), 201);
    await admin.enableAuth({ mount_point: "kubernetes", type: "kubernetes" });
    await admin.write("auth/kubernetes/config", { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: kube.adminToken });
    await admin.write("auth/kubernetes/role/web", { bound_service_account_names: ["web"], bound_service_account_namespaces: ["apps"], token_policies: ["dev"] });
    const jwt = kube.issueServiceAccountToken("apps", "web");
    const client = vault({ endpoint: v.addr });
    const login = await client.kubernetesLogin({ role: "web", jwt, mount_point: "kubernetes" });
    assert.equal(client.token, login.auth.client_token);
    assert.equal(login.auth.metadata.service_account_namespace, "apps");
    assert.deepEqual((await client.read("secret/data/dev/db")).data.data, { password: "again" });
    const noMount = await rejection(vault({ endpoint: v.addr }).kubernetesLogin({ role: "web", jwt }));
    assert.equal(noMount.response?.statusCode, 403);
  });
});
