import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { conditionsEqual, findCondition, formatTime, setCondition } from "../../../src/controller/runtime/conditions.js";
import type { Condition } from "../../../src/controller/runtime/conditions.js";

const t0 = new Date("2026-01-01T00:00:00.500Z");
const t1 = new Date("2026-01-01T01:00:00Z");

describe("setCondition", () => {
  test("adds a new condition with the current time", () => {
    const out = setCondition(undefined, { type: "Ready", status: "True", reason: "Synced", message: "ok" }, t0);
    assert.deepEqual(out, [{ type: "Ready", status: "True", reason: "Synced", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" }]);
  });
  test("keeps lastTransitionTime when the status is unchanged, even if reason/message change", () => {
    const a = setCondition(undefined, { type: "Ready", status: "False", reason: "A", message: "a" }, t0);
    const b = setCondition(a, { type: "Ready", status: "False", reason: "B", message: "b" }, t1);
    assert.equal(b[0]!.lastTransitionTime, formatTime(t0));
    assert.equal(b[0]!.reason, "B");
  });
  test("moves lastTransitionTime when the status changes; other conditions untouched", () => {
    const other: Condition = { type: "Stalled", status: "True", reason: "X", message: "x", lastTransitionTime: "2020-01-01T00:00:00Z" };
    const a = setCondition([other], { type: "Ready", status: "False", reason: "A", message: "a" }, t0);
    const b = setCondition(a, { type: "Ready", status: "True", reason: "A", message: "a" }, t1);
    assert.equal(findCondition(b, "Ready")!.lastTransitionTime, formatTime(t1));
    assert.deepEqual(findCondition(b, "Stalled"), other);
    assert.equal(a.length, 2, "input not mutated");
    assert.equal(findCondition(a, "Ready")!.status, "False");
  });
});

describe("conditionsEqual", () => {
  const c = (type: string, status: "True" | "False", extra: Partial<Condition> = {}): Condition => ({ type, status, reason: "R", message: "m", lastTransitionTime: "t", ...extra });
  const table: Array<[string, Condition[] | undefined, Condition[] | undefined, boolean]> = [
    ["both empty", undefined, [], true],
    ["same, other order", [c("A", "True"), c("B", "False")], [c("B", "False"), c("A", "True")], true],
    ["status differs", [c("A", "True")], [c("A", "False")], false],
    ["message differs", [c("A", "True")], [c("A", "True", { message: "n" })], false],
    ["generation differs", [c("A", "True", { observedGeneration: 1 })], [c("A", "True", { observedGeneration: 2 })], false],
    ["length differs", [c("A", "True")], [c("A", "True"), c("B", "True")], false],
  ];
  for (const [name, a, b, equal] of table) test(name, () => assert.equal(conditionsEqual(a, b), equal));
});
