import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { DecryptPool, createDecryptPool } from "../../src/crypto/decrypt-pool.js";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { DecryptError } from "../../src/errors.js";
import { goGeneratedKey, opensslKey } from "../support/openssl-keys.js";

describe("DecryptPool", () => {
  const go = createPrivateKey(goGeneratedKey().privateKeyPem);
  const other = createPrivateKey(opensslKey().privateKeyPem);
  const pool = new DecryptPool(2);
  after(() => pool.close());

  test("opens values on worker threads, trying every key, binary-safe", async () => {
    const values = Array.from({ length: 12 }, (_, i) => Buffer.from([i, 0, 255, ...Buffer.from(`v${i}`)]));
    const cts = values.map((v, i) => hybridEncrypt(createPublicKey(i % 2 ? go : other), `ns/n${i}`, v));
    const out = await Promise.all(cts.map((ct, i) => pool.decrypt([other, go], `ns/n${i}`, ct)));
    out.forEach((v, i) => assert.deepEqual(v, values[i]));
  });

  test("a wrong label or tampered bytes reject with the DecryptError of hybridDecrypt", async () => {
    const ct = hybridEncrypt(createPublicKey(go), "ns/a", Buffer.from("x"));
    await assert.rejects(pool.decrypt([go], "ns/b", ct), (err: unknown) => err instanceof DecryptError && /no private key opens/.test(err.message));
    await assert.rejects(pool.decrypt([go], "ns/a", Buffer.from([0, 1])), DecryptError);
  });

  test("one core gets no pool", () => {
    assert.equal(createDecryptPool(1), null);
  });
});
