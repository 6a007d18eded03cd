import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WorkQueue } from "../../../src/controller/runtime/work-queue.js";
import { ManualTimers } from "./manual-timers.js";

function queue(): { q: WorkQueue; timers: ManualTimers } {
  const timers = new ManualTimers();
  return { q: new WorkQueue({ timers, backoff: { baseMs: 1000, capMs: 8000 } }), timers };
}

describe("WorkQueue", () => {
  test("duplicates collapse and order is FIFO; depth is reported", async () => {
    const depths: number[] = [];
    const q = new WorkQueue({ timers: new ManualTimers(), onDepth: (d) => depths.push(d) });
    q.add("a");
    q.add("b");
    q.add("a");
    assert.equal(q.length, 2);
    assert.equal(await q.get(), "a");
    assert.equal(await q.get(), "b");
    assert.equal(q.length, 0);
    assert.deepEqual(depths, [1, 2, 1, 0]);
  });

  test("a key is never handed out twice at once; re-added while in flight comes back after done", async () => {
    const { q } = queue();
    q.add("a");
    const first = await q.get();
    assert.equal(first, "a");
    q.add("a");
    q.add("a");
    assert.equal(q.length, 0, "not available while in flight");
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await Promise.resolve();
    assert.equal(second, undefined);
    q.done("a");
    await Promise.resolve();
    assert.equal(second, "a");
    q.done("a");
    assert.equal(q.length, 0, "processed once more, not twice more");
  });

  test("waiting getters receive keys as they arrive", async () => {
    const { q } = queue();
    const got = q.get();
    q.add("x");
    assert.equal(await got, "x");
    assert.equal(q.inFlight, 1);
  });

  test("delayed adds fire after their delay; the earliest pending delay wins", async () => {
    const { q, timers } = queue();
    q.addAfter("a", 5000);
    q.addAfter("a", 2000);
    q.addAfter("a", 9000);
    assert.equal(q.delayedCount, 1);
    timers.advance(1999);
    assert.equal(q.length, 0);
    timers.advance(1);
    assert.equal(q.length, 1);
    timers.advance(10_000);
    assert.equal(q.length, 1, "the replaced timers do not fire");
  });

  test("a delay longer than a Node timer allows (a renewal 60 days away) waits it out in timers of at most 2^31-1 ms", () => {
    const { q, timers } = queue();
    const recorded: number[] = [];
    const setTimeout = timers.setTimeout.bind(timers);
    timers.setTimeout = (fn, ms) => (recorded.push(ms), setTimeout(fn, ms));
    const sixtyDays = 60 * 86_400_000;
    q.addAfter("cert", sixtyDays);
    timers.advance(2 ** 31 - 1);
    assert.equal(q.length, 0, "not due after the first timer");
    timers.advance(sixtyDays - (2 ** 31 - 1) - 1);
    assert.equal(q.length, 0, "not due a millisecond early");
    timers.advance(1);
    assert.equal(q.length, 1, "due at sixty days");
    assert.ok(recorded.every((ms) => ms <= 2 ** 31 - 1), `timer delays ${recorded.join(", ")}`);
    assert.equal(recorded.length, 3);
  });

  test("per-key backoff doubles to the cap and forget resets it", () => {
    const { q } = queue();
    const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited("a"));
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000]);
    assert.equal(q.failures("a"), 5);
    assert.equal(q.addRateLimited("b"), 1000, "keys back off independently");
    q.forget("a");
    assert.equal(q.failures("a"), 0);
    assert.equal(q.addRateLimited("a"), 1000);
  });

  test("retryNow: a key backing off is added at once with its failures cleared", () => {
    const { q, timers } = queue();
    [1, 2, 3].forEach(() => q.addRateLimited("a"));
    assert.deepEqual([q.length, q.delayedCount, q.failures("a")], [0, 1, 3]);
    q.retryNow("a");
    assert.deepEqual([q.length, q.delayedCount, q.failures("a")], [1, 0, 0]);
    timers.advance(10_000);
    assert.equal(q.length, 1, "the cancelled backoff timer does not add it again");
  });

  test("shutdown: getters get undefined, adds are ignored, drained waits for in-flight", async () => {
    const { q, timers } = queue();
    q.add("a");
    q.add("b");
    const key = await q.get();
    const waiting = q.get();
    q.addAfter("c", 100);
    assert.equal(await waiting, "b");
    const idle = q.get();
    q.shutDown();
    assert.equal(await idle, undefined);
    assert.equal(await q.get(), undefined);
    q.add("d");
    assert.equal(q.length, 0);
    timers.advance(1000);
    assert.equal(q.length, 0);
    let drained = false;
    void q.drained().then(() => (drained = true));
    q.done(key!);
    await Promise.resolve();
    assert.equal(drained, false, "b still in flight");
    q.done("b");
    await Promise.resolve();
    assert.equal(drained, true);
  });
});
