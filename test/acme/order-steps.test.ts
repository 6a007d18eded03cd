/**
 * advanceOrder with a CA stub: a 4xx problem on a step of an existing order (the order gone, a
 * response the CA will not take) fails the order and removes its TXT records, instead of
 * retrying the same step for ever; a 5xx and a bad nonce stay errors the caller retries. The
 * CNAME lookups of the cleanup go to a real BIND.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.js";
import { AcmeProblemError } from "../../src/acme/acme-errors.js";
import type { AcmeServer } from "../../src/acme/acme-server.js";
import type { DnsProvider, TxtRecord } from "../../src/acme/dns/provider.js";
import type { OrderProgress } from "../../src/acme/order-progress.js";
import { advanceOrder } from "../../src/acme/order-steps.js";
import { newKey, startBind, type BindServer } from "../harness/acme/bind.js";

// The TXT cleanup follows CNAMEs first: a real BIND answers those lookups.
let bind: BindServer;
before(async () => {
  bind = await startBind({ keys: [newKey("acme-a", true)] });
});
after(async () => bind?.close());

const progress: OrderProgress = {
  url: "https://ca.example.test/order/1",
  dnsNames: ["www.example.test"],
  stage: "Validating",
  challenges: [{ identifier: "www.example.test", fqdn: "_acme-challenge.www.example.test", txtValue: "v", challengeUrl: "https://ca.example.test/chall/1", authorizationUrl: "https://ca.example.test/authz/1" }],
  startedAt: "2026-01-01T00:00:00Z",
};

function setup(problem: AcmeProblemError) {
  const removed: TxtRecord[] = [];
  const acme = { account: async () => "https://ca.example.test/acct/1", order: async () => { throw problem; } } as unknown as AcmeServer;
  const dns: DnsProvider = { kind: "rfc2136", describe: "stub", present: async () => undefined, cleanUp: async (r) => void removed.push(r) };
  const ctx = { acme, dns, lookup: { resolvers: [bind.server], authoritativePort: bind.port, timeoutMs: 2000 }, clock: systemClock, zone: "example.test" };
  return { ctx, removed };
}

test("a 404 for the order fails it, naming the CA's answer, and removes the TXT records", async () => {
  const { ctx, removed } = setup(new AcmeProblemError("ACME order lookup failed: https://ca.example.test/dir answered 404 malformed: No order found (see the problem detail)", "urn:ietf:params:acme:error:malformed", 404));
  const result = await advanceOrder(ctx, progress.dnsNames, progress, "");
  assert.equal(result.kind, "failed");
  assert.ok(result.kind === "failed");
  assert.equal(result.reason, "OrderFailed");
  assert.match(result.message, /answered 404 malformed: No order found \(the order is abandoned; a new one starts after the backoff\)$/);
  assert.deepEqual(removed.map((r) => r.fqdn), ["_acme-challenge.www.example.test"]);
});

test("a 5xx and a bad nonce are thrown for the caller to retry the same step", async () => {
  for (const problem of [
    new AcmeProblemError("ACME order lookup failed: answered 503 serverInternal", "urn:ietf:params:acme:error:serverInternal", 503),
    new AcmeProblemError("ACME order lookup failed: answered 400 badNonce", "urn:ietf:params:acme:error:badNonce", 400),
  ]) {
    const { ctx, removed } = setup(problem);
    await assert.rejects(advanceOrder(ctx, progress.dnsNames, progress, ""), (e) => e === problem);
    assert.deepEqual(removed, []);
  }
});
