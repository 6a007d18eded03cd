import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decideLease, microTime } from "../../../src/controller/runtime/leader-election.js";
import type { LeaseSpec } from "../../../src/controller/runtime/leader-election.js";

const now = new Date("2026-01-01T00:01:00Z");
const at = (s: number): string => microTime(new Date(now.getTime() + s * 1000));

describe("decideLease", () => {
  test("creates a missing lease", () => {
    const d = decideLease(null, "me", now, 15_000, undefined);
    assert.deepEqual(d, { action: "create", spec: { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: at(0), renewTime: at(0), leaseTransitions: 0 } });
  });
  test("renews its own lease, keeping acquireTime and transitions", () => {
    const current: LeaseSpec = { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: at(-50), renewTime: at(-2), leaseTransitions: 3 };
    const d = decideLease(current, "me", now, 15_000, undefined);
    assert.equal(d.action, "update");
    assert.ok(d.action === "update" && !d.acquired);
    assert.deepEqual(d.action === "update" && d.spec, { holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: at(-50), renewTime: at(0), leaseTransitions: 3 });
  });
  test("takes a released lease without counting a transition", () => {
    const d = decideLease({ leaseDurationSeconds: 1, renewTime: at(-1), leaseTransitions: 2 }, "me", now, 15_000, undefined);
    assert.ok(d.action === "update" && d.acquired && d.spec.holderIdentity === "me" && d.spec.leaseTransitions === 2);
  });
  test("waits while another holder's lease is fresh", () => {
    const current = { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: at(-5), leaseTransitions: 0 };
    const d = decideLease(current, "me", now, 15_000, undefined);
    assert.deepEqual(d, { action: "wait", holder: "other", expiresAtMs: now.getTime() + 10_000 });
  });
  test("takes over when renewTime + duration has passed", () => {
    const current = { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: at(-16), leaseTransitions: 4 };
    const d = decideLease(current, "me", now, 15_000, undefined);
    assert.ok(d.action === "update" && d.acquired && d.spec.leaseTransitions === 5 && d.spec.acquireTime === at(0));
  });
  test("takes over when the same record has been observed unchanged for a lease duration (clock skew)", () => {
    // The holder's clock runs ahead: its renewTime looks like the future to us.
    const current = { holderIdentity: "other", leaseDurationSeconds: 15, renewTime: at(+100), leaseTransitions: 0 };
    const seen = { holder: "other", renewTime: at(+100), observedAtMs: now.getTime() - 15_000 };
    assert.equal(decideLease(current, "me", now, 15_000, seen).action, "update");
    const recent = { ...seen, observedAtMs: now.getTime() - 14_000 };
    assert.equal(decideLease(current, "me", now, 15_000, recent).action, "wait");
    const changed = { ...seen, renewTime: at(+90) };
    assert.equal(decideLease(current, "me", now, 15_000, changed).action, "wait", "a changed record restarts observation");
  });
  test("microTime has microsecond precision", () => {
    assert.equal(microTime(new Date("2026-01-01T00:00:00.123Z")), "2026-01-01T00:00:00.123000Z");
  });
});
