/**
 * Order steps replayed, as the controller replays a pass when its cache has not yet seen the
 * status the previous pass wrote: repeating the Propagating stage after the challenges were
 * accepted (and validated by Pebble) moves on to Validating instead of failing with Pebble's 400
 * "Cannot update challenge with status valid", and the order still completes. Real BIND and Pebble.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.js";
import { AcmeServer, newAccountKey } from "../../src/acme/acme-server.js";
import { advanceOrder, type StepResult } from "../../src/acme/order-steps.js";
import { Rfc2136Provider } from "../../src/acme/dns/rfc2136.js";
import { newKey, startBind, type BindServer } from "../harness/acme/bind.js";
import { startPebble, type PebbleServer } from "../harness/acme/pebble.js";

let bind: BindServer;
let pebble: PebbleServer;
const key = newKey("acme-replay", true);
before(async () => {
  bind = await startBind({ keys: [key] });
  pebble = await startPebble({ dnsServer: bind.server });
});
after(async () => {
  await pebble?.stop();
  await bind?.close();
});

test("a replayed Propagating stage after the challenge was accepted moves on, and the order completes", async () => {
  const dns = new Rfc2136Provider({ nameserver: bind.server, tsig: { name: key.name, algorithm: key.algorithm, secret: Buffer.from(key.secret, "base64") } }, systemClock);
  const acme = new AcmeServer({ directoryUrl: pebble.directoryUrl, accountKeyPem: await newAccountKey(), caPem: pebble.caPem, clock: systemClock });
  const ctx = { acme, dns, lookup: { resolvers: [bind.server], authoritativePort: bind.port }, clock: systemClock, zone: "example.test" };
  const names = ["replay.example.test"];
  const progressOf = (r: StepResult) => {
    assert.equal(r.kind, "progress", JSON.stringify(r));
    return r.kind === "progress" ? r.progress : assert.fail("not progress");
  };
  const created = progressOf(await advanceOrder(ctx, names, undefined, ""));
  const presented = progressOf(await advanceOrder(ctx, names, created, ""));
  assert.equal(presented.stage, "Propagating");
  let accepted = progressOf(await advanceOrder(ctx, names, presented, ""));
  for (let i = 0; i < 100 && accepted.stage === "Propagating"; i++) accepted = progressOf(await advanceOrder(ctx, names, presented, ""));
  assert.equal(accepted.stage, "Validating");
  // Pebble (no validation sleep) validates at once; wait until it says so, then replay Propagating.
  for (let i = 0; i < 100; i++) {
    const tasks = await acme.dns01Tasks(await acme.order(presented.url));
    if (tasks.every((t) => t.challengeStatus === "valid")) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const replayed = progressOf(await advanceOrder(ctx, names, presented, ""));
  assert.equal(replayed.stage, "Validating");
  let progress = replayed;
  const keyPem = await newAccountKey();
  let result: StepResult = { kind: "progress", progress, message: "" };
  for (let i = 0; i < 100 && result.kind === "progress"; i++) {
    result = await advanceOrder(ctx, names, progress, keyPem);
    if (result.kind === "progress") progress = result.progress;
  }
  assert.equal(result.kind, "issued", JSON.stringify(result));
});
