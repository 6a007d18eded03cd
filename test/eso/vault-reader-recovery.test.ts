/**
 * VaultReader with a StoreRecovery against the Vault test server: a sealed Vault puts the store
 * into backoff and outage; reads fail fast meanwhile; once Vault is unsealed the probe
 * (sys/health) ends the outage, the backoff is cleared at once (not after its 5-minute cap) and
 * the listeners hear of it, so the next read goes to Vault.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.js";
import { StoreRecovery, type RecoveryTimers } from "../../src/eso/store-recovery.js";
import { VaultReader } from "../../src/eso/vault-reader.js";
import type { StoreConnection } from "../../src/eso/store-connections.js";
import { VaultHttp } from "../../src/vault/client.js";
import { VaultSession } from "../../src/vault/session.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";

describe("VaultReader + StoreRecovery", () => {
  let v: VaultTestCluster;
  before(async () => {
    v = await startVaultServer({ mode: "dev" });
    const res = await fetch(`${v.addr}/v1/secret/data/app`, { method: "POST", headers: { "X-Vault-Token": v.rootToken ?? "" }, body: JSON.stringify({ data: { k: "v" } }) });
    assert.equal(res.status, 200);
  });
  after(() => v.stop());

  test("an outage is probed and its end clears the store's backoff at once", async () => {
    const clock: Clock = { now: () => new Date(1_000_000) };
    const probes: Array<() => void> = [];
    const timers: RecoveryTimers = { setTimeout: (fn) => probes.push(fn), clearTimeout: () => undefined };
    const recovery = new StoreRecovery({ timers, intervalMs: 1000 });
    const reader = new VaultReader(clock, { backoffBaseMs: 300_000, backoffMaxMs: 300_000, recovery });
    const recovered: string[] = [];
    recovery.onRecovered((s) => recovered.push(s));
    const http = new VaultHttp({ server: v.addr, timeoutMs: 2000 }, "SecretStore ns/vault");
    const conn: StoreConnection = {
      key: "k",
      storeName: "SecretStore ns/vault",
      http,
      session: new VaultSession(http, { kind: "token", token: async () => v.rootToken ?? "" }, clock, "SecretStore ns/vault"),
      kv: { path: "secret", version: "v2" },
    };
    const read = async () => (await reader.readAll(conn, [{ path: "secret/data/app" }], 0, true)).values().next().value;
    v.faults.sealAll();
    const failed = await read();
    assert.match(String((failed as { error?: Error }).error?.message), /^Vault is sealed \(HTTP 503\)/);
    assert.deepEqual([reader.backoffRemainingMs(conn), recovery.outages], [300_000, ["SecretStore ns/vault"]]);
    // Still sealed: the probe finds it so and schedules the next one.
    probes.shift()?.();
    await new Promise((r) => setImmediate(r));
    await waitUntil(() => probes.length === 1);
    assert.deepEqual(recovered, []);
    await fetch(`${v.addr}/v1/sys/unseal`, { method: "PUT", body: JSON.stringify({ key: v.unsealKeys?.[0] }) });
    probes.shift()?.();
    await waitUntil(() => recovered.length === 1);
    assert.deepEqual([recovered, reader.backoffRemainingMs(conn), recovery.outages], [["SecretStore ns/vault"], 0, []]);
    const ok = await read();
    assert.deepEqual((ok as { data?: unknown }).data, { k: "v" });
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check());
}
