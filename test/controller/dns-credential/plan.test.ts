// The DnsCredential plan, table-driven and pure.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dnsCredentialSchema, type DnsCredential } from "../../../src/api/dns-credential.js";
import { expiryState } from "../../../src/controller/dns-credential/credential-alerts.js";
import { planDnsCredential, type CredentialObserved, type ObservedTarget } from "../../../src/controller/dns-credential/plan.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const CANARY = "cf-canary-token-Pp09Oo87";
function cred(status?: DnsCredential["status"], maxAge?: string): DnsCredential {
  return dnsCredentialSchema.parse({
    apiVersion: "sealbridge.io/v1alpha1",
    kind: "DnsCredential",
    metadata: { name: "cf", namespace: "cert-manager", uid: "u" },
    spec: { source: { secretRef: { name: "src", key: "token" } }, provider: { cloudflare: {} }, zone: "example.test", targets: [{ name: "cloudflare-api-token", key: "api-token" }], ...(maxAge ? { maxAge } : {}) },
    ...(status ? { status } : {}),
  });
}
const target = (value: string | undefined): ObservedTarget => ({
  target: { name: "cloudflare-api-token", key: "api-token" },
  namespace: "cert-manager",
  secret: value === undefined ? null : { apiVersion: "v1", kind: "Secret", metadata: { name: "cloudflare-api-token", namespace: "cert-manager" }, data: { "api-token": Buffer.from(value).toString("base64") } },
  value,
});
const obs = (o: Partial<CredentialObserved>): CredentialObserved => ({ targets: [target("old")], ...o });

describe("planDnsCredential", () => {
  test("an unreadable source changes nothing and is transient", () => {
    const p = planDnsCredential(cred({ provenVersion: "v1" }), obs({ sourceError: "source Secret cert-manager/src key token does not exist" }), NOW);
    assert.deepEqual(p.writes, []);
    assert.equal(p.outcome.kind, "transient");
    assert.match(p.conditions[0]?.message ?? "", /the targets keep the current credential/);
  });

  test("a refused candidate: no writes, Ready=False with the answer, alert, re-probe in 5 minutes", () => {
    const p = planDnsCredential(cred({ provenVersion: "v1" }), obs({ candidate: { value: CANARY, version: "v2" }, probe: { ok: false, answer: "HTTP 403", message: "Cloudflare record create refused: HTTP 403 (10000 Authentication error)", steps: [] } }), NOW);
    assert.deepEqual(p.writes, []);
    assert.equal(p.conditions.find((c) => c.type === "Ready")?.reason, "CredentialRejected");
    assert.match(p.conditions.find((c) => c.type === "Ready")?.message ?? "", /\(HTTP 403\)/);
    assert.deepEqual((p.status?.["alerts"] as Array<{ name: string }>).map((a) => a.name), ["DnsCredentialRejected"]);
    assert.equal(p.status?.["rejectedVersion"], "v2");
    assert.equal(p.requeueAfterMs, 5 * 60_000);
    assert.ok(!JSON.stringify(p).includes(CANARY));
  });

  test("a proven candidate is written to every target with the previous Secret named", () => {
    const p = planDnsCredential(cred({ provenVersion: "v1" }), obs({ candidate: { value: CANARY, version: "v2" }, probe: { ok: true, fqdn: "_sealbridge-probe-x.example.test", steps: ["a", "b", "c"] } }), NOW);
    assert.equal(p.writes.length, 1);
    const w = p.writes[0];
    assert.ok(w?.op === "apply");
    assert.equal((w.object["data"] as Record<string, string>)["api-token"], Buffer.from(CANARY).toString("base64"));
    assert.ok(w.previous);
    assert.equal(p.status?.["provenVersion"], "v2");
    assert.equal(p.status?.["rotatedTime"], "2026-06-01T12:00:00Z");
    assert.ok(!JSON.stringify([p.status, p.conditions, p.events]).includes(CANARY));
  });

  test("a drifted target is rewritten with the proven credential, without probing", () => {
    const p = planDnsCredential(cred({ provenVersion: "v1" }), obs({ candidate: { value: "good", version: "v1" }, targets: [target("edited by hand")] }), NOW);
    assert.equal(p.writes.length, 1);
    const steady = planDnsCredential(cred({ provenVersion: "v1" }), obs({ candidate: { value: "good", version: "v1" }, targets: [target("good")] }), NOW);
    assert.deepEqual(steady.writes, []);
  });

  test("past maxAge: RotationDue=True and an alert asking for rotation; before: requeue at the due time", () => {
    const status = { provenVersion: "v1", rotatedTime: "2026-01-01T00:00:00Z" };
    const due = planDnsCredential(cred(status, "2160h"), obs({ candidate: { value: "good", version: "v1" }, targets: [target("good")] }), NOW);
    assert.equal(due.conditions.find((c) => c.type === "RotationDue")?.status, "True");
    assert.deepEqual((due.status?.["alerts"] as Array<{ name: string }>).map((a) => a.name), ["DnsCredentialRotationDue"]);
    const fresh = planDnsCredential(cred({ ...status, rotatedTime: "2026-05-01T00:00:00Z" }, "2160h"), obs({ candidate: { value: "good", version: "v1" }, targets: [target("good")] }), NOW);
    assert.equal(fresh.conditions.find((c) => c.type === "RotationDue")?.status, "False");
    assert.equal(fresh.requeueAfterMs, new Date("2026-07-30T00:00:00Z").getTime() - NOW.getTime());
  });

  test("Cloudflare's expires_on is kept and alerts like a certificate's; a firing alert keeps its startsAt", () => {
    const first = planDnsCredential(cred({ provenVersion: "v1", rotatedTime: "2026-03-01T00:00:00Z" }), obs({ candidate: { value: "good", version: "v1" }, targets: [target("good")], tokenExpiresOn: new Date("2026-06-20T00:00:00Z") }), NOW);
    assert.equal(first.status?.["expiresOn"], "2026-06-20T00:00:00Z");
    const alerts = first.status?.["alerts"] as Array<{ name: string; startsAt: string; labels: Record<string, string> }>;
    assert.equal(alerts[0]?.name, "DnsCredentialExpiring");
    const later = planDnsCredential(cred({ provenVersion: "v1", rotatedTime: "2026-03-01T00:00:00Z", alerts }), obs({ candidate: { value: "good", version: "v1" }, targets: [target("good")], tokenExpiresOn: new Date("2026-06-20T00:00:00Z") }), new Date(NOW.getTime() + 3_600_000));
    assert.equal((later.status?.["alerts"] as typeof alerts)[0]?.startsAt, alerts[0]?.startsAt);
  });

  const states: Array<[string, string, string | undefined, string]> = [
    ["far", "2026-12-01T00:00:00Z", "2026-03-01T00:00:00Z", "Valid"],
    ["a third left", "2026-07-01T00:00:00Z", "2026-03-01T00:00:00Z", "Expiring"],
    ["a tenth left", "2026-06-05T00:00:00Z", "2026-03-01T00:00:00Z", "Critical"],
    ["past", "2026-05-01T00:00:00Z", undefined, "Expired"],
  ];
  for (const [what, expires, issued, state] of states) test(`expiryState: ${what} → ${state}`, () => assert.equal(expiryState(new Date(expires), issued ? new Date(issued) : undefined, NOW), state));
});
