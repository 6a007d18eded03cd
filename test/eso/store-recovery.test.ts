/** StoreRecovery with manual timers: probing while in outage, recovery by probe, by a read, or by a nudge. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StoreRecovery, type RecoveryTimers } from "../../src/eso/store-recovery.js";

function manualTimers() {
  let next = 1;
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const timers: RecoveryTimers = {
    setTimeout: (fn, ms) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  const fire = async (): Promise<void> => {
    const all = [...pending.entries()];
    pending.clear();
    for (const [, t] of all) t.fn();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { timers, pending, fire };
}

describe("StoreRecovery", () => {
  test("probes a store in outage each interval until Vault answers unsealed, then tells the listeners once", async () => {
    const t = manualTimers();
    const r = new StoreRecovery({ timers: t.timers, intervalMs: 1000 });
    const recovered: string[] = [];
    r.onRecovered((s) => recovered.push(s));
    let up = false;
    let probes = 0;
    r.outage("SecretStore ns/vault", async () => (probes++, up));
    r.outage("SecretStore ns/vault", async () => (probes++, up));
    assert.deepEqual([...t.pending.values()].map((p) => p.ms), [1000]);
    await t.fire();
    await t.fire();
    assert.deepEqual([probes, recovered], [2, []]);
    up = true;
    await t.fire();
    assert.deepEqual([probes, recovered, r.outages, t.pending.size], [3, ["SecretStore ns/vault"], [], 0]);
  });

  test("a successful read ends the outage at once; healthy() of a store not in outage tells nobody", () => {
    const t = manualTimers();
    const r = new StoreRecovery({ timers: t.timers });
    const recovered: string[] = [];
    r.onRecovered((s) => recovered.push(s));
    r.healthy("a");
    r.outage("a", async () => false);
    r.healthy("a");
    assert.deepEqual([recovered, t.pending.size], [["a"], 0]);
  });

  test("nudge() probes every store in outage now; a throwing probe counts as down", async () => {
    const t = manualTimers();
    const r = new StoreRecovery({ timers: t.timers, intervalMs: 60_000 });
    const recovered: string[] = [];
    r.onRecovered((s) => recovered.push(s));
    r.outage("a", async () => true);
    r.outage("b", async () => {
      throw new Error("ECONNREFUSED");
    });
    r.nudge();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    assert.deepEqual([recovered, r.outages], [["a"], ["b"]]);
    r.stop();
    assert.equal(t.pending.size, 0);
  });
});
