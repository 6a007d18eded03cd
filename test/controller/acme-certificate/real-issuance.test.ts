/**
 * The AcmeCertificate kind against real BIND 9 and real Pebble, passes driven over in-memory
 * objects with an injected clock: the account key Secret is created, the order advances one step
 * per pass to a kubernetes.io/tls Secret with the chain, status records notAfter/renewalTime; a
 * second pass writes nothing; a restarted controller resumes the order; BIND stopped mid-order
 * is a transient failure keeping the order, then it completes; moving the clock past renewalTime
 * renews (Pebble issues one-hour certificates here). The TSIG secret never appears in status or Events.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { systemClock } from "../../../src/clock.js";
import { queryServer } from "../../../src/acme/dns/query.js";
import { RRTYPE } from "../../../src/acme/dns/wire/record.js";
import { acmeCertificateKind } from "../../../src/controller/acme-certificate/index.js";
import { acmeDeps } from "../../../src/controller/acme-certificate/deps.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { newKey, startBind, type BindServer } from "../../harness/acme/bind.js";
import { startPebble, type PebbleServer } from "../../harness/acme/pebble.js";
import { KindDriver, ManualClock } from "../../support/kind-driver.js";

let bind: BindServer;
let pebble: PebbleServer;
const key = newKey("acme-a", true);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const secret = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "web" }, type: "Opaque", data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

function certificate(name: string, dnsNames: string[]): KubeObject {
  return {
    apiVersion: "sealbridge.io/v1alpha1",
    kind: "AcmeCertificate",
    metadata: { name, namespace: "web", uid: `uid-${name}`, generation: 1 },
    spec: {
      dnsNames,
      secretName: `${name}-tls`,
      issuer: { directoryUrl: pebble.directoryUrl, email: "ops@example.test", accountKeySecretRef: { name: "acme-account" }, caBundleSecretRef: { name: "pebble-ca", key: "ca.crt" } },
      dns01: { zone: "example.test", rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: key.name, tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } },
    },
  };
}

function driver(name: string, dnsNames: string[], clock: ManualClock): KindDriver<unknown, unknown> {
  const kind = acmeCertificateKind(acmeDeps({ clock: systemClock, resolvers: [] })) as never;
  const d = new KindDriver(kind, certificate(name, dnsNames), clock) as KindDriver<unknown, unknown>;
  d.put(SECRETS, secret("tsig", { secret: key.secret }));
  d.put(SECRETS, secret("pebble-ca", { "ca.crt": pebble.caPem }));
  return d;
}

/** Runs passes until `done` holds; waits between passes only while the CA or DNS is working. */
async function passUntil(d: KindDriver<unknown, unknown>, done: () => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max && !done(); i++) {
    const plan = await d.pass();
    if ((plan.requeueAfterMs ?? 0) > 1) await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(done(), `not done after ${max} passes; last conditions: ${JSON.stringify((d.primary["status"] as { conditions?: unknown })?.conditions)}`);
}

const tlsOf = (d: KindDriver<unknown, unknown>, name: string) => d.get(SECRETS, "web", `${name}-tls`);
const leafOf = (s: KubeObject | undefined) => new X509Certificate(Buffer.from(((s?.["data"] as Record<string, string>)["tls.crt"] ?? ""), "base64").toString().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----");

function noSecretIn(d: KindDriver<unknown, unknown>): void {
  const text = JSON.stringify([d.primary["status"], d.passes.map((p) => p.events), d.passes.map((p) => p.conditions)]);
  assert.ok(!text.includes(key.secret), "TSIG secret in status, conditions or Events");
}

before(async () => {
  bind = await startBind({ keys: [key] });
  pebble = await startPebble({ dnsServer: bind.server, certificateValidityPeriod: 3600 });
});
after(async () => {
  await pebble?.stop();
  await bind?.close();
});

describe("AcmeCertificate against BIND and Pebble", () => {
  test("issues into a kubernetes.io/tls Secret, records notAfter and renewalTime, then writes nothing; renews once renewalTime passes", async () => {
    const clock = new ManualClock(new Date());
    const d = driver("www", ["www.example.test", "api.example.test"], clock);
    const first = await d.pass();
    assert.equal(first.events[0]?.reason, "AccountKeyCreated");
    assert.ok(d.get(SECRETS, "web", "acme-account"), "account key Secret created");
    await passUntil(d, () => tlsOf(d, "www") !== undefined);
    await d.pass(); // reads the new certificate back: notAfter, renewalTime
    const tls = tlsOf(d, "www");
    assert.equal(tls?.["type"], "kubernetes.io/tls");
    const chain = Buffer.from((tls?.["data"] as Record<string, string>)["tls.crt"] ?? "", "base64").toString();
    assert.ok((chain.match(/BEGIN CERTIFICATE/g) ?? []).length >= 2, "leaf + chain");
    assert.equal(d.get(SECRETS, "web", "www-tls-next-key"), undefined, "next key Secret removed");
    const status = d.primary["status"] as Record<string, string>;
    const leaf = leafOf(tls);
    assert.equal(status["notAfter"], new Date(leaf.validTo).toISOString().replace(/\.000Z$/, "Z"));
    const lifetime = new Date(leaf.validTo).getTime() - new Date(leaf.validFrom).getTime();
    const expected = new Date(leaf.validFrom).getTime() + Math.floor((lifetime * 2) / 3);
    assert.equal(new Date(status["renewalTime"] ?? "").getTime(), Math.floor(expected / 1000) * 1000, "renewal at 2/3 of the lifetime (second precision)");
    assert.equal(status["order"], undefined);
    assert.equal(d.condition("Ready")?.status, "True");
    assert.equal((await queryServer(bind.server, "_acme-challenge.www.example.test", RRTYPE.TXT)).answers.length, 0, "TXT cleaned");
    const steady = await d.pass();
    assert.deepEqual(steady.writes, []);
    assert.ok((steady.requeueAfterMs ?? 0) > 30 * 60_000, "comes back at renewal time");

    clock.set(new Date(new Date(status["renewalTime"] ?? "").getTime() + 1000));
    const serial = leaf.serialNumber;
    await passUntil(d, () => leafOf(tlsOf(d, "www")).serialNumber !== serial);
    const renewal = d.passes.find((p) => p.writes.some((w) => (w.op === "apply" || w.op === "replace") && w.object.metadata.name === "www-tls" && (w as { previous?: unknown }).previous));
    assert.ok(renewal, "the renewal write names the previous Secret (consumers are reloaded)");
    noSecretIn(d);
  });

  test("a restarted controller resumes the order; BIND stopped mid-order keeps it and it completes later", async () => {
    const clock = new ManualClock(new Date());
    const d = driver("resume", ["resume.example.test"], clock);
    await passUntil(d, () => (d.primary["status"] as { order?: { stage: string } } | undefined)?.order?.stage === "Presenting");
    const orderUrl = (d.primary["status"] as { order: { url: string } }).order.url;
    await bind.stop();
    const down = await d.pass();
    assert.equal(down.outcome.kind, "transient");
    assert.match(d.condition("Issuing")?.message ?? "", /DNS server did not answer: 127\.0\.0\.1:\d+/);
    assert.equal((d.primary["status"] as { order: { url: string } }).order.url, orderUrl, "the order is kept");
    await bind.start();
    // A new controller process: fresh adapters, same objects.
    const restarted = new KindDriver(acmeCertificateKind(acmeDeps({ clock: systemClock, resolvers: [] })) as never, d.primary, clock) as KindDriver<unknown, unknown>;
    for (const [k, v] of d.objects) restarted.objects.set(k, v);
    const next = await restarted.pass();
    assert.match(next.conditions.find((c) => c.type === "Issuing")?.message ?? "", /TXT records published/);
    assert.equal((restarted.primary["status"] as { order: { url: string } }).order.url, orderUrl, "same order resumed");
    await passUntil(restarted, () => tlsOf(restarted, "resume") !== undefined);
    noSecretIn(restarted);
  });
});
