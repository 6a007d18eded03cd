/**
 * DnsCredential with `source.vault`: the TSIG secret is read from Vault KV through a SecretStore
 * (the ExternalSecret machinery: store connection with its token Secret in the kube test server,
 * ESO path rules, property lookup, the shared VaultReader), proven against a real BIND, then
 * projected; a changed value in Vault is proven again before it propagates; a value BIND refuses
 * is never propagated; a sealed Vault is transient and the old credential stays. Through a
 * ClusterSecretStore (its auth Secret in its own namespace) the same; when that Vault becomes
 * unreachable nothing is propagated or deleted, the old value stays, and Ready names the store,
 * the path and the failure. The TSIG secrets are canaries: never in status, Events or conditions.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../../src/clock.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../../src/api/secret-store.js";
import { credentialDeps } from "../../../src/controller/dns-credential/deps.js";
import { dnsCredentialKind } from "../../../src/controller/dns-credential/index.js";
import { readVaultSource } from "../../../src/controller/dns-credential/vault-source.js";
import { StoreConnections } from "../../../src/eso/store-connections.js";
import { VaultReader } from "../../../src/eso/vault-reader.js";
import { SECRETS } from "../../../src/kube/resources.js";
import { newKey, startBind, type BindServer } from "../../harness/acme/bind.js";
import { startVaultServer, type VaultTestCluster } from "../../harness/vault/index.js";
import { kubeFixture, NAMESPACES, type KubeFixture } from "../../kube/kube-fixture.js";
import { KindDriver, ManualClock } from "../../support/kind-driver.js";

let bind: BindServer;
let vault: VaultTestCluster;
let k: KubeFixture;
const keyA = newKey("acme-a", true);
const keyB = newKey("acme-b", true);
const keyC = newKey("acme-c", false);

async function putVault(value: string): Promise<void> {
  const res = await fetch(`${vault.addr}/v1/secret/data/dns/tsig`, { method: "POST", headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" }, body: JSON.stringify({ data: { secret: value } }) });
  assert.ok(res.status < 400, `vault write: ${res.status}`);
}

before(async () => {
  bind = await startBind({ keys: [keyA, keyB, keyC] });
  vault = await startVaultServer({ mode: "dev" });
  k = await kubeFixture();
  await k.kube.create(NAMESPACES, { metadata: { name: "cert-manager" } });
  await k.kube.create(SECRETS, { metadata: { name: "vault-token", namespace: "cert-manager" }, stringData: { token: vault.rootToken ?? "" } });
});
after(async () => {
  await bind?.close();
  await vault?.stop();
  await k?.close();
});

describe("DnsCredential from Vault through a SecretStore", () => {
  test("proven then projected; a change is proven again; a refused one never propagates; sealed keeps the old one", async () => {
    const clock = new ManualClock(new Date());
    const eso = { connections: new StoreConnections(k.kube, systemClock, { timeoutMs: 2_000 }), reader: new VaultReader(systemClock, { backoffBaseMs: 1, backoffMaxMs: 1 }) };
    let probes = 0;
    const real = credentialDeps({ clock: systemClock, resolvers: [], readVault: (ctx, ns, src) => readVaultSource(eso, ctx, ns, src) });
    const kind = dnsCredentialKind({ ...real, probe: async (...args) => (probes++, real.probe(...args)) }, {}, eso.connections);
    const spec = (key: typeof keyA) => ({
      source: { vault: { storeRef: { name: "vault" }, key: "dns/tsig", property: "secret" } },
      provider: { rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: key.name, tsigAlgorithm: "HMACSHA256" } },
      zone: "example.test",
      targets: [{ name: "tsig", key: "secret" }],
    });
    const d = new KindDriver(kind as never, { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "tsig", namespace: "cert-manager", uid: "uid-v", generation: 1 }, spec: spec(keyA) }, clock) as KindDriver<unknown, unknown>;
    d.put(secretStoreResource, { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "vault", namespace: "cert-manager", uid: "ss-1", generation: 1 }, spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } });
    const target = () => {
      const v = (d.get(SECRETS, "cert-manager", "tsig")?.["data"] as Record<string, string> | undefined)?.["secret"];
      return v === undefined ? undefined : Buffer.from(v, "base64").toString();
    };

    // Not yet in Vault: transient, nothing written.
    const missing = await d.pass();
    assert.equal(missing.outcome.kind, "transient");
    assert.match(d.condition("Ready")?.message ?? "", /secret not found: store SecretStore cert-manager\/vault, path secret\/data\/dns\/tsig/);
    assert.equal(target(), undefined);

    await putVault(keyA.secret);
    const first = await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Propagated", d.condition("Ready")?.message);
    assert.equal(target(), keyA.secret);
    assert.equal(first.requeueAfterMs, 60_000, "a Vault source is read again periodically");
    assert.equal(probes, 1);

    // Changed in Vault: proven again, then propagated.
    await putVault(keyB.secret);
    d.primary = { ...d.primary, spec: spec(keyB) };
    await d.pass();
    assert.equal(probes, 2, "the changed value was probed before propagation");
    assert.equal(d.condition("Ready")?.reason, "Rotated");
    assert.equal(target(), keyB.secret);

    // A value BIND refuses: never propagated.
    await putVault(keyC.secret);
    d.primary = { ...d.primary, spec: spec(keyC) };
    const refused = await d.pass();
    assert.equal(probes, 3);
    assert.deepEqual(refused.writes, []);
    assert.equal(d.condition("Ready")?.reason, "CredentialRejected");
    assert.match(d.condition("Ready")?.message ?? "", /\(REFUSED\)/);
    assert.equal(target(), keyB.secret);

    // Sealed: transient, the old credential stays, no probe.
    vault.faults.sealAll();
    const sealed = await d.pass();
    assert.equal(sealed.outcome.kind, "transient");
    assert.deepEqual(sealed.writes, []);
    assert.equal(d.condition("Ready")?.reason, "SourceUnavailable");
    assert.match(d.condition("Ready")?.message ?? "", /Vault is sealed/);
    assert.equal(probes, 3);
    assert.equal(target(), keyB.secret);

    const visible = JSON.stringify([d.primary["status"], d.passes.map((p) => [p.events, p.conditions, p.outcome])]);
    for (const key of [keyA, keyB, keyC]) assert.ok(!visible.includes(key.secret), `secret of ${key.name} in status, Events or outcome`);
  });

  test("through a ClusterSecretStore; Vault unreachable: nothing propagated or deleted, the old value stays, Ready names store and path", async () => {
    const other = await startVaultServer({ mode: "dev" });
    let stopped = false;
    try {
      await k.kube.create(NAMESPACES, { metadata: { name: "vault-auth" } }).catch(() => undefined);
      await k.kube.create(SECRETS, { metadata: { name: "vault-token-2", namespace: "vault-auth" }, stringData: { token: other.rootToken ?? "" } });
      const put = await fetch(`${other.addr}/v1/secret/data/dns/tsig`, { method: "POST", headers: { "X-Vault-Token": other.rootToken ?? "", "Content-Type": "application/json" }, body: JSON.stringify({ data: { secret: keyA.secret } }) });
      assert.ok(put.status < 400);
      const clock = new ManualClock(new Date());
      const eso = { connections: new StoreConnections(k.kube, systemClock, { timeoutMs: 2_000 }), reader: new VaultReader(systemClock, { backoffBaseMs: 1, backoffMaxMs: 1 }) };
      let probes = 0;
      const real = credentialDeps({ clock: systemClock, resolvers: [], readVault: (ctx, ns, src) => readVaultSource(eso, ctx, ns, src) });
      const kind = dnsCredentialKind({ ...real, probe: async (...args) => (probes++, real.probe(...args)) }, {}, eso.connections);
      const cred = {
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "DnsCredential",
        metadata: { name: "tsig-cluster", namespace: "cert-manager", uid: "uid-c", generation: 1 },
        spec: {
          source: { vault: { storeRef: { name: "shared-vault", kind: "ClusterSecretStore" }, key: "dns/tsig", property: "secret" } },
          provider: { rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: keyA.name, tsigAlgorithm: "HMACSHA256" } },
          zone: "example.test",
          targets: [{ name: "tsig-cluster", key: "secret" }],
        },
      };
      const d = new KindDriver(kind as never, cred, clock) as KindDriver<unknown, unknown>;
      const store = { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "shared-vault", uid: "css-1", generation: 1 }, spec: { provider: { vault: { server: other.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token-2", key: "token", namespace: "vault-auth" } } } } } };
      d.put(clusterSecretStoreResource, store);
      // A change of the ClusterSecretStore re-runs the DnsCredentials reading through it.
      const watch = kind.secondaryWatches?.find((w) => w.resource === clusterSecretStoreResource);
      kind.parse(cred);
      assert.deepEqual(watch?.mapToPrimary(store), ["cert-manager/tsig-cluster"]);

      const first = await d.pass();
      assert.equal(d.condition("Ready")?.reason, "Propagated", d.condition("Ready")?.message);
      assert.equal(first.writes.length, 1);
      const target = () => (d.get(SECRETS, "cert-manager", "tsig-cluster")?.["data"] as Record<string, string> | undefined)?.["secret"];
      const proven = target();
      assert.equal(Buffer.from(proven ?? "", "base64").toString(), keyA.secret);

      await other.stop();
      stopped = true;
      clock.set(new Date(clock.now().getTime() + 61_000));
      const down = await d.pass();
      assert.equal(down.outcome.kind, "transient");
      assert.deepEqual(down.writes, [], "nothing written, nothing deleted");
      assert.equal(target(), proven, "the old value stays in the target");
      const ready = d.condition("Ready");
      assert.equal(ready?.status, "False");
      assert.equal(ready?.reason, "SourceUnavailable");
      assert.match(ready?.message ?? "", /ClusterSecretStore shared-vault/);
      assert.match(ready?.message ?? "", /secret\/data\/dns\/tsig/);
      assert.match(ready?.message ?? "", /unavailable|ECONNREFUSED/i);
      assert.match(ready?.message ?? "", /the targets keep the current credential/);
      assert.equal(probes, 1, "nothing to prove while the source is unreadable");
      const again = await d.pass();
      assert.deepEqual(again.writes, []);
      const visible = JSON.stringify([d.primary["status"], d.passes.map((p) => [p.events, p.conditions, p.outcome])]);
      assert.ok(!visible.includes(keyA.secret) && !visible.includes(other.rootToken ?? "hvs."), "no secret in status, Events or outcome");
    } finally {
      if (!stopped) await other.stop();
    }
  });
});
