/**
 * `sealbridge_vault_sealed` (src/controller/vault-unsealer/sealed-metric.ts): 1/0 per node from the
 * planned status, nodes that left the status lose their series, a deleted VaultUnsealer loses all.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { sealedMetric } from "../../../src/controller/vault-unsealer/sealed-metric.js";

async function series(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((l) => l.startsWith("sealbridge_vault_sealed{"));
}

describe("sealbridge_vault_sealed", () => {
  test("1 while sealed, 0 once unsealed; unknown nodes and absent status leave it alone", async () => {
    const registry = new Registry();
    const m = sealedMetric(registry);
    m.record("vault", "bao", [{ name: "vault-0", sealed: true }, { name: "vault-1", sealed: false }, { name: "vault-2", reachable: false }]);
    assert.deepEqual(await series(registry), [
      'sealbridge_vault_sealed{namespace="vault",name="bao",node="vault-0"} 1',
      'sealbridge_vault_sealed{namespace="vault",name="bao",node="vault-1"} 0',
    ]);
    m.record("vault", "bao", undefined);
    assert.equal((await series(registry)).length, 2, "a pass without status.nodes changes nothing");
    m.record("vault", "bao", [{ name: "vault-0", sealed: false }]);
    assert.deepEqual(await series(registry), ['sealbridge_vault_sealed{namespace="vault",name="bao",node="vault-0"} 0'], "vault-1 left the status");
  });

  test("a deleted VaultUnsealer's series go; others stay", async () => {
    const registry = new Registry();
    const m = sealedMetric(registry);
    m.record("vault", "a", [{ name: "n", sealed: true }]);
    m.record("ops", "b", [{ name: "n", sealed: true }]);
    m.forget("vault/a");
    assert.deepEqual(await series(registry), ['sealbridge_vault_sealed{namespace="ops",name="b",node="n"} 1']);
  });
});
