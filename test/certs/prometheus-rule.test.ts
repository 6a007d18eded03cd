import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { prometheusRuleYaml } from "../../src/certs/prometheus-rule.js";
import { DEFAULT_THRESHOLDS } from "../../src/certs/thresholds.js";

const file = new URL("../../deploy/prometheus-rule.yaml", import.meta.url);

describe("deploy/prometheus-rule.yaml", () => {
  test("equals what src/certs/prometheus-rule.ts generates (run npm run -s gen:prometheus-rule)", () => {
    assert.equal(readFileSync(file, "utf8"), prometheusRuleYaml());
  });
  test("alerts use the judgement's lifetime fractions and the gauges the controller exports", () => {
    const rule = parseYaml(readFileSync(file, "utf8")) as { kind: string; spec: { groups: Array<{ rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }> } };
    assert.equal(rule.kind, "PrometheusRule");
    const byName = new Map(rule.spec.groups[0]?.rules.map((r) => [r.alert, r]));
    const lifetime = "(sealbridge_certificate_not_after_timestamp_seconds - sealbridge_certificate_not_before_timestamp_seconds)";
    assert.ok("fraction" in DEFAULT_THRESHOLDS.renewalGrace && Math.abs(DEFAULT_THRESHOLDS.renewalGrace.fraction - 1 / 30) < 1e-12);
    assert.ok("fraction" in DEFAULT_THRESHOLDS.critical && DEFAULT_THRESHOLDS.critical.fraction === 1 / 10);
    assert.ok(byName.get("CertificateRenewalOverdue")?.expr.includes(`sealbridge_certificate_renewal_timestamp_seconds + ${lifetime} / 30`));
    assert.ok(byName.get("CertificateExpiring")?.expr.includes(`< ${lifetime} / 10`));
    assert.deepEqual([...byName.keys()], ["CertificateRenewalOverdue", "CertificateExpiring", "CertificateExpired", "CertificateInvalid", "CertificateStaleServing"]);
    assert.equal(byName.get("CertificateExpired")?.labels.severity, "critical");
    assert.ok(!/\b28\b|\b14\b/.test(JSON.stringify([...byName.values()].map((r) => r.expr))), "no fixed day counts");
  });
});
