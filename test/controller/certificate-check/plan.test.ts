import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CertificateReport } from "../../../src/certs/certificate-report.js";
import { DEFAULT_THRESHOLDS } from "../../../src/certs/thresholds.js";
import type { ParsedCheck } from "../../../src/controller/certificate-check/parse.js";
import { planCertificateCheck, type ObservedCheck } from "../../../src/controller/certificate-check/plan.js";
import { RELOAD_ANNOTATION, RELOAD_HASHES_ANNOTATION } from "../../../src/controller/reload.js";
import type { KubeObject } from "../../../src/kube/types.js";

const now = new Date("2026-11-01T00:00:00Z");
const DAY = 86_400_000;

function check(overrides: Partial<ParsedCheck> = {}): ParsedCheck {
  return {
    namespace: "web",
    name: "www",
    generation: 1,
    spec: { secrets: [{ name: "www-tls" }] },
    thresholds: DEFAULT_THRESHOLDS,
    intervalMs: 3_600_000,
    previousStates: new Map(),
    previousAlerts: [],
    previousDeliveryFailing: false,
    ...overrides,
  };
}

function report(state: CertificateReport["state"], severity: CertificateReport["severity"], extra: Partial<CertificateReport> = {}): CertificateReport {
  return {
    source: { kind: "Secret", namespace: "web", name: "www-tls", key: "tls.crt" },
    subject: "CN=www.example.test",
    notBefore: "2026-10-01T00:00:00Z",
    notAfter: "2026-12-30T00:00:00Z",
    renewalTime: "2026-11-30T00:00:00Z",
    state,
    severity,
    message: `${state}: expires at 2026-12-30T00:00:00Z (59 days left)`,
    ...extra,
  };
}

function observed(reports: CertificateReport[], extra: Partial<ObservedCheck> = {}): ObservedCheck {
  return { reports, alerts: [], deliveryFailures: [], hasSinks: false, stale: [], workloads: [], ...extra };
}

function deployment(name: string, annotations: Record<string, string>, templateAnnotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "web", annotations }, spec: { template: { metadata: { annotations: templateAnnotations }, spec: {} } } };
}

describe("planCertificateCheck", () => {
  test("all valid: Ready=True, status lists the certificate without relative text, no Events, requeue at the renewal time or interval", () => {
    const p = planCertificateCheck(check(), observed([report("Valid", "none")]), now);
    assert.deepEqual(p.conditions, [{ type: "Ready", status: "True", reason: "Valid", message: "1 certificate(s) checked, none needs attention" }]);
    assert.deepEqual(p.events, []);
    assert.deepEqual(p.writes, []);
    assert.deepEqual(p.outcome, { kind: "ok" });
    const certs = (p.status?.["certificates"] as Array<Record<string, unknown>>)[0];
    assert.equal(certs?.["source"], "Secret web/www-tls[tls.crt]");
    assert.equal(certs?.["message"], "Valid: expires at 2026-12-30T00:00:00Z");
    assert.equal(p.requeueAfterMs, 3_600_000);
  });
  test("requeues at the next state boundary when it comes before the interval", () => {
    const soon = report("Valid", "none", { renewalTime: new Date(now.getTime() + 60_000).toISOString().replace(".000", "") });
    assert.equal(planCertificateCheck(check(), observed([soon]), now).requeueAfterMs, 60_000);
  });
  const table: Array<[string, Array<[CertificateReport["state"], CertificateReport["severity"]]>, string, string]> = [
    ["a warning", [["RenewalOverdue", "warning"]], "False", "RenewalOverdue"],
    ["critical beats warning", [["RenewalOverdue", "warning"], ["Expired", "critical"]], "False", "Expired"],
    ["info is fine", [["RenewalDue", "info"]], "True", "Valid"],
    ["invalid is critical", [["Invalid", "critical"]], "False", "Invalid"],
  ];
  for (const [name, states, status, reason] of table) {
    test(`Ready: ${name}`, () => {
      const reports = states.map(([s, sev], i) => report(s, sev, { source: { kind: "Secret", namespace: "web", name: `c${i}`, key: "tls.crt" } }));
      const ready = planCertificateCheck(check(), observed(reports), now).conditions[0];
      assert.equal(ready?.status, status);
      assert.equal(ready?.reason, reason);
    });
  }
  test("Events only on a state change; the second pass plans none", () => {
    const first = planCertificateCheck(check({ previousStates: new Map([["Secret web/www-tls[tls.crt]", "Valid"]]) }), observed([report("RenewalOverdue", "warning")]), now);
    assert.deepEqual(first.events, [{ type: "Warning", reason: "RenewalOverdue", message: "Secret web/www-tls[tls.crt]: RenewalOverdue: expires at 2026-12-30T00:00:00Z (59 days left)" }]);
    const states = new Map((first.status?.["certificates"] as Array<{ source: string; state: string }>).map((c) => [c.source, c.state]));
    const second = planCertificateCheck(check({ previousStates: states }), observed([report("RenewalOverdue", "warning")]), new Date(now.getTime() + DAY));
    assert.deepEqual(second.events, []);
    assert.deepEqual(second.status, first.status);
    const recovered = planCertificateCheck(check({ previousStates: states }), observed([report("Valid", "none")]), now);
    assert.deepEqual(recovered.events.map((e) => [e.type, e.reason]), [["Normal", "Valid"]]);
  });
  test("alert delivery failure: AlertsDelivered=False and one Event, not repeated", () => {
    const failing = observed([report("Expired", "critical")], { hasSinks: true, deliveryFailures: ["Alertmanager unreachable: http://am:9093/api/v2/alerts (ECONNREFUSED; check the sink URL and that it is up)"] });
    const p = planCertificateCheck(check({ previousStates: new Map([["Secret web/www-tls[tls.crt]", "Expired"]]) }), failing, now);
    assert.deepEqual(p.conditions[1], { type: "AlertsDelivered", status: "False", reason: "AlertSinkFailed", message: failing.deliveryFailures[0] });
    assert.deepEqual(p.events.map((e) => e.reason), ["AlertSinkFailed"]);
    const again = planCertificateCheck(check({ previousStates: new Map([["Secret web/www-tls[tls.crt]", "Expired"]]), previousDeliveryFailing: true }), failing, now);
    assert.deepEqual(again.events, []);
  });
  test("stale serving restarts the workloads annotated for the Secret, once per stored certificate", () => {
    const stale = [{ secretName: "www-tls", fingerprint: "AB:CD" }];
    const workloads = [
      deployment("proxy", { [RELOAD_ANNOTATION]: "www-tls" }),
      deployment("other", {}),
      deployment("done", { [RELOAD_ANNOTATION]: "www-tls" }, { [RELOAD_HASHES_ANNOTATION]: JSON.stringify({ "www-tls": "AB:CD" }) }),
    ];
    const p = planCertificateCheck(check(), observed([report("StaleServing", "warning")], { stale, workloads }), now);
    assert.equal(p.writes.length, 1);
    const w = p.writes[0];
    assert.ok(w && w.op === "patch");
    assert.equal(w.name, "proxy");
    assert.equal(w.resource.kind, "Deployment");
    assert.equal(w.patchType, "merge");
    assert.deepEqual((w.patch as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations[RELOAD_HASHES_ANNOTATION], JSON.stringify({ "www-tls": "AB:CD" }));
    assert.ok(p.events.some((e) => e.reason === "StaleServing" && e.message === "restarting Deployment/proxy to serve the renewed certificate in www-tls"));
  });
});
