/**
 * The DnsCredential kind against a real BIND 9: a TSIG credential is proven with a DNS-01 round
 * trip before it reaches its targets; rotating key A → key B succeeds (targets rewritten, the
 * previous Secret named so consumers reload); rotating to key C, which BIND refuses, is blocked:
 * nothing changes in any target, Ready=False names REFUSED, an alert fires, and the refused
 * candidate is not probed again within five minutes. Canary TSIG secrets never in status/Events.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../../src/clock.js";
import { credentialDeps } from "../../../src/controller/dns-credential/deps.js";
import { dnsCredentialKind } from "../../../src/controller/dns-credential/index.js";
import type { CredentialDeps } from "../../../src/controller/dns-credential/observe.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { newKey, startBind, type BindServer } from "../../harness/acme/bind.js";
import { KindDriver, ManualClock } from "../../support/kind-driver.js";

let bind: BindServer;
const keyA = newKey("acme-a", true);
const keyB = newKey("acme-b", true, "hmac-sha512");
const keyC = newKey("acme-c", false);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const source = (value: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "tsig-incoming", namespace: "cert-manager" }, type: "Opaque", data: { secret: b64(value) } });
const valueOf = (d: KindDriver<unknown, unknown>, ns: string, name: string, key: string) => {
  const data = d.get(SECRETS, ns, name)?.["data"] as Record<string, string> | undefined;
  return data?.[key] === undefined ? undefined : Buffer.from(data[key] ?? "", "base64").toString();
};

before(async () => {
  bind = await startBind({ keys: [keyA, keyB, keyC] });
});
after(async () => bind?.close());

describe("DnsCredential rotation against BIND", () => {
  test("A is proven and projected; A → B rotates; → C (refused) is blocked and nothing changes", async () => {
    const clock = new ManualClock(new Date());
    let probes = 0;
    const real = credentialDeps({ clock: systemClock, resolvers: [], readVault: async () => { throw new Error("no Vault here"); } });
    const deps: CredentialDeps = { ...real, probe: async (...args) => (probes++, real.probe(...args)) };
    const kind = dnsCredentialKind(deps);
    const spec = (key: typeof keyA) => ({
      source: { secretRef: { name: "tsig-incoming", key: "secret" } },
      provider: { rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: key.name, tsigAlgorithm: key.algorithm === "hmac-sha256" ? "HMACSHA256" : "HMACSHA512" } },
      zone: "example.test",
      targets: [{ name: "tsig", key: "secret" }, { namespace: "traefik", name: "traefik-env", key: "RFC2136_TSIG_SECRET" }],
    });
    const d = new KindDriver(kind as never, { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "tsig", namespace: "cert-manager", uid: "uid-1", generation: 1 }, spec: spec(keyA) }, clock) as KindDriver<unknown, unknown>;
    d.put(SECRETS, source(keyA.secret));

    await d.pass();
    assert.equal(valueOf(d, "cert-manager", "tsig", "secret"), keyA.secret);
    assert.equal(valueOf(d, "traefik", "traefik-env", "RFC2136_TSIG_SECRET"), keyA.secret);
    assert.equal(d.condition("Ready")?.reason, "Propagated");
    const steady = await d.pass();
    assert.deepEqual(steady.writes, []);
    assert.equal(probes, 1, "a proven credential is not probed again");

    d.primary = { ...d.primary, metadata: { ...d.primary.metadata, generation: 2 }, spec: spec(keyB) };
    d.put(SECRETS, source(keyB.secret));
    const rotated = await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Rotated");
    assert.equal(valueOf(d, "cert-manager", "tsig", "secret"), keyB.secret);
    assert.equal(valueOf(d, "traefik", "traefik-env", "RFC2136_TSIG_SECRET"), keyB.secret);
    assert.ok(rotated.writes.every((w) => w.op === "apply" && w.previous), "the previous Secrets are named: their consumers reload");

    d.primary = { ...d.primary, metadata: { ...d.primary.metadata, generation: 3 }, spec: spec(keyC) };
    d.put(SECRETS, source(keyC.secret));
    const blocked = await d.pass();
    assert.deepEqual(blocked.writes, [], "nothing is written anywhere");
    assert.equal(valueOf(d, "cert-manager", "tsig", "secret"), keyB.secret);
    assert.equal(valueOf(d, "traefik", "traefik-env", "RFC2136_TSIG_SECRET"), keyB.secret);
    const ready = d.condition("Ready");
    assert.equal(ready?.status, "False");
    assert.equal(ready?.reason, "CredentialRejected");
    assert.match(ready?.message ?? "", /\(REFUSED\)/);
    assert.equal(blocked.events[0]?.type, "Warning");
    assert.deepEqual(((d.primary["status"] as { alerts?: Array<{ name: string }> }).alerts ?? []).map((a) => a.name), ["DnsCredentialRejected"]);

    clock.set(new Date(clock.now().getTime() + 60_000));
    const again = await d.pass();
    assert.deepEqual(again.writes, []);
    assert.equal(probes, 3, "the refused candidate is not probed again within five minutes");
    assert.equal(d.condition("Ready")?.reason, "CredentialRejected");

    const visible = JSON.stringify([d.primary["status"], d.passes.map((p) => [p.events, p.conditions])]);
    for (const k of [keyA, keyB, keyC]) assert.ok(!visible.includes(k.secret), `secret of ${k.name} in status or Events`);
  });
  test("the source changes before the spec names the new key: refused under key A's name, then proven at once under key B's", async () => {
    const clock = new ManualClock(new Date());
    const kind = dnsCredentialKind(credentialDeps({ clock: systemClock, resolvers: [], readVault: async () => { throw new Error("no Vault here"); } }));
    const spec = (key: typeof keyA) => ({
      source: { secretRef: { name: "tsig-incoming", key: "secret" } },
      provider: { rfc2136: { nameserver: `127.0.0.1:${bind.port}`, tsigKeyName: key.name, tsigAlgorithm: key.algorithm === "hmac-sha256" ? "HMACSHA256" : "HMACSHA512" } },
      zone: "example.test",
      targets: [{ name: "tsig-order", key: "secret" }],
    });
    const d = new KindDriver(kind as never, { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "order", namespace: "cert-manager", uid: "uid-2", generation: 1 }, spec: spec(keyA) }, clock) as KindDriver<unknown, unknown>;
    d.put(SECRETS, source(keyA.secret));
    await d.pass();
    assert.equal(valueOf(d, "cert-manager", "tsig-order", "secret"), keyA.secret);
    d.put(SECRETS, source(keyB.secret)); // B's secret, still under key A's name
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "CredentialRejected");
    assert.match(d.condition("Ready")?.message ?? "", /BADSIG/);
    d.primary = { ...d.primary, metadata: { ...d.primary.metadata, generation: 2 }, spec: spec(keyB) };
    await d.pass(); // same clock: well within the five minutes a refused candidate waits
    assert.equal(d.condition("Ready")?.reason, "Rotated");
    assert.equal(valueOf(d, "cert-manager", "tsig-order", "secret"), keyB.secret);
  });
});
