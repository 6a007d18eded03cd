import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, statusChanges } from "../../../src/controller/runtime/status-writer.js";
import type { KubeObject } from "../../../src/kube/types.js";

const ready = { type: "Ready", status: "True", reason: "Synced", message: "ok", lastTransitionTime: "2026-01-01T00:00:00Z" };

function obj(status: unknown, generation = 2): KubeObject {
  return { metadata: { name: "a", namespace: "n", generation }, status };
}

describe("statusChanges", () => {
  test("nothing changed → null", () => {
    assert.equal(statusChanges(obj({ observedGeneration: 2, conditions: [ready], refreshTime: "x" }), { conditions: [ready] }), null);
  });
  test("new generation → write with observedGeneration", () => {
    assert.deepEqual(statusChanges(obj({ observedGeneration: 1, conditions: [ready] }), { conditions: [ready] }), { conditions: [ready], observedGeneration: 2 });
  });
  test("changed field → write", () => {
    assert.notEqual(statusChanges(obj({ observedGeneration: 2, refreshTime: "a" }), { refreshTime: "b" }), null);
  });
  test("key order does not matter", () => {
    assert.equal(statusChanges(obj({ observedGeneration: 2, x: { a: 1, b: 2 } }), { x: { b: 2, a: 1 } }), null);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
  test("no status yet → write", () => {
    assert.deepEqual(statusChanges(obj(undefined), { conditions: [ready] }), { conditions: [ready], observedGeneration: 2 });
  });
});
