import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, RECONCILE_BACKOFF, WATCH_BACKOFF } from "../../../src/controller/runtime/retry-timing.js";

describe("backoffDelay", () => {
  const table: Array<[number, number]> = [
    [0, 0],
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [9, 256_000],
    [10, 300_000],
    [1000, 300_000],
  ];
  for (const [failures, ms] of table) {
    test(`reconcile backoff after ${failures} failures is ${ms} ms`, () => assert.equal(backoffDelay(RECONCILE_BACKOFF, failures), ms));
  }
  test("jitter shortens by at most the jitter fraction", () => {
    assert.equal(backoffDelay(WATCH_BACKOFF, 1, () => 0), 200);
    assert.equal(backoffDelay(WATCH_BACKOFF, 1, () => 0.999999), 100);
    assert.equal(backoffDelay(WATCH_BACKOFF, 100, () => 0), 30_000);
    assert.equal(backoffDelay(WATCH_BACKOFF, 100, () => 0.5), 22_500);
  });
  test("custom factor", () => assert.equal(backoffDelay({ baseMs: 10, capMs: 1000, factor: 3 }, 3), 90));
});
