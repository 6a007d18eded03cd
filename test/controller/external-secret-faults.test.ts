/**
 * Vault failing in every way the issue lists (429, 403, 404, 5xx, slow, and down: reached
 * through a TCP forwarder that is taken down; sealed is in the e2e file): the last good Secret
 * stays, Ready=False names the store and path but never a value, retries back off (few Vault
 * requests while failing), and recovery is automatic.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ControllerRuntime } from "../../src/controller/runtime/runtime.js";
import { externalSecretReconciler } from "../../src/controller/external-secret/index.js";
import { StoreConnections } from "../../src/eso/store-connections.js";
import { VaultReader } from "../../src/eso/vault-reader.js";
import { silentLogger } from "../../src/log.js";
import { testRuntimeConfig } from "./support/runtime-config.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { eventually, kubeFixture, type KubeFixture } from "../kube/kube-fixture.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;
const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const NAMESPACES: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };
const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
const ES: ResourceRef = { group: "external-secrets.io", version: "v1", plural: "externalsecrets", kind: "ExternalSecret", namespaced: true };
const SS: ResourceRef = { group: "external-secrets.io", version: "v1", plural: "secretstores", kind: "SecretStore", namespaced: true };

async function api(v: VaultTestCluster, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${v.addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": v.rootToken ?? "", "Content-Type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status}`);
}

describe("ExternalSecret under Vault faults", { timeout: 60_000 }, () => {
  let k: KubeFixture;
  let vault: VaultTestCluster;
  let runtime: ControllerRuntime;
  let proxy: TcpProxy;

  const value = (): string | undefined => {
    const s = k.server.objects("secrets", "faults").find((o) => o.metadata.name === "f");
    const v = (s?.["data"] as Record<string, string> | undefined)?.["v"];
    return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
  };
  const ready = (): { status?: string; message?: string } | undefined => {
    const o = k.server.objects("externalsecrets.external-secrets.io", "faults").find((x) => x.metadata.name === "f");
    return (o?.["status"] as { conditions?: Array<{ type: string; status: string; message: string }> } | undefined)?.conditions?.find((c) => c.type === "Ready");
  };

  before(async () => {
    k = await kubeFixture();
    for (const plural of ["externalsecrets", "secretstores", "clustersecretstores"]) {
      await k.kube.create(CRDS, parseYaml(readFileSync(new URL(`../../crds/${plural}.external-secrets.io.yaml`, import.meta.url), "utf8")) as KubeObject);
    }
    await k.kube.create(NAMESPACES, { metadata: { name: "faults" } });
    vault = await startVaultServer({ mode: "dev" });
    proxy = await startTcpProxy(vault.addr);
    await api(vault, "POST", "secret/data/f", { data: { v: CANARY } });
    await k.kube.create(SECRETS, { metadata: { name: "vault-token", namespace: "faults" }, stringData: { token: vault.rootToken ?? "" } });
    await k.kube.create(SS, { metadata: { name: "vault", namespace: "faults" }, spec: { provider: { vault: { server: proxy.addr, path: "secret", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
    await k.kube.create(ES, { metadata: { name: "f", namespace: "faults" }, spec: { refreshInterval: "1s", secretStoreRef: { name: "vault" }, data: [{ secretKey: "v", remoteRef: { key: "f", property: "v" } }] } });
    const clock = { now: () => new Date() };
    runtime = new ControllerRuntime({
      kube: k.kube,
      reconcilers: [externalSecretReconciler({ reader: new VaultReader(clock, { concurrency: 4, backoffBaseMs: 200, backoffMaxMs: 800 }), connections: new StoreConnections(k.kube, clock, { timeoutMs: 300 }) })],
      config: testRuntimeConfig({ concurrency: { default: 2, perKind: {} }, resyncPeriodMs: 3_600_000, namespace: "faults" }),
      log: silentLogger,
      backoff: { baseMs: 100, capMs: 800 },
    });
    await runtime.start();
    await eventually(() => value() === CANARY && ready()?.status === "True", 10_000, "first sync");
  });

  after(async () => {
    await runtime?.stop({ timeoutMs: 2_000 });
    await proxy?.down();
    await vault?.stop();
    await k?.close();
  });

  const faults: Array<[string, () => Promise<void> | void, RegExp, () => Promise<void> | void]> = [
    ["429", () => vault.faults.failRate(/secret\/data\/f/, 429, 1_000_000), /Vault rate limited the request \(HTTP 429\)/, () => vault.faults.clear()],
    ["403", () => vault.faults.failRate(/secret\/data\/f/, 403, 1_000_000), /Vault denied access \(HTTP 403\)/, () => vault.faults.clear()],
    ["5xx", () => vault.faults.failRate(/secret\/data\/f/, 500, 1_000_000), /Vault is unavailable \(HTTP 500\)/, () => vault.faults.clear()],
    ["slow", () => vault.faults.latencyMs(/secret\/data\/f/, 1_500), /Vault is unavailable \((ECONNABORTED|ETIMEDOUT|no answer)/, () => vault.faults.clear()],
    ["down", () => proxy.down(), /Vault is unavailable \((ECONNREFUSED|ECONNRESET|no answer)/, () => proxy.up()],
    ["404", () => api(vault, "DELETE", "secret/metadata/f"), /secret not found/, () => api(vault, "POST", "secret/data/f", { data: { v: CANARY } })],
  ];
  for (const [name, breakIt, message, fixIt] of faults) {
    test(`${name}: last good Secret stays, condition names store and path, backs off, recovers`, async () => {
      const readsBefore = vault.counters.requests("GET", /secret\/data\/f/);
      await breakIt();
      await eventually(() => ready()?.status === "False", 8_000, `Ready=False on ${name}`);
      const cond = ready();
      assert.match(cond?.message ?? "", message);
      assert.match(cond?.message ?? "", /store SecretStore faults\/vault, path secret\/data\/f/);
      assert.ok(!(cond?.message ?? "").includes(CANARY));
      assert.equal(value(), CANARY, "the last good Secret stays");
      await new Promise((r) => setTimeout(r, 1_000));
      assert.match(ready()?.message ?? "", message, "retries during the backoff keep the reason");
      const reads = vault.counters.requests("GET", /secret\/data\/f/) - readsBefore;
      assert.ok(reads <= 12, `backs off: ${reads} Vault reads in ~1-2 s of failure`);
      await fixIt();
      await eventually(() => ready()?.status === "True", 10_000, `recovery from ${name}`);
      assert.equal(value(), CANARY);
    });
  }

  test("events and status never hold the value", () => {
    const all = JSON.stringify([k.server.objects("externalsecrets.external-secrets.io"), k.server.objects("events")]);
    assert.ok(!all.includes(CANARY));
    assert.ok(!all.includes(vault.rootToken ?? "x"));
  });
});
