/**
 * `sealbridge dns rotate --dns-credential NS/NAME` stores the new Cloudflare token in the
 * DnsCredential's source: Vault KV v2 through a SecretStore, Vault KV v1 through a
 * ClusterSecretStore (both with the store's tokenSecretRef auth, as the controller connects; the
 * other keys of the Vault secret kept; KV v2 written check-and-set), and a Secret. Against the
 * Kubernetes and Vault test servers and the local Cloudflare-shaped API
 * (test/harness/acme/provider-apis.ts), whose shapes follow Cloudflare's API pages:
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/get/
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/create/
 *   https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/delete/
 *   https://developers.cloudflare.com/fundamentals/api/how-to/create-via-api/
 * Proven first: a new token is created with the old one's policies, verified and put through a
 * DNS-01 round trip, stored, and only then is the old token deleted; a new token that fails its
 * proof is deleted again and nothing is stored; an unreachable Vault stops the rotation before any
 * token exists. Canary tokens never in output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.js";
import { dnsCredentialResource } from "../../src/api/dns-credential.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../src/api/secret-store.js";
import { dnsCredentialSchema } from "../../src/api/dns-credential.js";
import { credentialSourceAccess } from "../../src/controller/dns-credential/credential-source.js";
import { SECRETS } from "../../src/kube/resources.js";
import type { KubeObject } from "../../src/kube/types.js";
import { startProviderApis, type FakeToken, type ProviderApis } from "../harness/acme/provider-apis.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { kubeFixture, NAMESPACES, type KubeFixture } from "../kube/kube-fixture.js";
import { installCrd } from "../support/kube-client.js";
import { runCli } from "../support/run-cli.js";

const VAULT_ROOT = "hvs.canary-root-Zz11Yy22";
let apis: ProviderApis;
let vault: VaultTestCluster;
let k: KubeFixture;
const seen: string[] = [];

async function vaultCall(method: string, path: string, body?: unknown): Promise<{ status: number; json: { data?: { data?: Record<string, string>; metadata?: { version?: number } } & Record<string, unknown> } }> {
  const res = await fetch(`${vault.addr}/v1/${path}`, { method, headers: { "X-Vault-Token": VAULT_ROOT, "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

function cloudflareToken(name: string): FakeToken {
  const token: FakeToken = { id: Buffer.from(name.padEnd(16, "-")).toString("hex").slice(0, 32), value: `cf-canary-${name}-${Math.random().toString(36).slice(2)}`, status: "active", dnsEdit: true, tokensWrite: true, name, issuedOn: "2026-09-01T00:00:00Z", expiresOn: "2026-12-01T00:00:00Z" };
  apis.tokens.push(token);
  seen.push(token.value);
  return token;
}

function credential(name: string, source: Record<string, unknown>): KubeObject {
  return { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name, namespace: "cert-manager" }, spec: { source, provider: { cloudflare: { apiUrl: apis.cloudflareUrl } }, zone: "example.test", targets: [{ name: `${name}-out`, key: "api-token" }] } };
}

const rotate = (...args: string[]) =>
  runCli(["dns", "rotate", "--dns", "cloudflare", "--zone", "example.test", "--dns-resolver", `127.0.0.1:${apis.dnsPort}`, "--authoritative-port", String(apis.dnsPort), "--kubeconfig", k.kubeconfigPath, ...args]);

function noCanary(...texts: string[]): void {
  for (const t of texts) for (const c of [...seen, ...apis.tokens.map((x) => x.value), VAULT_ROOT]) assert.ok(!t.includes(c), `a token in the output:\n${t}`);
}

before(async () => {
  apis = await startProviderApis();
  vault = await startVaultServer({ mode: "dev", rootToken: VAULT_ROOT });
  k = await kubeFixture();
  for (const file of ["dnscredentials.sealbridge.io.yaml", "secretstores.external-secrets.io.yaml", "clustersecretstores.external-secrets.io.yaml"]) await installCrd(k.kube, new URL(`../../crds/${file}`, import.meta.url));
  await k.kube.create(NAMESPACES, { metadata: { name: "cert-manager" } });
  await k.kube.create(SECRETS, { metadata: { name: "vault-token", namespace: "cert-manager" }, stringData: { token: VAULT_ROOT } });
  const auth = { tokenSecretRef: { name: "vault-token", key: "token" } };
  await k.kube.create(secretStoreResource, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault-v2", namespace: "cert-manager" }, spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth } } } });
  await k.kube.create(clusterSecretStoreResource, { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "vault-v1" }, spec: { provider: { vault: { server: vault.addr, path: "kv1", version: "v1", auth: { tokenSecretRef: { ...auth.tokenSecretRef, namespace: "cert-manager" } } } } } });
  assert.ok((await vaultCall("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } })).status < 300);
});
after(async () => {
  await apis?.close();
  await vault?.stop();
  await k?.close();
});

describe("dns rotate into a DnsCredential's source", () => {
  test("Vault KV v2 through a SecretStore: created, proven, stored (other keys kept, check-and-set), then the old token deleted", async () => {
    const old = cloudflareToken("v2");
    assert.ok((await vaultCall("POST", "secret/data/dns/cloudflare", { data: { token: old.value, zoneId: "keep-me" } })).status < 300);
    await k.kube.create(dnsCredentialResource, credential("cf-v2", { vault: { storeRef: { name: "vault-v2" }, key: "dns/cloudflare", property: "token" } }));
    apis.requests.length = 0;
    const r = await rotate("--dns-credential", "cert-manager/cf-v2");
    assert.equal(r.code, 0, r.stderr);
    const stored = (await vaultCall("GET", "secret/data/dns/cloudflare")).json.data;
    const created = apis.tokens.find((t) => t.value === stored?.data?.["token"]);
    assert.ok(created, "Vault holds a token Cloudflare created");
    assert.notEqual(created.id, old.id);
    assert.equal(stored?.data?.["zoneId"], "keep-me", "the other keys of the secret are kept");
    assert.equal(stored?.metadata?.version, 2, "one new version");
    assert.ok(!apis.tokens.includes(old), "the old token was deleted");
    assert.equal(created.name, "v2");
    assert.ok(created.dnsEdit && created.tokensWrite, "the same policies");
    // The old lifetime (91 days) from now.
    const lifetime = Date.parse("2026-12-01T00:00:00Z") - Date.parse("2026-09-01T00:00:00Z");
    assert.ok(Math.abs(Date.parse(created.expiresOn ?? "") - (Date.now() + lifetime)) < 600_000, created.expiresOn);
    const order = apis.requests.filter((l) => /\/user\/tokens|dns_records/.test(l)).map((l) => l.replace(/[0-9a-f]{32}/g, "ID").replace(/\?.*/, ""));
    assert.deepEqual(order.filter((l) => !l.startsWith("GET /client/v4/zones")), [
      "GET /client/v4/user/tokens/verify",
      "GET /client/v4/user/tokens/ID",
      "POST /client/v4/user/tokens",
      "GET /client/v4/user/tokens/verify",
      "POST /client/v4/zones/ID/dns_records",
      "DELETE /client/v4/zones/ID/dns_records/ID",
      "DELETE /client/v4/user/tokens/ID",
    ]);
    assert.match(r.stdout, /source: SecretStore cert-manager\/vault-v2 path secret\/data\/dns\/cloudflare property token/);
    assert.match(r.stdout, /deleted the old token/);
    seen.push(created.value);
    noCanary(r.stdout, r.stderr);
  });

  test("Vault KV v1 through a ClusterSecretStore", async () => {
    const old = cloudflareToken("v1");
    assert.ok((await vaultCall("POST", "kv1/dns/cloudflare", { token: old.value, other: "kept" })).status < 300);
    await k.kube.create(dnsCredentialResource, credential("cf-v1", { vault: { storeRef: { name: "vault-v1", kind: "ClusterSecretStore" }, key: "dns/cloudflare", property: "token" } }));
    const r = await rotate("--dns-credential", "cert-manager/cf-v1");
    assert.equal(r.code, 0, r.stderr);
    const data = (await vaultCall("GET", "kv1/dns/cloudflare")).json.data as Record<string, string> | undefined;
    const created = apis.tokens.find((t) => t.value === data?.["token"]);
    assert.ok(created && created.id !== old.id);
    assert.equal(data?.["other"], "kept");
    assert.ok(!apis.tokens.includes(old));
    seen.push(created.value);
    noCanary(r.stdout, r.stderr);
  });

  test("a Secret source", async () => {
    const old = cloudflareToken("secret");
    await k.kube.create(SECRETS, { metadata: { name: "cf-incoming", namespace: "cert-manager" }, stringData: { token: old.value, note: "kept" } });
    await k.kube.create(dnsCredentialResource, credential("cf-secret", { secretRef: { name: "cf-incoming", key: "token" } }));
    const r = await rotate("--dns-credential", "cert-manager/cf-secret");
    assert.equal(r.code, 0, r.stderr);
    const data = (await k.kube.get(SECRETS, "cert-manager", "cf-incoming"))?.["data"] as Record<string, string>;
    const value = Buffer.from(data["token"] ?? "", "base64").toString();
    assert.ok(apis.tokens.some((t) => t.value === value && t.id !== old.id));
    assert.equal(Buffer.from(data["note"] ?? "", "base64").toString(), "kept");
    assert.ok(!apis.tokens.includes(old));
    seen.push(value);
    noCanary(r.stdout, r.stderr);
  });

  test("a new token that fails its DNS-01 proof: deleted again, nothing stored, the old token still works", async () => {
    const old = cloudflareToken("unproven");
    assert.ok((await vaultCall("POST", "secret/data/dns/unproven", { data: { token: old.value } })).status < 300);
    await k.kube.create(dnsCredentialResource, credential("cf-unproven", { vault: { storeRef: { name: "vault-v2" }, key: "dns/unproven", property: "token" } }));
    const before = apis.tokens.length;
    apis.faults.createdTokensLackDns = true;
    try {
      const r = await rotate("--dns-credential", "cert-manager/cf-unproven");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /failed its DNS-01 round trip \(HTTP 403\).*it was deleted again and nothing was stored; the old token \S+ still works/);
      noCanary(r.stdout, r.stderr);
    } finally {
      apis.faults.createdTokensLackDns = false;
    }
    assert.equal(apis.tokens.length, before, "the unproven token is gone");
    assert.ok(apis.tokens.includes(old));
    const stored = (await vaultCall("GET", "secret/data/dns/unproven")).json.data;
    assert.equal(stored?.data?.["token"], old.value);
    assert.equal(stored?.metadata?.version, 1);
  });

  test("Vault unreachable: nothing created at Cloudflare, a clear error naming the store and path", async () => {
    apis.requests.length = 0;
    const r = await rotate("--dns-credential", "cert-manager/cf-v2", "--vault-address", "http://127.0.0.1:9");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SecretStore cert-manager\/vault-v2/);
    assert.match(r.stderr, /secret\/data\/dns\/cloudflare/);
    assert.deepEqual(apis.requests.filter((l) => l.includes("/user/tokens")), []);
    noCanary(r.stdout, r.stderr);
  });

  test("KV v2 check-and-set: a value changed in Vault after it was read is not overwritten", async () => {
    assert.ok((await vaultCall("POST", "secret/data/dns/cas", { data: { token: "cf-canary-cas-first" } })).status < 300);
    const cred = dnsCredentialSchema.parse(credential("cf-cas", { vault: { storeRef: { name: "vault-v2" }, key: "dns/cas", property: "token" } }));
    const access = await credentialSourceAccess(k.kube, cred, { clock: systemClock });
    assert.equal(await access.read(), "cf-canary-cas-first");
    assert.ok((await vaultCall("POST", "secret/data/dns/cas", { data: { token: "cf-canary-cas-someone-else" } })).status < 300);
    const err = await access.write("cf-canary-cas-ours").catch((e: unknown) => e);
    assert.ok(err instanceof Error, "refused");
    assert.match(err.message, /secret\/data\/dns\/cas/);
    assert.ok(!err.message.includes("cf-canary"));
    assert.equal((await vaultCall("GET", "secret/data/dns/cas")).json.data?.data?.["token"], "cf-canary-cas-someone-else");
  });

  test("--source-* and --dns-credential together are refused", async () => {
    const r = await rotate("--dns-credential", "cert-manager/cf-v2", "--source-file", "/nonexistent");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exactly one source/);
  });
});
