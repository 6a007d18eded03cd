/**
 * Real tier: `sealbridge dns rotate --dns-credential` against a real kube-apiserver and OpenBao.
 * The DnsCredential's source is OpenBao KV v2 through a SecretStore whose auth is OpenBao's
 * kubernetes method with a serviceAccountRef (a TokenRequest by the CLI, reviewed by the real API
 * server, a role bound to that ServiceAccount and a policy allowing read/update of the path only).
 * The Cloudflare side is the local server answering with the documented shapes
 * (test/harness/acme/provider-apis.ts; pages: developers.cloudflare.com/api/resources/user/subresources/tokens/methods/{verify,get,create,delete}/).
 * The new token is proven, written as a new KV version (other keys kept), the old token deleted;
 * no token in the output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { realFixture, CRDS_DIR, type RealFixture } from "../harness/realstack/real-fixture.js";
import { startProviderApis, type ProviderApis } from "../harness/acme/provider-apis.js";
import { runCli } from "../support/run-cli.js";
import { waitEstablished } from "../support/crd-wait.js";

describe("dns rotate into OpenBao through a SecretStore with kubernetes auth", { timeout: 400_000 }, () => {
  let f: RealFixture;
  let apis: ProviderApis;
  const OLD = "cf-canary-real-old-Vv77Ww88";

  before(async () => {
    f = await realFixture();
    apis = await startProviderApis();
    for (const file of readdirSync(CRDS_DIR).filter((x) => /^(dnscredentials|secretstores|clustersecretstores)\./.test(x))) {
      const r = await f.ws.kubectl(["apply", "--server-side", "-f", join(CRDS_DIR, file)]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await waitEstablished((a) => f.ws.kubectl(a), ["crd", "--all"])).code, 0);
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "cert-manager" } });
    await f.admin.ensure("/api/v1/namespaces/cert-manager/serviceaccounts", { metadata: { name: "dns-rotator" } });
    await f.bao("PUT", "sys/policies/acl/dns-rw", { policy: 'path "secret/data/dns/*" { capabilities = ["read", "create", "update"] }' });
    await f.bao("POST", "auth/kubernetes/role/dns-rotator", { bound_service_account_names: ["dns-rotator"], bound_service_account_namespaces: ["cert-manager"], policies: ["dns-rw"], ttl: "10m" });
    await f.bao("POST", "secret/data/dns/cloudflare", { data: { token: OLD, zoneId: "keep-me" } });
    apis.tokens.push({ id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9", value: OLD, status: "active", dnsEdit: true, tokensWrite: true, name: "cert-manager dns", issuedOn: "2026-09-01T00:00:00Z", expiresOn: "2026-12-31T00:00:00Z" });
    await f.apply([
      {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: "bao", namespace: "cert-manager" },
        spec: { provider: { vault: { server: f.stack.vault?.addr ?? "", path: "secret", version: "v2", auth: { kubernetes: { mountPath: "kubernetes", role: "dns-rotator", serviceAccountRef: { name: "dns-rotator" } } } } } },
      },
      {
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "DnsCredential",
        metadata: { name: "cloudflare", namespace: "cert-manager" },
        spec: { source: { vault: { storeRef: { name: "bao" }, key: "dns/cloudflare", property: "token" } }, provider: { cloudflare: { apiUrl: apis.cloudflareUrl } }, zone: "example.test", targets: [{ name: "cloudflare-api-token", key: "api-token" }] },
      },
    ]);
  });
  after(async () => {
    await apis?.close();
    await f?.close();
  });

  test("the new token is proven, stored as a new KV version, and the old one deleted", async () => {
    const r = await runCli(["dns", "rotate", "--dns", "cloudflare", "--zone", "example.test", "--dns-credential", "cert-manager/cloudflare", "--kubeconfig", f.ws.kubeconfig, "--dns-resolver", `127.0.0.1:${apis.dnsPort}`, "--authoritative-port", String(apis.dnsPort)]);
    assert.equal(r.code, 0, r.stderr);
    const read = await f.bao<{ data: { data: Record<string, string>; metadata: { version: number } } }>("GET", "secret/data/dns/cloudflare");
    const created = apis.tokens.find((t) => t.value === read.data.data["token"]);
    assert.ok(created, "OpenBao holds the token Cloudflare created");
    assert.notEqual(created.value, OLD);
    assert.equal(read.data.data["zoneId"], "keep-me");
    assert.equal(read.data.metadata.version, 2);
    assert.ok(!apis.tokens.some((t) => t.value === OLD), "the old token was deleted");
    assert.match(r.stdout, /source: SecretStore cert-manager\/bao path secret\/data\/dns\/cloudflare property token/);
    for (const secret of [OLD, created.value, f.stack.vault?.rootToken ?? "unused"]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), "a token in the output");
  });
});
