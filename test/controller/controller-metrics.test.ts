/**
 * The sealed-secrets- and ESO-compatible metrics of a running `sealbridge controller`, scraped
 * from --metrics-addr after a SealedSecret that unseals and one that does not, and after an
 * ExternalSecret that syncs from Vault and one whose Vault is unreachable (test servers, or with
 * SEALBRIDGE_BACKEND=real a real kube-apiserver and OpenBao).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import type { KubeObject } from "../../src/kube/types.js";
import { startController, waitFor, type ControllerProcess } from "../support/controller-process.js";
import { goGeneratedKey, keySecret } from "../support/openssl-keys.js";
import { backendClusterFixture, sampleOf, scrapeMetrics, type BackendClusterFixture } from "./support/controller-fixtures.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;

function sealedSecret(namespace: string, name: string, label: string, certPem: string): KubeObject {
  const value = hybridEncrypt(new X509Certificate(certPem).publicKey, label, Buffer.from(CANARY)).toString("base64");
  return { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name, namespace }, spec: { encryptedData: { password: value } } };
}

function vaultObjects(server: string, suffix: string, token: string): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Secret", metadata: { name: `token-${suffix}`, namespace: "demo" }, stringData: { token } },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name: `vault-${suffix}`, namespace: "demo" },
      spec: { provider: { vault: { server, path: "secret", version: "v2", auth: { tokenSecretRef: { name: `token-${suffix}`, key: "token" } } } } },
    },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ExternalSecret",
      metadata: { name: `es-${suffix}`, namespace: "demo" },
      spec: {
        refreshInterval: "1h",
        secretStoreRef: { name: `vault-${suffix}`, kind: "SecretStore" },
        target: { name: `es-${suffix}` },
        data: [{ secretKey: "url", remoteRef: { key: "app", property: "url" } }],
      },
    },
  ];
}

describe("controller metrics (sealed-secrets and ESO names)", { timeout: 300_000 }, () => {
  let f: BackendClusterFixture;
  let vault: { addr: string; rootToken: string };
  let controller: ControllerProcess | undefined;
  const key = goGeneratedKey();

  before(async () => {
    f = await backendClusterFixture({ namespaces: ["sealbridge", "demo"] });
    vault = f.backend.vault;
    const res = await fetch(`${vault.addr}/v1/secret/data/app`, {
      method: "POST",
      headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" },
      body: JSON.stringify({ data: { url: CANARY } }),
    });
    assert.equal(res.status, 200);
    await f.apply([keySecret("sealed-secrets-keyabcde", key, { namespace: "sealbridge" })]);
  });
  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("unseal requests and errors, sync calls and errors, provider API calls", async () => {
    await f.apply([
      sealedSecret("demo", "db", "demo/db", key.certificatePem),
      sealedSecret("demo", "moved", "demo/elsewhere", key.certificatePem),
      ...vaultObjects(vault.addr, "ok", vault.rootToken ?? ""),
      ...vaultObjects("http://127.0.0.1:1", "down", "not-a-real-token"),
    ]);
    controller = await startController(f.ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
    const c = controller;
    await waitFor("the unsealed Secret", () => f.backend.get("/api/v1/namespaces/demo/secrets/db"), 60_000);
    await waitFor("the synced Secret", () => f.backend.get("/api/v1/namespaces/demo/secrets/es-ok"), 60_000);
    const text = await waitFor(
      "every counter",
      async () => {
        const t = await scrapeMetrics(c);
        const ready =
          sampleOf(t, "sealed_secrets_controller_unseal_errors_total", { reason: "unseal", namespace: "demo" }) > 0 &&
          sampleOf(t, "externalsecret_sync_calls_error", { name: "es-down", namespace: "demo" }) > 0 &&
          sampleOf(t, "externalsecret_provider_api_calls_count", { provider: "HashiCorp/Vault", call: "ReadSecretData", status: "error" }) > 0;
        return ready && t;
      },
      30_000,
    );
    assert.equal(sampleOf(text, "sealed_secrets_controller_unseal_requests_total"), 2, "one unseal per SealedSecret");
    assert.equal(sampleOf(text, "sealed_secrets_controller_unseal_errors_total", { reason: "unseal", namespace: "demo" }), 1);
    assert.ok(sampleOf(text, "externalsecret_sync_calls_total", { name: "es-ok", namespace: "demo" }) >= 1);
    assert.equal(sampleOf(text, "externalsecret_sync_calls_error", { name: "es-ok", namespace: "demo" }), 0);
    assert.ok(sampleOf(text, "externalsecret_sync_calls_total", { name: "es-down", namespace: "demo" }) >= 1);
    assert.ok(sampleOf(text, "externalsecret_provider_api_calls_count", { provider: "HashiCorp/Vault", call: "ReadSecretData", status: "success" }) >= 1);
    assert.ok(!text.includes(CANARY), "no value in the metrics");
  });
});
