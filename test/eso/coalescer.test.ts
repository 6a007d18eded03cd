import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ReadCoalescer } from "../../src/eso/coalescer.js";
import { Semaphore, StoreBackoff } from "../../src/eso/concurrency.js";

function fakeClock(start = 0): { now(): Date; advance(ms: number): void } {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

describe("ReadCoalescer", () => {
  test("concurrent reads of one key share one fetch; later reads in the window hit the cache", async () => {
    const clock = fakeClock(1_000);
    const c = new ReadCoalescer<string>(clock);
    let fetches = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const fetch = async () => { fetches++; await gate; return "v"; };
    const all = Promise.all(Array.from({ length: 50 }, () => c.get("s|p", 60_000, fetch)));
    release();
    assert.deepEqual(new Set(await all), new Set(["v"]));
    assert.equal(fetches, 1);
    assert.equal(await c.get("s|p", 60_000, fetch), "v");
    assert.equal(fetches, 1);
    clock.advance(60_000); // next window
    await c.get("s|p", 60_000, fetch);
    assert.equal(fetches, 2);
    assert.equal(c.stats.fetches, 2);
    assert.equal(c.stats.joined, 49);
  });
  test("fresh bypasses the cache; failures are not cached", async () => {
    const c = new ReadCoalescer<number>(fakeClock());
    let n = 0;
    assert.equal(await c.get("k", 60_000, async () => ++n), 1);
    assert.equal(await c.get("k", 60_000, async () => ++n, { fresh: true }), 2);
    await assert.rejects(c.get("e", 60_000, async () => { throw new Error("down"); }), /down/);
    assert.equal(await c.get("e", 60_000, async () => 7), 7);
    assert.equal(await c.get("k", 60_000, async () => ++n), 2, "the fresh read refreshed the cache");
  });
});

describe("Semaphore", () => {
  test("never runs more than the limit at once", async () => {
    const s = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 20 }, () => s.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setImmediate(r));
      active--;
    })));
    assert.equal(peak, 3);
    assert.equal(s.inUse, 0);
  });
});

describe("StoreBackoff", () => {
  test("doubles per failure up to the cap, honours Retry-After, resets on success", () => {
    const clock = fakeClock();
    const b = new StoreBackoff(clock, 1_000, 8_000);
    assert.equal(b.failure("s"), 1_000);
    assert.equal(b.failure("s"), 2_000);
    assert.equal(b.failure("s"), 4_000);
    assert.equal(b.failure("s"), 8_000);
    assert.equal(b.failure("s"), 8_000);
    assert.equal(b.remainingMs("s"), 8_000);
    clock.advance(3_000);
    assert.equal(b.remainingMs("s"), 5_000);
    assert.equal(b.failure("t", 30_000), 30_000);
    b.success("s");
    assert.equal(b.remainingMs("s"), 0);
    assert.equal(b.failures("s"), 0);
  });
});
