/**
 * The one status summarizer, table-driven: both shapes (metav1 conditions with Ready, the
 * sealed-secrets Synced adapter), lastTransitionTime kept while a status holds, observedGeneration
 * where the CRD keeps it, the summary condition from the outcome, and "write only what differs".
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/kube/types.js";
import type { ConditionInput } from "../../../src/controller/runtime/conditions.js";
import { formatTime } from "../../../src/controller/runtime/conditions.js";
import type { PlanOutcome } from "../../../src/controller/runtime/kind.js";
import { statusDiffers, statusFingerprint, statusStyle, summarizeStatus } from "../../../src/controller/runtime/status-summary.js";
import { canonicalJson } from "../../../src/controller/runtime/json-compare.js";
import type { StatusStyle } from "../../../src/controller/runtime/status-summary.js";

const T0 = new Date("2026-05-01T10:00:00Z");
const T1 = new Date("2026-05-01T11:00:00Z");
type Planned = { status: "True" | "False"; reason: string; message: string };
const ok: Planned = { status: "True", reason: "Unsealed", message: "" };
const bad: Planned = { status: "False", reason: "ErrUnsealFailed", message: "Failed to unseal: key \"a\": cannot decrypt" };

function obj(status: unknown, generation: number | null = 3): KubeObject {
  return { metadata: { name: "a", namespace: "n", ...(generation !== null ? { generation } : {}) }, status };
}

/** The status to write after a pass, or null when the stored one already says the same. */
function next(stored: unknown, generation: number | null, conditions: ConditionInput[], now: Date, style: StatusStyle, outcome: PlanOutcome = { kind: "ok" }): Record<string, unknown> | null {
  const current = obj(stored, generation);
  const desired = summarizeStatus(current, { conditions, outcome }, style, now);
  return statusDiffers(current, desired) ? desired : null;
}

const sealedStyle = statusStyle("sealed-secrets");
const ageStyle = statusStyle("conditions", { summaryConditions: ["Synced", "Ready"] });
const synced = (c: Planned): ConditionInput[] => [{ type: "Synced", ...c }];
const both = (c: Planned): ConditionInput[] => [{ type: "Synced", ...c }, { type: "Ready", ...c }];
const conditionsOf = (s: Record<string, unknown> | null): Array<Record<string, unknown>> => (s?.["conditions"] ?? []) as Array<Record<string, unknown>>;

describe("summarizeStatus: the sealed-secrets shape", () => {
  test("first status: Synced with observedGeneration (sealed-secrets shape)", () => {
    assert.deepEqual(next(undefined, 3, synced(ok), T0, sealedStyle), {
      observedGeneration: 3,
      conditions: [{ type: "Synced", status: "True", reason: "Unsealed", message: "", lastUpdateTime: "2026-05-01T10:00:00Z", lastTransitionTime: "2026-05-01T10:00:00Z" }],
    });
  });

  test("unchanged: null (no write)", () => {
    const first = next(undefined, 3, synced(ok), T0, sealedStyle);
    assert.equal(next(first, 3, synced(ok), T1, sealedStyle), null);
    const firstAge = next(undefined, 3, both(ok), T0, ageStyle);
    assert.equal(next(firstAge, 3, both(ok), T1, ageStyle), null);
  });

  test("a new generation is written even with the same condition, keeping the transition time", () => {
    const first = next(undefined, 3, synced(ok), T0, sealedStyle);
    const again = next(first, 4, synced(ok), T1, sealedStyle);
    assert.equal(again?.["observedGeneration"], 4);
    assert.equal(conditionsOf(again)[0]?.["lastTransitionTime"], "2026-05-01T10:00:00Z");
  });

  test("a flip moves lastTransitionTime; other conditions are kept", () => {
    const first = { observedGeneration: 3, conditions: [{ type: "Other", status: "True" }, ...conditionsOf(next(undefined, 3, synced(ok), T0, sealedStyle))] };
    const again = next(first, 3, synced(bad), T1, sealedStyle);
    assert.deepEqual(conditionsOf(again).map((c) => c["type"]), ["Other", "Synced"]);
    assert.equal(conditionsOf(again)[1]?.["status"], "False");
    assert.equal(conditionsOf(again)[1]?.["lastTransitionTime"], "2026-05-01T11:00:00Z");
    assert.equal(conditionsOf(again)[1]?.["message"], bad.message);
  });

  test("metav1 style: Synced and Ready with observedGeneration, no lastUpdateTime", () => {
    const s = next(undefined, 2, both(bad), T0, ageStyle);
    assert.deepEqual(conditionsOf(s).map((c) => [c["type"], c["status"], c["observedGeneration"], "lastUpdateTime" in c]), [
      ["Synced", "False", 2, false],
      ["Ready", "False", 2, false],
    ]);
  });

  test("no plan conditions (a parse failure): the summary conditions come from the outcome", () => {
    const stalled: PlanOutcome = { kind: "stalled", reason: "ErrUnsealFailed", message: "invalid SealedSecret: spec: Required (fix the manifest)" };
    assert.deepEqual(conditionsOf(next(undefined, 1, [], T0, sealedStyle, stalled)).map((c) => [c["type"], c["status"], c["reason"], c["message"]]), [
      ["Synced", "False", "ErrUnsealFailed", stalled.message],
    ]);
    assert.deepEqual(conditionsOf(next(undefined, 1, [], T0, ageStyle, stalled)).map((c) => [c["type"], c["reason"]]), [
      ["Synced", "ErrUnsealFailed"],
      ["Ready", "ErrUnsealFailed"],
    ]);
  });
});

describe("summarizeStatus: metav1 conditions", () => {
  const style = statusStyle("conditions");
  const t0 = new Date("2026-01-01T00:00:00.500Z");
  const t1 = new Date("2026-01-01T01:00:00Z");
  const ready = (status: "True" | "False", reason: string, message: string): ConditionInput[] => [{ type: "Ready", status, reason, message }];

  test("adds a new condition with the current time, second precision", () => {
    assert.deepEqual(conditionsOf(next(undefined, null, ready("True", "Synced", "ok"), t0, style)), [
      { type: "Ready", status: "True", reason: "Synced", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" },
    ]);
  });

  test("keeps lastTransitionTime when the status is unchanged, even if reason/message change", () => {
    const a = next(undefined, 1, ready("False", "A", "a"), t0, style);
    const b = next(a, 1, ready("False", "B", "b"), t1, style);
    assert.equal(conditionsOf(b)[0]?.["lastTransitionTime"], formatTime(t0));
    assert.equal(conditionsOf(b)[0]?.["reason"], "B");
  });

  test("moves lastTransitionTime when the status changes; other conditions untouched", () => {
    const other = { type: "Stalled", status: "True", reason: "X", message: "x", lastTransitionTime: "2020-01-01T00:00:00Z" };
    const a = next({ conditions: [other] }, 1, ready("False", "A", "a"), t0, style);
    const b = next(a, 1, ready("True", "A", "a"), t1, style);
    assert.equal(conditionsOf(b).find((c) => c["type"] === "Ready")?.["lastTransitionTime"], formatTime(t1));
    assert.deepEqual(conditionsOf(b).find((c) => c["type"] === "Stalled"), other);
    assert.equal(conditionsOf(a).length, 2);
    assert.equal(conditionsOf(a).find((c) => c["type"] === "Ready")?.["status"], "False", "the earlier status is not mutated");
  });

  test("without a Ready condition from the plan, Ready summarizes the outcome (scrubbed)", () => {
    const table: Array<[string, PlanOutcome, string, string]> = [
      ["ok", { kind: "ok" }, "True", "ReconciliationSucceeded"],
      ["stalled", { kind: "stalled", reason: "InvalidSpec", message: "spec.x is empty" }, "False", "InvalidSpec"],
      ["waiting", { kind: "waiting", reason: "VaultSealed", message: "sealed", afterMs: 1000 }, "False", "VaultSealed"],
      ["transient", { kind: "transient", reason: "Boom", message: "token hvs.CANARYCANARYCANARYCANARY1234 rejected" }, "False", "Boom"],
    ];
    for (const [name, outcome, status, reason] of table) {
      const c = conditionsOf(next(undefined, 7, [], t0, style, outcome))[0];
      assert.equal(c?.["status"], status, name);
      assert.equal(c?.["reason"], reason, name);
      assert.equal(c?.["observedGeneration"], 7, name);
      assert.doesNotMatch(String(c?.["message"]), /CANARY/, name);
    }
  });

  test("observedGeneration only where the kind's CRD keeps it", () => {
    const inConditions = next(undefined, 5, ready("True", "Valid", "ok"), t0, statusStyle("conditions", { observedGenerationIn: "conditions" }));
    assert.equal(inConditions?.["observedGeneration"], undefined);
    assert.equal(conditionsOf(inConditions)[0]?.["observedGeneration"], 5);
    const inStatus = next(undefined, 5, ready("True", "Valid", "ok"), t0, statusStyle("conditions", { observedGenerationIn: "status" }));
    assert.equal(inStatus?.["observedGeneration"], 5);
    assert.equal(conditionsOf(inStatus)[0]?.["observedGeneration"], undefined);
    const nowhere = next(undefined, 5, [{ ...ready("True", "Valid", "ok")[0]!, observedGeneration: 4 }], t0, statusStyle("conditions", { observedGenerationIn: "none" }));
    assert.equal(nowhere?.["observedGeneration"], undefined, "none: not in status");
    assert.equal(conditionsOf(nowhere)[0]?.["observedGeneration"], undefined, "none: not in a condition, even one the plan set");
  });
});

describe("statusDiffers", () => {
  const c = (type: string, status: "True" | "False", extra: Record<string, unknown> = {}) => ({ type, status, reason: "R", message: "m", lastTransitionTime: "t", ...extra });
  const table: Array<[string, unknown, Record<string, unknown>, boolean]> = [
    ["nothing changed", { conditions: [c("A", "True")], refreshTime: "x" }, { conditions: [c("A", "True")] }, false],
    ["same conditions, other order", { conditions: [c("A", "True"), c("B", "False")] }, { conditions: [c("B", "False"), c("A", "True")] }, false],
    ["status differs", { conditions: [c("A", "True")] }, { conditions: [c("A", "False")] }, true],
    ["message differs", { conditions: [c("A", "True")] }, { conditions: [c("A", "True", { message: "n" })] }, true],
    ["condition generation differs", { conditions: [c("A", "True", { observedGeneration: 1 })] }, { conditions: [c("A", "True", { observedGeneration: 2 })] }, true],
    ["length differs", { conditions: [c("A", "True")] }, { conditions: [c("A", "True"), c("B", "True")] }, true],
    ["new generation", { observedGeneration: 1 }, { observedGeneration: 2 }, true],
    ["changed field", { refreshTime: "a" }, { refreshTime: "b" }, true],
    ["key order does not matter", { x: { a: 1, b: 2 } }, { x: { b: 2, a: 1 } }, false],
    ["no status yet", undefined, { conditions: [c("A", "True")] }, true],
  ];
  for (const [name, stored, desired, differs] of table) test(name, () => assert.equal(statusDiffers(obj(stored), desired), differs));

  test("canonicalJson sorts keys at every depth", () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });

  test("the fingerprint ignores times, not outcomes", () => {
    const a = { conditions: [c("Ready", "True", { lastTransitionTime: "1" })], refreshTime: "1" };
    const b = { conditions: [c("Ready", "True", { lastTransitionTime: "2" })], refreshTime: "2" };
    assert.equal(statusFingerprint("u", a, ["refreshTime"]), statusFingerprint("u", b, ["refreshTime"]));
    assert.notEqual(statusFingerprint("u", a, []), statusFingerprint("u", b, []));
    assert.notEqual(statusFingerprint("u", a, ["refreshTime"]), statusFingerprint("u", { ...a, conditions: [c("Ready", "False")] }, ["refreshTime"]));
  });
});
