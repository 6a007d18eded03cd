/**
 * A Vault behind TLS with a private CA: the store's caBundle or caProvider (ConfigMap) makes the
 * connection trusted; without it the read fails as VaultUnavailable naming the store and path.
 * Certificates come from the real openssl CLI.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secretStoreSchema } from "../../src/api/secret-store.js";
import { StoreConnections } from "../../src/eso/store-connections.js";
import { VaultHttp } from "../../src/vault/client.js";
import { VaultError } from "../../src/vault/errors.js";
import { kubeFixture, type KubeFixture } from "../kube/kube-fixture.js";

const CONFIGMAPS = { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true };

describe("Vault over TLS with a private CA", { timeout: 30_000 }, () => {
  let dir: string;
  let server: Server;
  let addr: string;
  let caPem: string;
  let k: KubeFixture;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sb-vault-tls-"));
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca");
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.crt", "-days", "1", "-extfile", "ext.cnf");
    caPem = readFileSync(join(dir, "ca.crt"), "utf8");
    server = createServer({ key: readFileSync(join(dir, "srv.key")), cert: readFileSync(join(dir, "srv.crt")) }, (req, res) => {
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/v1/secret/data/app" && req.headers["x-vault-token"] === "t0k") {
        res.end(JSON.stringify({ data: { data: { password: "over-tls" }, metadata: { version: 1 } } }));
      } else {
        res.statusCode = 403;
        res.end(JSON.stringify({ errors: ["permission denied"] }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    addr = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    k = await kubeFixture();
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await k?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("caPem makes the private CA trusted; without it the read fails closed", async () => {
    assert.deepEqual(await new VaultHttp({ server: addr, caPem }, "SecretStore a/b").readKv("secret/data/app", "v2", undefined, "t0k"), { password: "over-tls" });
    await assert.rejects(
      new VaultHttp({ server: addr }, "SecretStore a/b").readKv("secret/data/app", "v2", undefined, "t0k"),
      (err: unknown) => err instanceof VaultError && err.failure === "VaultUnavailable" && /store SecretStore a\/b, path secret\/data\/app/.test(err.message),
    );
  });

  test("caBundle (base64) and caProvider (ConfigMap) on a store both work; a missing ConfigMap is a clear error", async () => {
    await k.kube.create(CONFIGMAPS, { metadata: { name: "vault-ca", namespace: "default" }, data: { "ca.crt": caPem } });
    const connections = new StoreConnections(k.kube, { now: () => new Date() });
    const store = (name: string, vault: Record<string, unknown>) =>
      secretStoreSchema.parse({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name, namespace: "default", uid: name }, spec: { provider: { vault: { server: addr, path: "secret", auth: { tokenSecretRef: { name: "t", key: "token" } }, ...vault } } } });
    const viaBundle = await connections.get(store("bundle", { caBundle: Buffer.from(caPem).toString("base64") }), "default");
    assert.deepEqual(await viaBundle.http.readKv("secret/data/app", "v2", undefined, "t0k"), { password: "over-tls" });
    const viaProvider = await connections.get(store("provider", { caProvider: { type: "ConfigMap", name: "vault-ca", key: "ca.crt" } }), "default");
    assert.deepEqual(await viaProvider.http.readKv("secret/data/app", "v2", undefined, "t0k"), { password: "over-tls" });
    await assert.rejects(
      connections.get(store("missing", { caProvider: { type: "ConfigMap", name: "nope", key: "ca.crt" } }), "default"),
      /CA not found: SecretStore default\/missing caProvider -> ConfigMap default\/nope key ca.crt/,
    );
  });
});
