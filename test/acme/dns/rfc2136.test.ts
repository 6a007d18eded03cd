// The RFC 2136 provider and the propagation check against a real BIND 9 (Debian's named) on loopback.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { systemClock } from "../../../src/clock.js";
import { checkPropagation, waitForPropagation } from "../../../src/acme/dns/propagation.js";
import { DnsProviderError } from "../../../src/acme/dns/provider.js";
import { Rfc2136Provider } from "../../../src/acme/dns/rfc2136.js";
import type { DnsLookupConfig } from "../../../src/acme/dns/authoritative.js";
import { newKey, startBind, type BindKey, type BindServer } from "../../harness/acme/bind.js";

let bind: BindServer;
let lookup: DnsLookupConfig;
const keyA = newKey("acme-a", true, "hmac-sha256");
const keyB = newKey("acme-b", true, "hmac-sha512");
const keyC = newKey("acme-c", false);

function provider(key: BindKey, transport: "udp" | "tcp" = "udp", secret = key.secret): Rfc2136Provider {
  return new Rfc2136Provider({ nameserver: bind.server, transport, tsig: { name: key.name, algorithm: key.algorithm, secret: Buffer.from(secret, "base64") } }, systemClock);
}

before(async () => {
  bind = await startBind({ keys: [keyA, keyB, keyC], records: ["_acme-challenge.alias IN CNAME _acme-challenge.target"] });
  lookup = { resolvers: [bind.server], authoritativePort: bind.port, timeoutMs: 2000 };
});
after(async () => bind?.close());

describe("rfc2136 against BIND", () => {
  test("a granted key adds a TXT record every authoritative server then serves, and deletes it", async () => {
    const record = { zone: "example.test", fqdn: "_acme-challenge.www.example.test", value: "token-a-1" };
    assert.equal((await checkPropagation(record.fqdn, record.value, lookup)).ready, false);
    await provider(keyA).present(record);
    const check = await checkPropagation(record.fqdn, record.value, lookup);
    assert.deepEqual(check, { fqdn: record.fqdn, zone: "example.test", ready: true, pending: [] });
    await provider(keyA).cleanUp(record);
    const gone = await checkPropagation(record.fqdn, record.value, lookup);
    assert.equal(gone.ready, false);
    assert.match(gone.pending[0] ?? "", /ns1\.example\.test \(127\.0\.0\.1:\d+\): (NXDOMAIN|no TXT record)/);
  });

  test("hmac-sha512 key over TCP", async () => {
    const record = { zone: "example.test", fqdn: "_acme-challenge.tcp.example.test", value: "token-b" };
    await provider(keyB, "tcp").present(record);
    assert.equal((await checkPropagation(record.fqdn, record.value, lookup)).ready, true);
    await provider(keyB, "tcp").cleanUp(record);
  });

  test("deleting one value keeps the other at the same name", async () => {
    const a = { zone: "example.test", fqdn: "_acme-challenge.two.example.test", value: "one" };
    const b = { ...a, value: "two" };
    await provider(keyA).present(a);
    await provider(keyA).present(b);
    await provider(keyA).cleanUp(a);
    assert.equal((await checkPropagation(a.fqdn, "two", lookup)).ready, true);
    assert.equal((await checkPropagation(a.fqdn, "one", lookup)).ready, false);
    await provider(keyA).cleanUp(b);
  });

  test("CNAMEs are followed: the record is checked where the chain ends", async () => {
    const target = { zone: "example.test", fqdn: "_acme-challenge.target.example.test", value: "via-cname" };
    await provider(keyA).present(target);
    const check = await checkPropagation("_acme-challenge.alias.example.test", "via-cname", lookup);
    assert.equal(check.fqdn, "_acme-challenge.target.example.test");
    assert.equal(check.ready, true);
    await provider(keyA).cleanUp(target);
  });

  test("cnameStrategy None checks the challenge name itself, not where its CNAME points", async () => {
    const target = { zone: "example.test", fqdn: "_acme-challenge.target.example.test", value: "not-via-cname" };
    await provider(keyA).present(target);
    const check = await checkPropagation("_acme-challenge.alias.example.test", "not-via-cname", { ...lookup, cnameStrategy: "None" });
    assert.equal(check.fqdn, "_acme-challenge.alias.example.test");
    assert.equal(check.ready, false);
    await provider(keyA).cleanUp(target);
  });

  const refusals: Array<[string, () => Rfc2136Provider, string]> = [
    ["a key named but not granted", () => provider(keyC), "REFUSED"],
    ["a key unknown to the server", () => provider(newKey("acme-unknown", false)), "NOTAUTH/BADKEY"],
    ["a wrong secret", () => provider(keyA, "udp", newKey("x", false).secret), "NOTAUTH/BADSIG"],
  ];
  for (const [what, make, answer] of refusals) {
    test(`${what} is refused with ${answer}, and the secret is not in the message`, async () => {
      const p = make();
      const err = await p.present({ zone: "example.test", fqdn: "_acme-challenge.refused.example.test", value: "x" }).then(
        () => assert.fail("expected a refusal"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DnsProviderError, String(err));
      assert.equal(err.answer, answer);
      assert.match(err.message, new RegExp(`answered ${answer}`));
      for (const k of [keyA, keyB, keyC]) assert.ok(!err.message.includes(k.secret));
    });
  }

  test("waiting polls through the injected sleep until the value is visible", async () => {
    const record = { zone: "example.test", fqdn: "_acme-challenge.wait.example.test", value: "late" };
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      if (sleeps.length === 2) await provider(keyA).present(record);
    };
    const check = await waitForPropagation(record.fqdn, record.value, lookup, { sleep, initialMs: 100, maxMs: 1000 });
    assert.equal(check.ready, true);
    assert.deepEqual(sleeps, [100, 200]);
    await provider(keyA).cleanUp(record);
  });

  test("a server that is not running is a clear error naming it", async () => {
    const p = new Rfc2136Provider({ nameserver: { host: "127.0.0.1", port: 9 }, timeoutMs: 300, tsig: { name: "k", algorithm: "hmac-sha256", secret: Buffer.alloc(32) } }, systemClock);
    await assert.rejects(p.present({ zone: "example.test", fqdn: "_acme-challenge.x.example.test", value: "v" }), /DNS server did not answer: 127\.0\.0\.1:9 over UDP/);
  });
});
