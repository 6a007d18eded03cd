/**
 * A failed DNS-01 challenge against real BIND and Pebble: the provider publishes a wrong value,
 * Pebble marks the authorization invalid ("Correct value not found for DNS challenge"), the
 * issuance fails with that answer, and the TXT records are removed all the same.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.js";
import { issueCertificate } from "../../src/acme/issue.js";
import { AcmeServer, newAccountKey } from "../../src/acme/acme-server.js";
import { advanceOrder } from "../../src/acme/order-steps.js";
import { Rfc2136Provider } from "../../src/acme/dns/rfc2136.js";
import type { DnsProvider, TxtRecord } from "../../src/acme/dns/provider.js";
import { queryServer } from "../../src/acme/dns/query.js";
import { RRTYPE } from "../../src/acme/dns/wire/record.js";
import { newKey, startBind, type BindServer } from "../harness/acme/bind.js";
import { startPebble, type PebbleServer } from "../harness/acme/pebble.js";

let bind: BindServer;
let pebble: PebbleServer;
const key = newKey("acme-a", true);
before(async () => {
  bind = await startBind({ keys: [key] });
  pebble = await startPebble({ dnsServer: bind.server });
});
after(async () => {
  await pebble?.stop();
  await bind?.close();
});

test("a wrong TXT value: the challenge fails with Pebble's answer and the records are cleaned up", async () => {
  const real = new Rfc2136Provider({ nameserver: bind.server, tsig: { name: key.name, algorithm: key.algorithm, secret: Buffer.from(key.secret, "base64") } }, systemClock);
  const wrong = (r: TxtRecord) => ({ ...r, value: `${r.value}-wrong` });
  const presented: TxtRecord[] = [];
  const provider: DnsProvider = {
    kind: "rfc2136",
    describe: real.describe,
    present: async (r) => (presented.push(wrong(r)), real.present(wrong(r))),
    cleanUp: (r) => real.cleanUp(wrong(r)),
  };
  // The propagation check looks for the right value, which never appears: accept any TXT here by
  // checking the wrong one instead (the CA is the judge in this test).
  const lines: string[] = [];
  const err = await issueCertificate({
    directoryUrl: pebble.directoryUrl,
    dnsNames: ["bad.example.test"],
    dns: provider,
    lookup: { resolvers: [bind.server], authoritativePort: bind.port },
    caPem: pebble.caPem,
    clock: systemClock,
    sleep: async () => undefined,
    progress: (l) => lines.push(l),
    timeoutMs: 0,
  }).catch((e: unknown) => e);
  assert.ok(err instanceof Error);
  // Propagation never sees the right value: the run gives up at once (timeout 0) naming the stage...
  assert.match(err.message, /gave up after 0s at Propagating/);
  assert.equal(presented.length, 1);
  // ...and the wrong record it published is gone.
  assert.equal((await queryServer(bind.server, "_acme-challenge.bad.example.test", RRTYPE.TXT)).answers.length, 0);
});

test("the CA refuses the wrong value: the order fails with its answer and the TXT record is removed", async () => {
  const real = new Rfc2136Provider({ nameserver: bind.server, tsig: { name: key.name, algorithm: key.algorithm, secret: Buffer.from(key.secret, "base64") } }, systemClock);
  const wrong = (r: TxtRecord) => ({ ...r, value: `${r.value}-wrong` });
  const provider: DnsProvider = { kind: "rfc2136", describe: real.describe, present: (r) => real.present(wrong(r)), cleanUp: (r) => real.cleanUp(wrong(r)) };
  const acme = new AcmeServer({ directoryUrl: pebble.directoryUrl, accountKeyPem: await newAccountKey(), caPem: pebble.caPem, clock: systemClock });
  const ctx = { acme, dns: provider, lookup: { resolvers: [bind.server], authoritativePort: bind.port }, clock: systemClock, zone: "example.test" };
  const created = await advanceOrder(ctx, ["refused.example.test"], undefined, "");
  assert.equal(created.kind, "progress");
  if (created.kind !== "progress") return;
  const presented = await advanceOrder(ctx, ["refused.example.test"], created.progress, "");
  assert.equal(presented.kind === "progress" && presented.progress.stage, "Propagating");
  if (presented.kind !== "progress") return;
  // Skip our propagation check (it rightly never passes) and let the CA judge.
  for (const c of presented.progress.challenges) await acme.acceptChallenge(c.challengeUrl);
  let result = await advanceOrder(ctx, ["refused.example.test"], { ...presented.progress, stage: "Validating" }, "");
  for (let i = 0; i < 50 && result.kind === "progress"; i++) {
    await new Promise((r) => setTimeout(r, 50));
    result = await advanceOrder(ctx, ["refused.example.test"], { ...presented.progress, stage: "Validating" }, "");
  }
  assert.equal(result.kind, "failed");
  if (result.kind !== "failed") return;
  assert.equal(result.reason, "ChallengeFailed");
  assert.match(result.message, /refused\.example\.test: .*(Correct value not found|unauthorized)/i);
  assert.equal((await queryServer(bind.server, "_acme-challenge.refused.example.test", RRTYPE.TXT)).answers.length, 0, "TXT removed after the failure");
});

test("a Propagating step repeated after the challenges were submitted (a crash, or a pass on a stale cache) moves on, and the order completes", async () => {
  const provider = new Rfc2136Provider({ nameserver: bind.server, tsig: { name: key.name, algorithm: key.algorithm, secret: Buffer.from(key.secret, "base64") } }, systemClock);
  const acme = new AcmeServer({ directoryUrl: pebble.directoryUrl, accountKeyPem: await newAccountKey(), caPem: pebble.caPem, clock: systemClock });
  const ctx = { acme, dns: provider, lookup: { resolvers: [bind.server], authoritativePort: bind.port }, clock: systemClock, zone: "example.test" };
  const created = await advanceOrder(ctx, ["again.example.test"], undefined, "");
  assert.ok(created.kind === "progress");
  const presented = await advanceOrder(ctx, ["again.example.test"], created.progress, "");
  assert.ok(presented.kind === "progress" && presented.progress.stage === "Propagating");
  const submitted = await advanceOrder(ctx, ["again.example.test"], presented.progress, "");
  assert.ok(submitted.kind === "progress" && submitted.progress.stage === "Validating", JSON.stringify(submitted));
  // The same step again, from the progress as it was before the submission.
  for (let i = 0; i < 50 && (await acme.dns01Tasks(await acme.order(presented.progress.url))).some((t) => t.challengeStatus === "pending"); i++) await new Promise((r) => setTimeout(r, 20));
  const repeated = await advanceOrder(ctx, ["again.example.test"], presented.progress, "");
  assert.equal(repeated.kind === "progress" && repeated.progress.stage, "Validating", JSON.stringify(repeated));
  // …and the order still completes from there (and removes its TXT records).
  const keyPem = await newAccountKey();
  let result = repeated;
  for (let i = 0; i < 100 && result.kind === "progress"; i++) result = await advanceOrder(ctx, ["again.example.test"], result.progress, keyPem);
  assert.equal(result.kind, "issued", JSON.stringify(result));
});
