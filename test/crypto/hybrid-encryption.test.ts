import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import { hybridDecrypt, hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { DecryptError } from "../../src/errors.js";
import { fixedRandom, katVectors, rawVectors, referenceDecrypt, vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";

const labels = [...new Set(rawVectors.map((v) => v.label)), "my-namespace/other", "other/my-secret", "x"];

describe("hybridDecrypt on genuine kubeseal output", () => {
  test("there are 16 vectors across the three scopes", () => {
    assert.equal(rawVectors.length, 16);
    assert.deepEqual(new Set(rawVectors.map((v) => v.scope)), new Set(["strict", "namespace-wide", "cluster-wide"]));
  });
  for (const vector of rawVectors) {
    test(`${vector.scope} ${vector.description} opens under its label and no other`, () => {
      const ciphertext = Buffer.from(vector.ciphertext_b64, "base64");
      assert.equal(hybridDecrypt([vectorPrivateKey], vector.label, ciphertext).toString("base64"), vector.plaintext_b64);
      for (const label of labels.filter((l) => l !== vector.label)) {
        assert.throws(() => hybridDecrypt([vectorPrivateKey], label, ciphertext), DecryptError, `opened under "${label}"`);
      }
    });
  }
});

describe("hybridEncrypt", () => {
  for (const vector of katVectors) {
    test(`reproduces Go known answer ${vector.description} byte for byte`, () => {
      const random = fixedRandom(Buffer.concat([Buffer.from(vector.session_key_hex, "hex"), Buffer.from(vector.oaep_seed_hex, "hex")]));
      const ciphertext = hybridEncrypt(vectorPublicKey, vector.label, Buffer.from(vector.plaintext_b64, "base64"), random);
      assert.equal(ciphertext.toString("base64"), vector.ciphertext_b64);
    });
  }

  test("output opens with an independent decrypt and with the Go key, for binary and empty values", () => {
    for (const plaintext of [Buffer.alloc(0), Buffer.from([0, 255, 1, 254]), Buffer.from("CANARY-πß\n".repeat(1000))]) {
      const ciphertext = hybridEncrypt(vectorPublicKey, "ns/name", plaintext);
      assert.deepEqual(referenceDecrypt(vectorPrivateKey, "ns/name", ciphertext), plaintext);
      assert.deepEqual(hybridDecrypt([vectorPrivateKey], "ns/name", ciphertext), plaintext);
      assert.equal(ciphertext.readUInt16BE(0), 512); // RSA-4096
    }
  });

  test("native OAEP (no random source) and the injected-random OAEP encoding both bind the label", () => {
    const plaintext = Buffer.from("CANARY-oaep-paths");
    for (const ciphertext of [hybridEncrypt(vectorPublicKey, "ns/name", plaintext), hybridEncrypt(vectorPublicKey, "ns/name", plaintext, (n) => randomBytes(n))]) {
      assert.deepEqual(referenceDecrypt(vectorPrivateKey, "ns/name", ciphertext), plaintext);
      assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/other", ciphertext), /no private key opens this value/);
    }
  });

  test("uses fresh randomness: the same value seals differently each time", () => {
    const a = hybridEncrypt(vectorPublicKey, "", Buffer.from("x"));
    const b = hybridEncrypt(vectorPublicKey, "", Buffer.from("x"));
    assert.notDeepEqual(a, b);
  });

  test("refuses a non-RSA key", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    assert.throws(() => hybridEncrypt(publicKey, "", Buffer.from("x")), /not an RSA key/);
  });
});

describe("hybridDecrypt rejects malformed ciphertexts with DecryptError", () => {
  const good = hybridEncrypt(vectorPublicKey, "ns/name", Buffer.from("CANARY-tamper"));
  const { privateKey: otherKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

  test("too short, truncated, bad length prefix", () => {
    for (const bad of [Buffer.alloc(0), Buffer.from([1]), good.subarray(0, 100), good.subarray(0, good.length - 1), Buffer.concat([Buffer.from([0xff, 0xff]), good.subarray(2)]), Buffer.concat([Buffer.from([0, 0]), good.subarray(2)])]) {
      assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/name", bad), DecryptError);
    }
  });

  test("any flipped byte (RSA part, AES part, tag) is refused", () => {
    for (const at of [2, 300, 514, 520, good.length - 1]) {
      const tampered = Buffer.from(good);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/name", tampered), DecryptError, `byte ${at}`);
    }
  });

  test("a wrong key is refused; the right key among several works", () => {
    assert.throws(() => hybridDecrypt([otherKey], "ns/name", good), DecryptError);
    assert.equal(hybridDecrypt([otherKey, vectorPrivateKey], "ns/name", good).toString(), "CANARY-tamper");
  });

  test("error messages never contain the plaintext", () => {
    try {
      hybridDecrypt([vectorPrivateKey], "other/name", good);
      assert.fail("should not open");
    } catch (err) {
      assert.ok(err instanceof DecryptError);
      assert.doesNotMatch(err.message, /CANARY/);
    }
  });

  test("property: random bytes never crash and never decrypt", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.string({ maxLength: 20 }), (bytes, label) => {
        assert.throws(() => hybridDecrypt([vectorPrivateKey], label, bytes), DecryptError);
      }),
      { numRuns: 150 },
    );
  });

  test("property: random bytes with a plausible RSA-4096 length prefix never decrypt", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 530, maxLength: 600 }), (bytes) => {
        const ciphertext = Buffer.from(bytes);
        ciphertext.writeUInt16BE(512, 0);
        assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/name", ciphertext), DecryptError);
      }),
      { numRuns: 40 },
    );
  });

  test("property: a valid ciphertext with random bytes appended or a random prefix length never decrypts", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 0xffff }), (extra, prefix) => {
        const appended = Buffer.concat([good, extra]);
        assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/name", appended), DecryptError);
        fc.pre(prefix !== 512);
        const reprefixed = Buffer.from(good);
        reprefixed.writeUInt16BE(prefix, 0);
        assert.throws(() => hybridDecrypt([vectorPrivateKey], "ns/name", reprefixed), DecryptError);
      }),
      { numRuns: 60 },
    );
  });

  test("property: round trip for random values and labels", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.string({ maxLength: 60 }), (value, label) => {
        const ciphertext = hybridEncrypt(vectorPublicKey, label, value);
        assert.deepEqual(new Uint8Array(hybridDecrypt([vectorPrivateKey], label, ciphertext)), value);
      }),
      { numRuns: 30 },
    );
  });
});
