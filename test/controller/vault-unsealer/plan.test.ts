/**
 * planVaultUnsealer and the pure rules behind it, as tables: status per node (sealedSince,
 * lastUnsealTime, the wrong-share memory, alerting after alertAfter), the Unsealed condition and
 * outcome, Events only on changes, alert fire/resolve, and the jittered interval.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { UnsealerNodeStatus } from "../../../src/api/vault-unsealer.js";
import { alertChanges, attemptAllowed, jitteredInterval, type ObservedNode } from "../../../src/controller/vault-unsealer/node-status.js";
import { planVaultUnsealer, type UnsealerObserved } from "../../../src/controller/vault-unsealer/plan.js";
import type { UnsealerSpec } from "../../../src/controller/vault-unsealer/spec.js";

const NOW = new Date("2026-12-01T10:00:00Z");
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");

function spec(over: Partial<UnsealerSpec> = {}): UnsealerSpec {
  return {
    namespace: "vault",
    name: "vault",
    generation: 2,
    nodes: { kind: "addresses", addresses: ["http://a:8200", "http://b:8200"] },
    insecureSkipVerify: false,
    shares: [{ value: "-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n" }],
    sharesToUse: 3,
    checkIntervalMs: 30_000,
    alertAfterMs: 300_000,
    previousNodes: [],
    previousConditions: [],
    ...over,
  };
}
const unsealed = (name: string): ObservedNode => ({ name, reachable: true, initialized: true, sealed: false, progress: 0, threshold: 3, version: "1.17.2" });
const sealed = (name: string, progress = 0): ObservedNode => ({ name, reachable: true, initialized: true, sealed: true, progress, threshold: 3, version: "1.17.2" });
const observed = (nodes: ObservedNode[], extra: Partial<UnsealerObserved> = {}): UnsealerObserved => ({ nodes, digest: "d1", ...extra });

describe("planVaultUnsealer", () => {
  test("every node unsealed: ok, Unsealed=True, no Events, next check at 30s ±10%", () => {
    const p = planVaultUnsealer(spec(), observed([unsealed("a"), unsealed("b")]), NOW);
    assert.deepEqual(p.outcome, { kind: "ok" });
    assert.deepEqual(p.conditions, [{ type: "Unsealed", status: "True", reason: "AllUnsealed", message: "all 2 node(s) unsealed", observedGeneration: 2 }]);
    assert.deepEqual(p.events, []);
    assert.ok(p.requeueAfterMs !== undefined && p.requeueAfterMs >= 27_000 && p.requeueAfterMs <= 33_000);
    assert.deepEqual(p.writes, []);
  });

  test("a node unsealed this pass: NodeUnsealed Event, lastUnsealTime now, sealedSince cleared", () => {
    const prev: UnsealerNodeStatus[] = [{ name: "a", reachable: true, sealed: true, sealedSince: at(2) }];
    const a = { ...unsealed("a"), attempt: { submitted: 3, result: "unsealed" as const, message: "unsealed" } };
    const p = planVaultUnsealer(spec({ previousNodes: prev }), observed([a, unsealed("b")]), NOW);
    assert.deepEqual(p.events, [{ type: "Normal", reason: "NodeUnsealed", message: "unsealed a with 3 share(s)" }]);
    const nodes = (p.status as { nodes: UnsealerNodeStatus[] }).nodes;
    assert.deepEqual(nodes[0], { name: "a", reachable: true, initialized: true, sealed: false, progress: 0, threshold: 3, version: "1.17.2", lastUnsealTime: "2026-12-01T10:00:00Z", message: "unsealed" });
  });

  const alertCases: Array<[string, number | undefined, boolean | undefined, boolean, string[]]> = [
    ["first seen sealed: sealedSince now, no alert", undefined, undefined, false, []],
    ["sealed 4m: no alert yet", 4, false, false, []],
    ["sealed 5m: alerting, one Warning", 5, false, true, ["NodeSealedTooLong"]],
    ["still sealed at 9m, already alerting: no new Event", 9, true, true, []],
  ];
  for (const [name, minutesAgo, wasAlerting, alerting, events] of alertCases) {
    test(`alert-only (sharesToUse 0): ${name}`, () => {
      const prev: UnsealerNodeStatus[] = minutesAgo === undefined ? [] : [{ name: "a", reachable: true, sealed: true, sealedSince: at(minutesAgo), ...(wasAlerting ? { alerting: true } : {}) }];
      const p = planVaultUnsealer(spec({ sharesToUse: 0, shares: [], previousNodes: prev }), observed([sealed("a"), unsealed("b")]), NOW);
      const node = (p.status as { nodes: UnsealerNodeStatus[] }).nodes[0];
      assert.equal(node?.sealedSince, minutesAgo === undefined ? "2026-12-01T10:00:00Z" : at(minutesAgo));
      assert.equal(node?.alerting === true, alerting);
      assert.deepEqual(p.events.map((e) => e.reason), events);
      assert.equal(p.outcome.kind, "waiting");
      assert.deepEqual([p.conditions[0]?.reason, p.conditions[0]?.message], ["NodeSealed", "sealed: a (0/3); this VaultUnsealer only alerts (sharesToUse 0)"]);
    });
  }

  test("a wrong combination of the controller's own shares is remembered and not retried until the shares or the spec change", () => {
    const msg = "unseal failed: a: the shares submitted do not open this Vault; progress was reset (check that every holder used a share of this Vault; start again with the right shares)";
    const a = { ...sealed("a"), attempt: { submitted: 3, result: "wrongShareSet" as const, message: msg } };
    const p = planVaultUnsealer(spec(), observed([a, unsealed("b")]), NOW);
    const node = (p.status as { nodes: UnsealerNodeStatus[] }).nodes[0];
    assert.deepEqual(node?.wrongShares, { generation: 2, sharesDigest: "d1" });
    assert.deepEqual(p.events, [{ type: "Warning", reason: "WrongShareSet", message: `a: ${msg}` }]);
    assert.equal(p.conditions[0]?.reason, "WrongShareSet");
    assert.match(p.conditions[0]?.message ?? "", /^the shares submitted do not open a; progress was reset/);
    assert.equal(attemptAllowed(node, 2, "d1"), false);
    assert.equal(attemptAllowed(node, 3, "d1"), true);
    assert.equal(attemptAllowed(node, 2, "d2"), true);
    // The next pass (no attempt) keeps the memory while the node stays sealed…
    const again = planVaultUnsealer(spec({ previousNodes: [node as UnsealerNodeStatus] }), observed([sealed("a"), unsealed("b")]), NOW);
    assert.deepEqual((again.status as { nodes: UnsealerNodeStatus[] }).nodes[0]?.wrongShares, { generation: 2, sharesDigest: "d1" });
    assert.equal(again.conditions[0]?.reason, "WrongShareSet");
    // …and drops it once the node is unsealed (by a human, say).
    const fixed = planVaultUnsealer(spec({ previousNodes: [node as UnsealerNodeStatus] }), observed([unsealed("a"), unsealed("b")]), NOW);
    assert.equal((fixed.status as { nodes: UnsealerNodeStatus[] }).nodes[0]?.wrongShares, undefined);
  });

  test("a wrong combination that mixed in a holder's share is reported but not remembered", () => {
    const a = { ...sealed("a"), attempt: { submitted: 1, result: "wrongShareSet" as const, message: "wrong" } };
    const p = planVaultUnsealer(spec({ sharesToUse: 1 }), observed([a, unsealed("b")]), NOW);
    assert.equal((p.status as { nodes: UnsealerNodeStatus[] }).nodes[0]?.wrongShares, undefined);
    assert.deepEqual(p.events.map((e) => e.reason), ["WrongShareSet"]);
  });

  const reasonCases: Array<[string, UnsealerObserved, string, string[]]> = [
    ["an unreachable node", observed([unsealed("a"), { name: "b", reachable: false, error: "cannot reach Vault: b (ECONNREFUSED; …)" }]), "NodeUnreachable", ["NodeUnreachable"]],
    ["shares the identity cannot open", observed([sealed("a"), unsealed("b")], { sharesProblem: "cannot decrypt spec.shares[0]: no identity matched any of the file's recipients (…)" }), "SharesUnavailable", ["SharesUnavailable"]],
    ["no node selected", observed([], { nodesProblem: "no pod in vault matches spec.nodes.selector" }), "NoNodes", ["NoNodes"]],
    ["an uninitialised Vault", observed([{ name: "a", reachable: true, initialized: false, sealed: true, progress: 0, threshold: 0 }]), "NotInitialized", ["NotInitialized"]],
    ["a node waiting for more shares (progress is data, not an Event)", observed([sealed("a", 2), unsealed("b")]), "NodeSealed", []],
  ];
  for (const [name, obs, reason, events] of reasonCases) {
    test(`${name}: Unsealed=False ${reason}, waiting at the interval; an Event only when the reason changes`, () => {
      const p = planVaultUnsealer(spec(), obs, NOW);
      assert.deepEqual([p.conditions[0]?.status, p.conditions[0]?.reason], ["False", reason]);
      assert.equal(p.outcome.kind, "waiting");
      assert.ok(p.outcome.kind === "waiting" && p.outcome.afterMs === p.requeueAfterMs);
      assert.deepEqual(p.events.map((e) => e.reason), events);
      const prevCond = [{ type: "Unsealed", status: "False" as const, reason, message: "", lastTransitionTime: "" }];
      assert.deepEqual(planVaultUnsealer(spec({ previousConditions: prevCond }), obs, NOW).events, []);
    });
  }

  test("an unreachable node keeps its recorded sealedSince (and can keep alerting)", () => {
    const prev: UnsealerNodeStatus[] = [{ name: "a", reachable: true, sealed: true, sealedSince: at(7), alerting: true }];
    const p = planVaultUnsealer(spec({ previousNodes: prev }), observed([{ name: "a", reachable: false, error: "down" }]), NOW);
    assert.deepEqual((p.status as { nodes: UnsealerNodeStatus[] }).nodes[0], { name: "a", reachable: false, sealedSince: at(7), alerting: true, message: "down" });
  });
});

describe("alertChanges", () => {
  test("fires for nodes entering alerting, lists every alerting node as firing, resolves those no longer alerting", () => {
    const prev: UnsealerNodeStatus[] = [
      { name: "a", reachable: true, sealed: true, sealedSince: at(6), alerting: true },
      { name: "b", reachable: true, sealed: true, sealedSince: at(8), alerting: true },
    ];
    const next: UnsealerNodeStatus[] = [
      { name: "a", reachable: true, sealed: true, sealedSince: at(6), alerting: true, message: "sealed (1/3 shares)" },
      { name: "b", reachable: true, sealed: false, message: "unsealed" },
    ];
    const { fire, firing, resolve } = alertChanges(prev, next, { namespace: "vault", name: "vault", now: NOW });
    assert.deepEqual(fire, [], "a was alerting already: no new fire");
    assert.deepEqual(alertChanges([], next, { namespace: "vault", name: "vault", now: NOW }).fire, firing, "entering alerting fires");
    assert.deepEqual(firing, [
      {
        name: "VaultNodeSealed",
        labels: { namespace: "vault", vaultunsealer: "vault", node: "a", severity: "critical" },
        annotations: { summary: "Vault node a has been sealed for 6m", description: "VaultUnsealer vault/vault: sealed (1/3 shares)" },
        startsAt: at(6),
      },
    ]);
    assert.deepEqual(resolve.map((r) => [r.labels["node"], r.endsAt]), [["b", "2026-12-01T10:00:00Z"]]);
  });
});

describe("jitteredInterval", () => {
  test("within ±10%, deterministic per object and second, spread across objects", () => {
    const values = Array.from({ length: 200 }, (_, i) => jitteredInterval(30_000, `ns/u${i}`, NOW));
    assert.ok(values.every((v) => v >= 27_000 && v <= 33_000));
    assert.ok(new Set(values).size > 150);
    assert.equal(jitteredInterval(30_000, "ns/u1", NOW), jitteredInterval(30_000, "ns/u1", NOW));
  });
});
