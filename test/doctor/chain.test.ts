import { test } from "node:test";
import assert from "node:assert/strict";
import { doctorReportSchema } from "../../src/doctor/check-result.js";
import { DOCTOR_CHAIN, runChain, type ChainLink } from "../../src/doctor/chain.js";
import { healthy } from "./observed-builder.js";

test("runChain: a broken link skips what needs it (transitively), not what does not; the first failure is named", () => {
  const cases = [
    { what: "healthy", o: healthy({ cert: { answered: false, status: 503, message: "x" } }), first: "sealing-cert", skipped: [] as string[] },
    { what: "no kubeconfig", o: { ...healthy(), kubeconfig: { ok: false as const, message: "no cluster is configured" } }, first: "kubeconfig", skipped: DOCTOR_CHAIN.slice(1).map((l) => l.name) },
    { what: "API down", o: healthy({ api: { ok: false, message: "ECONNREFUSED" } }), first: "api-server", skipped: DOCTOR_CHAIN.slice(2).map((l) => l.name) },
    { what: "no Service", o: healthy({ service: { ok: true, value: null } }), first: "controller-service", skipped: ["controller-ready", "sealing-cert", "age-recipient"] },
    { what: "no Lease", o: healthy({ lease: { ok: true, value: null } }), first: "controller-lease", skipped: ["secret-stores", "dns-credentials", "vault-nodes"] },
  ];
  for (const c of cases) {
    const report = runChain(c.o);
    doctorReportSchema.parse(report);
    assert.equal(report.firstFailure, c.first, c.what);
    assert.equal(report.ok, false);
    for (const name of c.skipped) {
      const r = report.checks.find((x) => x.name === name);
      assert.equal(r?.status, "skip", `${c.what}: ${name}`);
      assert.match(r?.message ?? "", /^skipped: needs /, `${c.what}: ${name}`);
    }
    assert.deepEqual(report.checks.map((x) => x.name), DOCTOR_CHAIN.map((l) => l.name), "every link reported, in order");
  }
});

test("runChain: API down says what the later links need", () => {
  const report = runChain(healthy({ api: { ok: false, message: "ECONNREFUSED" } }));
  assert.equal(report.checks.find((c) => c.name === "crds")?.message, "skipped: needs the API server");
  assert.equal(report.checks.find((c) => c.name === "sealing-cert")?.message, "skipped: needs the controller's Service");
});

test("runChain: a warning or a natural skip does not block dependents; ok is true with warnings", () => {
  const sealPem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUB1\n-----END CERTIFICATE-----\n";
  const report = runChain(healthy({ cert: { answered: true, status: 200, body: sealPem }, readyz: { answered: true, status: 200, body: "ok (leader); not installed: x.y\n" } }));
  assert.equal(report.checks.find((c) => c.name === "controller-ready")?.status, "warn");
  assert.equal(report.checks.find((c) => c.name === "controller-pods")?.status, "skip");
  assert.notEqual(report.checks.find((c) => c.name === "secret-stores")?.status, "skip");
  const ok = runChain(healthy({ cert: { answered: true, status: 200, body: "" } }), DOCTOR_CHAIN.filter((l) => l.name !== "sealing-cert"));
  assert.equal(ok.ok, true);
  assert.equal(ok.firstFailure, null);
});

test("runChain: a check that throws fails its own link only, without its error text", () => {
  const boom: ChainLink = { name: "boom", title: "boom", needs: [], check: () => { throw new Error("secret-ish detail"); } };
  const report = runChain(healthy(), [boom, { ...DOCTOR_CHAIN[0]!, needs: [] }]);
  assert.equal(report.checks[0]?.status, "fail");
  assert.ok(!JSON.stringify(report).includes("secret-ish detail"));
  assert.equal(report.checks[1]?.status, "ok");
});

test("the report schema is strict: unknown fields and statuses are refused", () => {
  const report = runChain(healthy());
  assert.ok(doctorReportSchema.safeParse(report).success);
  assert.ok(!doctorReportSchema.safeParse({ ...report, extra: 1 }).success);
  assert.ok(!doctorReportSchema.safeParse({ ...report, checks: [{ name: "x", status: "broken", message: "m" }] }).success);
});
