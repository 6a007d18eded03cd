import { test } from "node:test";
import assert from "node:assert/strict";
import { vaultNodesCheck } from "../../../src/doctor/checks/vault-nodes.js";
import type { Observed, ObservedUnsealerNode } from "../../../src/doctor/observed.js";
import { healthy } from "../observed-builder.js";

const unsealer = (...nodes: ObservedUnsealerNode[]): Observed["unsealers"] => ({ ok: true, value: [{ kind: "VaultUnsealer", namespace: "vault", name: "watch", conditions: [], nodes }] });
const node = (name: string, changes: Partial<ObservedUnsealerNode> = {}): ObservedUnsealerNode => ({ name, reachable: true, initialized: true, sealed: false, ...changes });

test("vault-nodes: unsealed, sealed, unreachable, uninitialised, no status yet, none", () => {
  const cases: Array<{ what: string; read: Observed["unsealers"]; status: string; message: RegExp; fix?: RegExp }> = [
    { what: "unsealed", read: unsealer(node("vault-0"), node("vault-1")), status: "ok", message: /2 Vault node\(s\) unsealed/ },
    { what: "sealed", read: unsealer(node("vault-0"), node("vault-1", { sealed: true, sealedSince: "2026-06-01T11:00:00Z" })), status: "fail", message: /1 of 2 Vault node\(s\) not unsealed; VaultUnsealer vault\/watch node vault-1: sealed since 2026-06-01T11:00:00Z/, fix: /vault unseal/ },
    { what: "unreachable", read: unsealer(node("https://v:8200", { reachable: false, message: "cannot reach Vault: https://v:8200 (ECONNREFUSED)" })), status: "fail", message: /unreachable from the controller/, fix: /can reach it/ },
    { what: "uninitialised", read: unsealer(node("v", { initialized: false })), status: "fail", message: /not initialized/, fix: /vault init/ },
    { what: "no status", read: unsealer(), status: "warn", message: /no node status yet/ },
    { what: "none", read: { ok: true, value: [] }, status: "skip", message: /no VaultUnsealers/ },
    { what: "CRD absent", read: { ok: false, status: 404, message: "nf" }, status: "skip", message: /CRD not installed/ },
  ];
  for (const c of cases) {
    const r = vaultNodesCheck(healthy({ unsealers: c.read }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (c.fix) assert.match(r.fix ?? "", c.fix, c.what);
  }
});
