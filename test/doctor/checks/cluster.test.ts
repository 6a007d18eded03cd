import { test } from "node:test";
import assert from "node:assert/strict";
import { apiServerCheck, kubeconfigCheck } from "../../../src/doctor/checks/cluster.js";
import { healthy } from "../observed-builder.js";

test("kubeconfig: loads → ok naming the context and server; does not → fail with its message and a fix", () => {
  const cases = [
    { kubeconfig: { ok: true as const, context: "prod", server: "https://k.example:6443" }, status: "ok", message: /context "prod", API server https:\/\/k\.example:6443/ },
    { kubeconfig: { ok: false as const, message: "kubeconfig not found: /x (pass an existing file)" }, status: "fail", message: /kubeconfig not found/ },
  ];
  for (const c of cases) {
    const r = kubeconfigCheck(healthy({ kubeconfig: c.kubeconfig }));
    assert.equal(r.status, c.status);
    assert.match(r.message, c.message);
    assert.equal(r.fix !== undefined, c.status === "fail");
  }
});

test("api-server: reachable/authenticated, forbidden namespace read, 401, no answer, 5xx", () => {
  const cases = [
    { api: { ok: true as const, namespaceExists: true }, status: "ok", message: /^reachable and authenticated$/ },
    { api: { ok: true as const, namespaceExists: null }, status: "ok", message: /forbidden to you/ },
    { api: { ok: false as const, status: 401, message: "x" }, status: "fail", message: /401 Unauthorized/, fix: /credentials/ },
    { api: { ok: false as const, message: "kubernetes get failed (ECONNREFUSED): namespaces" }, status: "fail", message: /ECONNREFUSED/, fix: /reachable from here/ },
    { api: { ok: false as const, status: 503, message: "kubernetes get failed with 503" }, status: "fail", message: /503/, fix: /readyz/ },
  ];
  for (const c of cases) {
    const r = apiServerCheck(healthy({ api: c.api }));
    assert.equal(r.status, c.status, JSON.stringify(c.api));
    assert.match(r.message, c.message);
    if (c.fix) assert.match(r.fix ?? "", c.fix);
  }
  assert.equal(apiServerCheck({ ...healthy(), api: undefined }).status, "skip");
});
