import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nextRefreshDelayMs, refreshDue, refreshWindow } from "../../src/eso/refresh-schedule.js";

const H = 3_600_000;

describe("refresh schedule", () => {
  test("next refresh lands at the next window start plus jitter (at most 30 s)", () => {
    const now = 10 * H + 123;
    assert.equal(nextRefreshDelayMs(now, H, () => 0), H - 123);
    assert.equal(nextRefreshDelayMs(now, H, () => 0.5), H - 123 + 15_000);
    const short = 10_000;
    assert.equal(nextRefreshDelayMs(5_000, short, () => 0.999999), 5_000 + 1_000);
  });
  test("refreshInterval 0 never refreshes again", () => {
    assert.equal(nextRefreshDelayMs(5, 0, Math.random), null);
    assert.equal(refreshDue({ nowMs: 10 * H, intervalMs: 0, lastFetchMs: 0, metadataChanged: false }), false);
  });
  test("due: first time, after metadata change, or once the window passed", () => {
    assert.equal(refreshDue({ nowMs: 1, intervalMs: H, lastFetchMs: undefined, metadataChanged: false }), true);
    assert.equal(refreshDue({ nowMs: 2, intervalMs: H, lastFetchMs: 1, metadataChanged: true }), true);
    assert.equal(refreshDue({ nowMs: H - 1, intervalMs: H, lastFetchMs: 1, metadataChanged: false }), false);
    assert.equal(refreshDue({ nowMs: H + 1, intervalMs: H, lastFetchMs: H - 1, metadataChanged: false }), true);
    assert.equal(refreshWindow(2 * H + 5, H), 2);
  });
});
