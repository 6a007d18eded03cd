// The AcmeCertificate plan, table-driven: pure, time passed in, no IO.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planAcmeCertificate, type AcmeObserved } from "../../../src/controller/acme-certificate/plan.js";
import { failureBackoffMs, renewalTime } from "../../../src/controller/acme-certificate/renewal-time.js";
import type { OrderProgress } from "../../../src/acme/order-progress.js";
import { acmeCertificate } from "./acme-certificate-fixture.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const at = (s: string) => new Date(s);

const cert = acmeCertificate;
const valid = { notBefore: at("2026-05-01T00:00:00Z"), notAfter: at("2026-07-30T00:00:00Z"), dnsNames: ["www.example.test"] };
const observed = (o: Partial<AcmeObserved>): AcmeObserved => ({ tlsSecret: null, current: null, renewalTime: null, ...o });
const order: OrderProgress = { url: "https://acme.example.test/order/1", dnsNames: ["www.example.test"], stage: "Propagating", challenges: [], startedAt: "2026-06-01T11:59:00Z" };

describe("renewalTime", () => {
  const cases: Array<[string, number | undefined, { start: Date; end: Date } | undefined, string]> = [
    ["2/3 of a 90-day lifetime", undefined, undefined, "2026-06-30T00:00:00.000Z"],
    ["renewBefore 720h", 720 * 3_600_000, undefined, "2026-06-30T00:00:00.000Z"],
    ["renewBefore 240h", 240 * 3_600_000, undefined, "2026-07-20T00:00:00.000Z"],
    ["renewBefore longer than the lifetime falls back to 2/3", 2400 * 3_600_000, undefined, "2026-06-30T00:00:00.000Z"],
    ["the ARI window's midpoint wins", 240 * 3_600_000, { start: at("2026-06-10T00:00:00Z"), end: at("2026-06-12T00:00:00Z") }, "2026-06-11T00:00:00.000Z"],
  ];
  for (const [what, renewBefore, ari, expected] of cases) test(what, () => assert.equal(renewalTime(valid, renewBefore, ari).toISOString(), expected));
  test("failure backoff doubles from 5 minutes to 32 hours", () => assert.deepEqual([1, 2, 3, 20].map(failureBackoffMs), [300_000, 600_000, 1_200_000, 32 * 3_600_000]));
});

describe("planAcmeCertificate", () => {
  test("a valid certificate before renewal: Ready, no writes, requeue at renewal time", () => {
    const p = planAcmeCertificate(cert(), observed({ current: valid, renewalTime: at("2026-06-30T00:00:00Z") }), NOW);
    assert.deepEqual(p.writes, []);
    assert.equal(p.outcome.kind, "ok");
    assert.equal(p.requeueAfterMs, at("2026-06-30T00:00:00Z").getTime() - NOW.getTime());
    assert.equal(p.status?.["notAfter"], "2026-07-30T00:00:00Z");
    assert.equal(p.conditions.find((c) => c.type === "Ready")?.status, "True");
  });

  test("a missing account key is created (not owned: it outlives the AcmeCertificate)", () => {
    const p = planAcmeCertificate(cert(), observed({ newAccountKeyPem: "-----BEGIN PRIVATE KEY-----x" }), NOW);
    assert.equal(p.writes.length, 1);
    const w = p.writes[0];
    assert.ok(w && w.op === "apply");
    assert.equal(w.object.metadata.name, "acme-account");
    assert.deepEqual(w.object.metadata.ownerReferences, []);
    assert.equal(p.events[0]?.reason, "AccountKeyCreated");
  });

  test("rate-limited: the order is dropped, Issuing=False RateLimited says when it retries, requeue then", () => {
    const retryAt = at("2026-06-01T15:00:00Z");
    const p = planAcmeCertificate(cert({ order }), observed({ step: { kind: "failed", reason: "RateLimited", message: "ACME new order rate-limited: … answered 429 rateLimited: too many", retryAt } }), NOW);
    const issuing = p.conditions.find((c) => c.type === "Issuing");
    assert.equal(issuing?.reason, "RateLimited");
    assert.match(issuing?.message ?? "", /retrying at 2026-06-01T15:00:00Z/);
    assert.equal(p.status?.["nextAttemptTime"], "2026-06-01T15:00:00Z");
    assert.equal(p.status?.["order"], null);
    assert.deepEqual(p.outcome, { kind: "waiting", reason: "RateLimited", message: issuing?.message, afterMs: 3 * 3_600_000 });
    assert.equal(p.events[0]?.type, "Warning");
  });

  test("before nextAttemptTime nothing is tried and the reason stays", () => {
    const status = { nextAttemptTime: "2026-06-01T15:00:00Z", conditions: [{ type: "Issuing", status: "False" as const, reason: "RateLimited", message: "… retrying at 2026-06-01T15:00:00Z" }] };
    const p = planAcmeCertificate(cert(status), observed({}), NOW);
    assert.equal(p.conditions.find((c) => c.type === "Issuing")?.reason, "RateLimited");
    assert.equal(p.outcome.kind, "waiting");
    assert.equal(p.requeueAfterMs, 3 * 3_600_000);
  });

  test("a failed challenge counts attempts and backs off exponentially; a valid certificate stays Ready", () => {
    const p = planAcmeCertificate(cert({ order, failedIssuanceAttempts: 2 }), observed({ current: valid, renewalTime: NOW, step: { kind: "failed", reason: "ChallengeFailed", message: "ACME challenge failed: www.example.test: Correct value not found for DNS challenge" } }), NOW);
    assert.equal(p.status?.["failedIssuanceAttempts"], 3);
    assert.equal(p.status?.["lastFailureTime"], "2026-06-01T12:00:00Z");
    assert.equal(p.status?.["nextAttemptTime"], new Date(NOW.getTime() + 20 * 60_000).toISOString().replace(".000", ""));
    assert.equal(p.conditions.find((c) => c.type === "Ready")?.status, "True");
    assert.equal(p.outcome.kind, "ok");
  });

  const transientCases: Array<[string, Partial<AcmeObserved>, string]> = [
    ["unreachable CA or DNS", { unreachable: "DNS server did not answer: 127.0.0.1:53 over UDP" }, "Unreachable"],
    ["the CA answered 5xx", { caError: "ACME new order failed: https://acme.example.test/dir answered 503 serverInternal: down (see the problem detail)" }, "CAError"],
  ];
  for (const [what, o, reason] of transientCases) {
    test(`${what}: transient ${reason}, order kept, Issuing and a Warning Event name it`, () => {
      const p = planAcmeCertificate(cert({ order }), observed(o), NOW);
      assert.equal(p.outcome.kind, "transient");
      assert.equal(p.outcome.kind === "transient" ? p.outcome.reason : "", reason);
      const issuing = p.conditions.find((c) => c.type === "Issuing");
      assert.equal(issuing?.reason, reason);
      assert.equal(issuing?.message, o.unreachable ?? o.caError);
      assert.deepEqual(p.events.map((e) => [e.type, e.reason]), [["Warning", reason]]);
      assert.deepEqual(p.status?.["order"], order);
      assert.deepEqual(p.writes, []);
    });
  }

  test("a progress step stores the order and polls with backoff while waiting", () => {
    const p = planAcmeCertificate(cert(), observed({ step: { kind: "progress", progress: order, message: "waiting for the TXT records", waiting: "ns1: NXDOMAIN" } }), NOW);
    assert.deepEqual(p.status?.["order"], order);
    assert.equal(p.conditions.find((c) => c.type === "Issuing")?.reason, "Propagating");
    assert.equal(p.requeueAfterMs, 15_000);
  });

  test("issued: the TLS Secret (kubernetes.io/tls, chain + key) is written naming the previous one, the next key deleted, the order removed", () => {
    const previous = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "www-tls", namespace: "web", resourceVersion: "7" }, data: {} };
    const p = planAcmeCertificate(cert({ order: { ...order, stage: "Downloading" } }), observed({ tlsSecret: previous, current: valid, nextKeyPem: "KEY", step: { kind: "issued", chainPem: "CHAIN", message: "certificate issued" } }), NOW);
    const [write, del] = p.writes;
    assert.ok(write && write.op === "apply");
    assert.equal(write.object["type"], "kubernetes.io/tls");
    assert.equal(write.object.metadata.resourceVersion, "7");
    assert.deepEqual(write.object["data"], { "tls.crt": Buffer.from("CHAIN").toString("base64"), "tls.key": Buffer.from("KEY").toString("base64") });
    assert.equal(write.previous, previous);
    assert.deepEqual(del, { op: "delete", resource: write.resource, namespace: "web", name: "www-tls-next-key" });
    assert.equal(p.status?.["order"], null);
  });

  test("a missing solver credential without a valid certificate is waiting, naming the Secret", () => {
    const p = planAcmeCertificate(cert(), observed({ missing: "Secret web/cf key api-token (the DNS solver's credential) does not exist" }), NOW);
    assert.equal(p.outcome.kind, "waiting");
    assert.match(p.conditions.find((c) => c.type === "Issuing")?.message ?? "", /Secret web\/cf key api-token/);
  });
});
