/**
 * The pure parts of the seal commands: flags and environment as the vault/bao CLIs read them, the
 * share text check (property-tested: never echoes its input), and how sys/unseal errors are
 * classified (Vault ≥ 1.13 answers 400 "invalid key", older Vault 500, at the threshold).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_VAULT_ADDR, parseGoBool, resolveVaultConnection } from "../../src/vault/cli-connection.js";
import { SEAL_FAILURES } from "../../src/vault/seal-errors.js";
import { classifyUnsealError } from "../../src/vault/unseal.js";
import { parseShareText } from "../../src/vault/unseal-share.js";

describe("resolveVaultConnection", () => {
  const cases: Array<[string, Parameters<typeof resolveVaultConnection>[0], Record<string, string>, ReturnType<typeof resolveVaultConnection>]> = [
    ["the vault CLI's default", {}, {}, { addresses: [DEFAULT_VAULT_ADDR], insecureSkipVerify: false }],
    ["VAULT_ADDR", {}, { VAULT_ADDR: "http://v:8200/" }, { addresses: ["http://v:8200"], insecureSkipVerify: false }],
    ["BAO_ADDR before VAULT_ADDR", {}, { VAULT_ADDR: "http://v:8200", BAO_ADDR: "http://b:8200" }, { addresses: ["http://b:8200"], insecureSkipVerify: false }],
    ["--address wins", { address: ["https://a:1", "https://c:2"] }, { BAO_ADDR: "http://b:8200" }, { addresses: ["https://a:1", "https://c:2"], insecureSkipVerify: false }],
    ["CA and skip-verify from the environment", {}, { VAULT_CACERT: "/ca.pem", VAULT_SKIP_VERIFY: "1" }, { addresses: [DEFAULT_VAULT_ADDR], caCertPath: "/ca.pem", insecureSkipVerify: true }],
    ["BAO_SKIP_VERIFY=false before VAULT_SKIP_VERIFY=true", {}, { VAULT_SKIP_VERIFY: "true", BAO_SKIP_VERIFY: "false" }, { addresses: [DEFAULT_VAULT_ADDR], insecureSkipVerify: false }],
    ["--ca-cert and --tls-skip-verify win", { caCert: "/flag.pem", tlsSkipVerify: true }, { VAULT_CACERT: "/env.pem", VAULT_SKIP_VERIFY: "false" }, { addresses: [DEFAULT_VAULT_ADDR], caCertPath: "/flag.pem", insecureSkipVerify: true }],
  ];
  for (const [name, flags, env, want] of cases) test(name, () => assert.deepEqual(resolveVaultConnection(flags, env), want));

  test("bad values are one-line errors", () => {
    assert.throws(() => resolveVaultConnection({}, { VAULT_SKIP_VERIFY: "yes" }), /^InputError: could not parse VAULT_SKIP_VERIFY: not a boolean/);
    assert.throws(() => resolveVaultConnection({ address: ["vault:8200"] }, {}), /invalid Vault address: --address #1 is not http\(s\)/);
    assert.throws(() => resolveVaultConnection({}, { BAO_ADDR: "::" }), /invalid Vault address: BAO_ADDR is not a URL/);
  });

  test("Go's ParseBool spellings", () => {
    assert.deepEqual(["1", "t", "T", "TRUE", "true", "True"].map(parseGoBool), Array(6).fill(true));
    assert.deepEqual(["0", "f", "F", "FALSE", "false", "False"].map(parseGoBool), Array(6).fill(false));
    assert.deepEqual(["yes", "", "tRUE", "2"].map(parseGoBool), [undefined, undefined, undefined, undefined]);
  });
});

describe("parseShareText", () => {
  test("any 32- or 33-byte key in hex or base64 is accepted as it is, trimmed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 33 }), fc.boolean(), (bytes, hex) => {
        const text = hex ? Buffer.from(bytes).toString("hex") : Buffer.from(bytes).toString("base64");
        assert.equal(parseShareText(`  ${text}\n`, "f"), text);
      }),
    );
  });
  test("anything else is refused without echoing it", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6 }), (text) => {
        const t = text.trim();
        const bytes = /^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0 ? t.length / 2 : /^[A-Za-z0-9+/]+={0,2}$/.test(t) && t.length % 4 === 0 ? Buffer.from(t, "base64").length : 0;
        fc.pre(bytes !== 32 && bytes !== 33);
        assert.throws(() => parseShareText(text, "share file x.age"), (err: Error) => err.message.startsWith("not a Vault unseal share: share file x.age") && (t.length < 6 || !err.message.includes(t)));
      }),
    );
    assert.throws(() => parseShareText("ab".repeat(20), "f"), /not a Vault unseal share/);
  });
});

describe("classifyUnsealError", () => {
  const sealed = (progress: number, t: number) => ({ initialized: true, sealed: true, t, n: 5, progress });
  const cases: Array<[string, number, string[], ReturnType<typeof sealed>, string]> = [
    ["Vault >= 1.13 / OpenBao: 400 invalid key", 400, ["unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed"], sealed(2, 3), SEAL_FAILURES.wrongShareSet],
    ["Vault 1.3-1.12: 500 at the threshold", 500, ["unable to retrieve stored keys: failed to decrypt keys from storage: cipher: message authentication failed"], sealed(2, 3), SEAL_FAILURES.wrongShareSet],
    ["Vault < 1.3: 400 Unseal failed, invalid key", 400, ["Unseal failed, invalid key"], sealed(1, 2), SEAL_FAILURES.wrongShareSet],
    ["mixed lengths", 400, ["invalid key: failed to compute combined key: all parts must be the same length"], sealed(2, 3), SEAL_FAILURES.wrongShareSet],
    ["a 500 without text at the threshold", 500, [], sealed(2, 3), SEAL_FAILURES.wrongShareSet],
    ["a 500 below the threshold is not a wrong set", 500, [], sealed(0, 3), SEAL_FAILURES.refused],
    ["too short", 400, ["invalid key: key is shorter than minimum 16 bytes"], sealed(0, 3), SEAL_FAILURES.notAShare],
    ["not hex or base64", 400, ["'key' must be a valid hex or base64 string"], sealed(0, 3), SEAL_FAILURES.notAShare],
    ["not initialised", 400, ["Vault is not initialized"], sealed(0, 0), SEAL_FAILURES.notInitialized],
  ];
  for (const [name, status, errors, before, want] of cases) {
    test(name, () => {
      const err = classifyUnsealError("http://n:8200", status, errors, before);
      assert.equal(err.failure, want);
      // (Our own "Vault is not initialized: <node>" happens to repeat that short text.)
      if (want !== SEAL_FAILURES.notInitialized) for (const e of errors) if (e.length > 0) assert.ok(!err.message.includes(e), "Vault's text is not echoed");
    });
  }
});
