import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { judgeCertificate, type CertState, type JudgeInput } from "../../src/certs/certificate-state.js";
import type { CertificateInfo } from "../../src/certs/certificate-info.js";
import { DEFAULT_THRESHOLDS, parseLimit, withOverrides } from "../../src/certs/thresholds.js";

const DAY = 86_400_000;
const start = new Date("2026-10-01T00:00:00Z");

function cert(lifetimeDays: number): CertificateInfo {
  return {
    subject: "CN=www.example.test",
    commonName: "www.example.test",
    issuer: "CN=Test CA",
    dnsNames: ["www.example.test"],
    ipAddresses: [],
    notBefore: start,
    notAfter: new Date(start.getTime() + lifetimeDays * DAY),
    serialNumber: "01",
    fingerprint256: "AA",
    isCA: false,
  };
}
const at = (day: number): Date => new Date(start.getTime() + day * DAY);
const input = (lifetime: number, extra: Partial<JudgeInput> = {}): JudgeInput => ({ cert: cert(lifetime), problems: [], thresholds: DEFAULT_THRESHOLDS, ...extra });

describe("judgeCertificate with lifetime-relative defaults", () => {
  // [lifetime days, day of life, state, severity]: renewal due at 2/3, overdue 1/30 later, critical at 1/10 left.
  const table: Array<[number, number, CertState, string]> = [
    [90, 1, "Valid", "none"],
    [90, 59, "Valid", "none"],
    [90, 60, "RenewalDue", "info"],
    [90, 62.9, "RenewalDue", "info"],
    [90, 63, "RenewalOverdue", "warning"],
    [90, 80.9, "RenewalOverdue", "warning"],
    [90, 81, "Expiring", "critical"],
    [90, 90, "Expired", "critical"],
    [64, 42, "Valid", "none"],
    [64, 43, "RenewalDue", "info"],
    [64, 45, "RenewalOverdue", "warning"],
    [64, 57.7, "Expiring", "critical"],
    [45, 20, "Valid", "none"], // a fixed 28-day warning would already fire here
    [45, 29, "Valid", "none"],
    [45, 30, "RenewalDue", "info"],
    [45, 31.5, "RenewalOverdue", "warning"],
    [45, 40.6, "Expiring", "critical"],
    [45, 46, "Expired", "critical"],
  ];
  for (const [lifetime, day, state, severity] of table) {
    test(`${lifetime}-day certificate on day ${day} is ${state}`, () => {
      const j = judgeCertificate(input(lifetime), at(day));
      assert.equal(j.state, state, j.message);
      assert.equal(j.severity, severity);
    });
  }
});

describe("judgeCertificate with overrides and sources", () => {
  test("absolute warning override: 28 days left on a 90-day certificate before its renewal time", () => {
    const th = withOverrides(DEFAULT_THRESHOLDS, { warning: parseLimit("40d", "test"), renewBefore: parseLimit("20d", "test") });
    const j = judgeCertificate(input(90, { thresholds: th }), at(55));
    assert.equal(j.state, "Expiring");
    assert.equal(j.severity, "warning");
    assert.match(j.message, /expires at 2026-12-30T00:00:00Z \(35 days left\)/);
  });
  test("absolute critical override", () => {
    const th = withOverrides(DEFAULT_THRESHOLDS, { critical: parseLimit("14d", "test") });
    assert.equal(judgeCertificate(input(90, { thresholds: th }), at(77)).severity, "critical");
    assert.equal(judgeCertificate(input(90, { thresholds: th }), at(77)).state, "Expiring");
  });
  test("cert-manager's renewalTime wins over the computed one", () => {
    const j = judgeCertificate(input(90, { renewalTime: at(50) }), at(55));
    assert.equal(j.state, "RenewalOverdue");
    assert.match(j.message, /renewal was due at 2026-11-20T00:00:00Z and the certificate did not change/);
  });
  test("a failed cert-manager issuance is RenewalOverdue carrying cert-manager's reason", () => {
    const j = judgeCertificate(
      input(90, { issuanceFailure: { reason: "Failed", message: "The certificate request has failed to complete and will be retried: 403 urn:ietf:params:acme:error:unauthorized", failedIssuanceAttempts: 3 } }),
      at(61),
    );
    assert.equal(j.state, "RenewalOverdue");
    assert.match(j.message, /cert-manager issuance failed after 3 failed attempts: Failed: The certificate request has failed/);
  });
  test("problems make it Invalid; an expired certificate stays Expired", () => {
    assert.equal(judgeCertificate(input(90, { problems: ["no issuer"] }), at(1)).state, "Invalid");
    assert.equal(judgeCertificate(input(90, { problems: ["no issuer"] }), at(91)).state, "Expired");
    assert.equal(judgeCertificate({ problems: ["no PEM block found"], thresholds: DEFAULT_THRESHOLDS }, at(1)).message, "no PEM block found");
  });
  test("not yet valid is Invalid", () => {
    assert.match(judgeCertificate(input(90), at(-1)).message, /not valid before 2026-10-01T00:00:00Z/);
  });
  test("StaleServing outranks renewal states but not critical ones", () => {
    assert.equal(judgeCertificate(input(90, { staleServing: "stale" }), at(10)).state, "StaleServing");
    assert.equal(judgeCertificate(input(90, { staleServing: "stale" }), at(85)).state, "Expiring");
  });
});

describe("threshold properties", () => {
  test("the state never goes back to a milder one as time passes (defaults, any lifetime)", () => {
    const rank: Record<CertState, number> = { Valid: 0, RenewalDue: 1, RenewalOverdue: 2, Expiring: 3, Expired: 4, Invalid: 5, StaleServing: 2 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 2, maxLength: 8 }), (lifetime, fractions) => {
        const sorted = [...fractions].sort((a, b) => a - b);
        const ranks = sorted.map((f) => rank[judgeCertificate(input(lifetime), at(f * lifetime)).state]);
        for (let i = 1; i < ranks.length; i++) if ((ranks[i] ?? 0) < (ranks[i - 1] ?? 0)) return false;
        return true;
      }),
    );
  });
  test("judgement is scale-free: the same fraction of life gives the same state for every lifetime", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 }), fc.double({ min: 0, max: 1.1, noNaN: true }), (a, b, f) => {
        const sa = judgeCertificate(input(a), new Date(start.getTime() + Math.round(f * a * DAY))).state;
        const sb = judgeCertificate(input(b), new Date(start.getTime() + Math.round(f * b * DAY))).state;
        // Rounding to whole ms can cross a boundary; compare away from the edges only.
        const edges = [2 / 3, 2 / 3 + 1 / 30, 0.9, 1];
        fc.pre(edges.every((e) => Math.abs(f - e) > 1e-6));
        return sa === sb;
      }),
    );
  });
});
