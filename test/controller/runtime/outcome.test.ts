import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decide, StalledMemory } from "../../../src/controller/runtime/outcome.js";
import { StalledError, TransientError, WaitingError } from "../../../src/controller/types.js";
import { KubeApiError } from "../../../src/kube/errors.js";

describe("decide", () => {
  const table: Array<[string, Parameters<typeof decide>[0], { result: string; next: unknown; status: string; reason: string; event?: string }]> = [
    ["success", { outcome: {} }, { result: "success", next: { kind: "done" }, status: "True", reason: "ReconciliationSucceeded" }],
    ["success with requeue", { outcome: { requeueAfterMs: 60_000 } }, { result: "success", next: { kind: "requeueAfter", ms: 60_000 }, status: "True", reason: "ReconciliationSucceeded" }],
    ["waiting", { error: new WaitingError("VaultSealed", "vault is sealed: https://vault:8200 (unseal it)", 30_000) }, { result: "waiting", next: { kind: "requeueAfter", ms: 30_000 }, status: "False", reason: "VaultSealed", event: "Normal" }],
    ["stalled", { error: new StalledError("InvalidSpec", "spec.data[0].remoteRef.key is empty") }, { result: "stalled", next: { kind: "stalled" }, status: "False", reason: "InvalidSpec", event: "Warning" }],
    ["transient", { error: new TransientError("VaultUnreachable", "connect ECONNREFUSED") }, { result: "error", next: { kind: "backoff" }, status: "False", reason: "VaultUnreachable", event: "Warning" }],
    ["kube api error", { error: new KubeApiError({ verb: "update", resource: "secrets", namespace: "a", name: "b" }, 409, "Conflict", "the object has been modified") }, { result: "error", next: { kind: "backoff" }, status: "False", reason: "ReconciliationFailed", event: "Warning" }],
    ["non-error thrown", { error: "boom" }, { result: "error", next: { kind: "backoff" }, status: "False", reason: "ReconciliationFailed", event: "Warning" }],
  ];
  for (const [name, input, want] of table) {
    test(name, () => {
      const d = decide(input, 7);
      assert.equal(d.result, want.result);
      assert.deepEqual(d.next, want.next);
      assert.equal(d.condition.type, "Ready");
      assert.equal(d.condition.status, want.status);
      assert.equal(d.condition.reason, want.reason);
      assert.equal(d.condition.observedGeneration, 7);
      assert.equal(d.event?.type, want.event);
      if (d.event) assert.equal(d.event.reason, d.condition.reason, "event reason equals condition reason");
    });
  }

  test("secret-shaped text in error messages is scrubbed", () => {
    const d = decide({ error: new TransientError("Boom", "token hvs.CANARYCANARYCANARYCANARY1234 rejected; Bearer abcdefghijkl") });
    assert.doesNotMatch(d.condition.message, /CANARY|abcdefghijkl/);
    assert.doesNotMatch(d.event!.message, /CANARY/);
  });
});

describe("StalledMemory", () => {
  test("stalled only at the generation it stalled at", () => {
    const m = new StalledMemory();
    m.mark("ns/a", 3);
    assert.equal(m.isStalled("ns/a", 3), true);
    assert.equal(m.isStalled("ns/a", 4), false);
    assert.equal(m.isStalled("ns/b", 3), false);
    m.clear("ns/a");
    assert.equal(m.isStalled("ns/a", 3), false);
  });
});
