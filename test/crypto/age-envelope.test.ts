import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AGE_ENVELOPE_MAGIC,
  ageScopeToken,
  decryptAgeValue,
  encodeAgeEnvelope,
  encryptAgeValue,
  parseAgeEnvelope,
} from "../../src/crypto/age-envelope.js";
import { generateAgeIdentity } from "../../src/crypto/age-keys.js";
import { DecryptError, InputError, isSealbridgeError } from "../../src/errors.js";
import type { Scope } from "../../src/crypto/scope.js";

const CANARY = "canary-Zq8vX2-do-not-leak";
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const alice = await generateAgeIdentity();
const bob = await generateAgeIdentity();

async function rejects(p: Promise<unknown>, code: string): Promise<Error> {
  let caught: unknown;
  await p.then(
    () => assert.fail(`expected ${code}`),
    (err: unknown) => (caught = err),
  );
  assert.ok(caught instanceof Error && isSealbridgeError(caught), `not a SealbridgeError: ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(!caught.message.includes(CANARY), "canary in message");
  assert.ok(!caught.message.includes(alice.identity) && !caught.message.includes(bob.identity), "identity in message");
  return caught;
}

describe("envelope format", () => {
  test("header line per scope is exact", () => {
    const table: Array<[Scope, string]> = [
      ["strict", "sealbridge/v1 scope=strict:prod/db-creds\n"],
      ["namespace-wide", "sealbridge/v1 scope=namespace-wide:prod\n"],
      ["cluster-wide", "sealbridge/v1 scope=cluster-wide\n"],
    ];
    for (const [scope, header] of table) {
      assert.equal(text(encodeAgeEnvelope(bytes("v"), scope, "prod", "db-creds")), `${header}v`);
    }
    assert.equal(AGE_ENVELOPE_MAGIC, "sealbridge/v1 scope=");
  });

  test("parse inverts encode, binary values included", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom<Scope>("strict", "namespace-wide", "cluster-wide"),
        (value, scope) => {
          const env = parseAgeEnvelope(encodeAgeEnvelope(value, scope, "ns-1", "my.secret"));
          assert.ok(env);
          assert.equal(env.scope, scope);
          assert.deepEqual(env.value, value);
        },
      ),
    );
  });

  test("malformed headers are not envelopes", () => {
    for (const bad of [
      "",
      "no newline",
      "sealbridge/v1 scope=strict:prod\nv", // strict needs a name
      "sealbridge/v1 scope=strict:prod/\nv",
      "sealbridge/v1 scope=strict:/db\nv",
      "sealbridge/v1 scope=strict:prod/db/x\nv",
      "sealbridge/v1 scope=namespace-wide:\nv",
      "sealbridge/v1 scope=namespace-wide:Prod\nv",
      "sealbridge/v1 scope=cluster-wide:x\nv",
      "sealbridge/v1 scope=global\nv",
      "sealbridge/v2 scope=cluster-wide\nv",
      " sealbridge/v1 scope=cluster-wide\nv",
      "sealbridge/v1 scope=strict:prod/db \nv",
      "sealbridge/v1 scope=strict:prod/db\r\nv",
    ]) {
      assert.equal(parseAgeEnvelope(bytes(bad)), null, JSON.stringify(bad));
    }
  });

  test("scope tokens refuse names that would make the header ambiguous", () => {
    assert.throws(() => ageScopeToken("strict", "", "db"), InputError);
    assert.throws(() => ageScopeToken("strict", "prod", ""), InputError);
    assert.throws(() => ageScopeToken("strict", "a/b", "db"), InputError);
    assert.throws(() => ageScopeToken("namespace-wide", "a:b", "db"), InputError);
    assert.throws(() => ageScopeToken("strict", "prod", "db\nx"), InputError);
    assert.equal(ageScopeToken("cluster-wide", "", ""), "cluster-wide");
  });
});

describe("encryptAgeValue / decryptAgeValue", () => {
  test("round trips in every scope, to every recipient", async () => {
    for (const scope of ["strict", "namespace-wide", "cluster-wide"] as const) {
      const armored = await encryptAgeValue(bytes(CANARY), scope, "prod", "db", [alice.recipient, bob.recipient]);
      assert.match(armored, /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
      assert.ok(!armored.includes(CANARY));
      for (const id of [alice.identity, bob.identity]) {
        assert.equal(text(await decryptAgeValue(armored, [id], "prod", "db")), CANARY);
      }
    }
  });

  test("post-quantum hybrid recipients work beside X25519 ones", async () => {
    const { generateHybridIdentity, identityToRecipient } = await import("age-encryption");
    const pq = await generateHybridIdentity();
    const armored = await encryptAgeValue(bytes(CANARY), "strict", "prod", "db", [await identityToRecipient(pq), alice.recipient]);
    assert.equal(text(await decryptAgeValue(armored, [pq], "prod", "db")), CANARY);
    assert.equal(text(await decryptAgeValue(armored, [alice.identity], "prod", "db")), CANARY);
  });

  test("binary values round trip byte for byte", async () => {
    const value = new Uint8Array(256).map((_, i) => i);
    const armored = await encryptAgeValue(value, "strict", "prod", "db", [alice.recipient]);
    assert.deepEqual(await decryptAgeValue(armored, [alice.identity], "prod", "db"), value);
    const empty = await encryptAgeValue(new Uint8Array(0), "strict", "prod", "db", [alice.recipient]);
    assert.deepEqual(await decryptAgeValue(empty, [alice.identity], "prod", "db"), new Uint8Array(0));
  });

  test("a value sealed for one place never opens in another", async () => {
    const strict = await encryptAgeValue(bytes(CANARY), "strict", "prod", "db", [alice.recipient]);
    const nsWide = await encryptAgeValue(bytes(CANARY), "namespace-wide", "prod", "db", [alice.recipient]);
    const clusterWide = await encryptAgeValue(bytes(CANARY), "cluster-wide", "prod", "db", [alice.recipient]);
    const err = await rejects(decryptAgeValue(strict, [alice.identity], "prod", "other", 'key "password"'), "AgeScopeMismatch");
    assert.match(err.message, /key "password" of prod\/other/);
    assert.match(err.message, /strict:prod\/db/);
    await rejects(decryptAgeValue(strict, [alice.identity], "staging", "db"), "AgeScopeMismatch");
    await rejects(decryptAgeValue(nsWide, [alice.identity], "staging", "db"), "AgeScopeMismatch");
    assert.equal(text(await decryptAgeValue(nsWide, [alice.identity], "prod", "anything")), CANARY);
    assert.equal(text(await decryptAgeValue(clusterWide, [alice.identity], "any-ns", "any")), CANARY);
  });

  test("a wrong identity, a missing envelope and bad input fail with typed errors", async () => {
    const armored = await encryptAgeValue(bytes(CANARY), "strict", "prod", "db", [alice.recipient]);
    await rejects(decryptAgeValue(armored, [bob.identity], "prod", "db"), "AgeNoIdentityMatched");
    await rejects(decryptAgeValue("not age", [alice.identity], "prod", "db"), "AgeInvalidArmor");
    await assert.rejects(decryptAgeValue(armored, [], "prod", "db"), InputError);
    await assert.rejects(decryptAgeValue(armored, ["AGE-SECRET-KEY-1NOPE"], "prod", "db"), InputError);
    await assert.rejects(encryptAgeValue(bytes(CANARY), "strict", "prod", "db", []), InputError);
    await assert.rejects(encryptAgeValue(bytes(CANARY), "strict", "prod", "db", [alice.identity]), (err: Error) => {
      assert.ok(err instanceof InputError);
      assert.ok(!err.message.includes(alice.identity));
      return true;
    });
    // Truncated armor.
    const lines = armored.trimEnd().split("\n");
    await rejects(decryptAgeValue(lines.slice(0, -2).join("\n"), [alice.identity], "prod", "db"), "AgeInvalidArmor");
  });
});

describe("properties: random input never crashes, never decrypts", () => {
  test("random strings", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (s) => {
        await assert.rejects(decryptAgeValue(s, [alice.identity], "prod", "db"), DecryptError);
      }),
      { numRuns: 200 },
    );
  });

  test("random bytes inside valid armor", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (b) => {
        const armored = `-----BEGIN AGE ENCRYPTED FILE-----\n${(Buffer.from(b).toString("base64").match(/.{1,64}/g) ?? []).join("\n")}\n-----END AGE ENCRYPTED FILE-----\n`;
        await assert.rejects(decryptAgeValue(armored, [alice.identity], "prod", "db"), DecryptError);
      }),
      { numRuns: 200 },
    );
  });

  test("a real file with one byte changed", async () => {
    const armored = await encryptAgeValue(bytes(CANARY), "strict", "prod", "db", [alice.recipient]);
    const raw = Buffer.from(armored.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, ""), "base64");
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const tampered = Buffer.from(raw);
        tampered[at] = (tampered[at] as number) ^ xor;
        const b64 = (tampered.toString("base64").match(/.{1,64}/g) ?? []).join("\n");
        const file = `-----BEGIN AGE ENCRYPTED FILE-----\n${b64}\n-----END AGE ENCRYPTED FILE-----\n`;
        await assert.rejects(decryptAgeValue(file, [alice.identity], "prod", "db"), DecryptError);
      }),
      { numRuns: 150 },
    );
  });
});
