import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateSealingKey } from "../../../src/crypto/sealing-key.js";
import {
  buildKeyRegistry,
  isRenewalDue,
  nextRenewalAt,
  newestKey,
} from "../../../src/controller/keys/key-registry.js";
import { goGeneratedKey, keySecret, opensslKey } from "../../support/openssl-keys.js";

const DAY = 24 * 3600 * 1000;
const at = (iso: string) => ({ now: () => new Date(iso) });

describe("buildKeyRegistry", async () => {
  const old = await generateSealingKey({ bits: 2048, clock: at("2026-01-01T00:00:00Z") });
  const mid = await generateSealingKey({ bits: 2048, clock: at("2026-02-01T00:00:00Z") });
  const go = goGeneratedKey();

  test("orders newest first by certificate NotBefore, whatever the listing order", () => {
    const reg = buildKeyRegistry([keySecret("k-old", old), keySecret("k-go", go), keySecret("k-mid", mid)]);
    assert.deepEqual(reg.keys.map((k) => k.secretName), ["k-go", "k-mid", "k-old"]);
    assert.equal(newestKey(reg)?.secretName, "k-go");
    assert.equal(reg.keys[0]?.certificatePem, go.certificatePem);
  });

  test("SecretCreationTimestamp priority orders by the Secret's creation", () => {
    const reg = buildKeyRegistry(
      [keySecret("a", go, { created: "2026-01-01T00:00:00Z" }), keySecret("b", old, { created: "2026-03-01T00:00:00Z" })],
      "SecretCreationTimestamp",
    );
    assert.equal(newestKey(reg)?.secretName, "b");
  });

  test("an existing sealed-secrets key (Go-generated, PKCS#1) loads", () => {
    const reg = buildKeyRegistry([keySecret("sealed-secrets-keyabcde", go)]);
    assert.equal(reg.keys.length, 1);
    assert.equal(reg.keys[0]?.notBefore.toISOString(), "2026-11-21T23:43:24.000Z");
    assert.match(reg.keys[0]?.fingerprint ?? "", /^[0-9a-f]{64}$/);
  });

  test("an openssl-made key loads", () => {
    const reg = buildKeyRegistry([keySecret("k", opensslKey())]);
    assert.equal(reg.keys.length, 1);
    assert.deepEqual(reg.rejected, []);
  });

  test("retired (relabelled) keys are skipped; the unlabelled legacy sealed-secrets-key is loaded", () => {
    const retired = keySecret("k-bad", old, { label: "compromised" });
    const legacy = keySecret("sealed-secrets-key", mid);
    delete legacy.metadata.labels;
    const reg = buildKeyRegistry([retired, legacy]);
    assert.deepEqual(reg.keys.map((k) => k.secretName), ["sealed-secrets-key"]);
  });

  test("broken Secrets are rejected with a reason that holds no key material; duplicates kept once", () => {
    const noKey = keySecret("k-nokey", old);
    delete (noKey["data"] as Record<string, string>)["tls.key"];
    const mismatch = keySecret("k-mismatch", { privateKeyPem: old.privateKeyPem, certificatePem: mid.certificatePem });
    const garbage = keySecret("k-garbage", { privateKeyPem: "nope", certificatePem: old.certificatePem });
    const reg = buildKeyRegistry([noKey, mismatch, garbage, keySecret("a", old), keySecret("b", old)]);
    assert.deepEqual(reg.keys.map((k) => k.secretName), ["a"]);
    assert.deepEqual(reg.rejected.map((r) => r.secretName), ["k-nokey", "k-mismatch", "k-garbage"]);
    assert.match(reg.rejected[1]?.reason ?? "", /does not match/);
    for (const r of reg.rejected) assert.doesNotMatch(r.reason, /BEGIN|MII/);
  });
});

describe("renewal", async () => {
  const key = await generateSealingKey({ bits: 2048, clock: at("2026-01-01T00:00:00Z") });
  const reg = buildKeyRegistry([keySecret("k", key)]);

  const cases: Array<[string, number, string, boolean]> = [
    ["before the period", 30 * DAY, "2026-01-30T23:59:59Z", false],
    ["exactly at the period", 30 * DAY, "2026-01-31T00:00:00Z", true],
    ["after the period", 30 * DAY, "2026-03-01T00:00:00Z", true],
    ["disabled (0) never renews", 0, "2036-01-01T00:00:00Z", false],
  ];
  for (const [name, period, now, due] of cases) {
    test(name, () => assert.equal(isRenewalDue(reg, period, new Date(now)), due));
  }

  test("no key at all: due now even with renewal disabled", () => {
    assert.equal(isRenewalDue(buildKeyRegistry([]), 0, new Date()), true);
  });

  test("next renewal is NotBefore plus the period", () => {
    assert.equal(nextRenewalAt(reg, 30 * DAY)?.toISOString(), "2026-01-31T00:00:00.000Z");
    assert.equal(nextRenewalAt(reg, 0), null);
  });
});
