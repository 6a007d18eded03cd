import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nextSyncedStatus } from "../../src/controller/synced-status.js";

const T0 = new Date("2026-05-01T10:00:00Z");
const T1 = new Date("2026-05-01T11:00:00Z");
const ok = { status: "True" as const, reason: "Unsealed" as const, message: "" };
const bad = { status: "False" as const, reason: "ErrUnsealFailed" as const, message: "Failed to unseal: key \"a\": cannot decrypt" };

describe("nextSyncedStatus", () => {
  test("first status: Synced with observedGeneration (sealed-secrets shape)", () => {
    assert.deepEqual(nextSyncedStatus(undefined, 3, ok, T0, "sealed-secrets"), {
      observedGeneration: 3,
      conditions: [{ type: "Synced", status: "True", reason: "Unsealed", message: "", lastUpdateTime: "2026-05-01T10:00:00Z", lastTransitionTime: "2026-05-01T10:00:00Z" }],
    });
  });

  test("unchanged: null (no write)", () => {
    const first = nextSyncedStatus(undefined, 3, ok, T0, "sealed-secrets");
    assert.equal(nextSyncedStatus(first, 3, ok, T1, "sealed-secrets"), null);
    const firstAge = nextSyncedStatus(undefined, 3, ok, T0, "metav1");
    assert.equal(nextSyncedStatus(firstAge, 3, ok, T1, "metav1"), null);
  });

  test("a new generation is written even with the same condition, keeping the transition time", () => {
    const first = nextSyncedStatus(undefined, 3, ok, T0, "sealed-secrets");
    const next = nextSyncedStatus(first, 4, ok, T1, "sealed-secrets");
    assert.equal(next?.observedGeneration, 4);
    assert.equal(next?.conditions[0]?.["lastTransitionTime"], "2026-05-01T10:00:00Z");
  });

  test("a flip moves lastTransitionTime; other conditions are kept", () => {
    const first = { observedGeneration: 3, conditions: [{ type: "Other", status: "True" }, ...(nextSyncedStatus(undefined, 3, ok, T0, "sealed-secrets")?.conditions ?? [])] };
    const next = nextSyncedStatus(first, 3, bad, T1, "sealed-secrets");
    assert.deepEqual(next?.conditions.map((c) => c["type"]), ["Other", "Synced"]);
    assert.equal(next?.conditions[1]?.["status"], "False");
    assert.equal(next?.conditions[1]?.["lastTransitionTime"], "2026-05-01T11:00:00Z");
    assert.equal(next?.conditions[1]?.["message"], bad.message);
  });

  test("metav1 style: Synced and Ready with observedGeneration, no lastUpdateTime", () => {
    const s = nextSyncedStatus(undefined, 2, bad, T0, "metav1");
    assert.deepEqual(s?.conditions.map((c) => [c["type"], c["status"], c["observedGeneration"], "lastUpdateTime" in c]), [
      ["Synced", "False", 2, false],
      ["Ready", "False", 2, false],
    ]);
  });
});
