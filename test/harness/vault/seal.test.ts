// Conformance tests for the seal lifecycle: sys/init, sys/unseal, sys/seal-status, sys/seal,
// sys/health. Each test names the Vault API page it follows; details not on the page come from
// shared/reference/vault-api.md §2 and §3 (cited there from Vault's source).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { combine } from "shamir-secret-sharing";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { combineParts, initSeal, openRootKey } from "./seal.js";
import { call } from "./vault-call.js";

const docs = "https://developer.hashicorp.com/vault/api-docs/system";

describe("seal lifecycle on a new Vault", () => {
  let v: VaultTestCluster;
  let keys: string[] = [];
  let keysB64: string[] = [];
  let root = "";
  before(async () => {
    v = await startVaultServer({ mode: "new" });
  });
  after(async () => {
    await v.stop();
  });

  test(`uninitialised: init false, seal-status zeros, health 501, logical 503 (${docs}/init, /seal-status, /health)`, async () => {
    assert.deepEqual((await call(v.addr, "GET", "sys/init")).body, { initialized: false });
    const st = (await call(v.addr, "GET", "sys/seal-status")).body;
    assert.equal(st.initialized, false);
    assert.equal(st.sealed, true);
    assert.equal(st.t, 0);
    assert.equal(st.n, 0);
    assert.equal(st.progress, 0);
    assert.equal(st.nonce, "");
    assert.equal(st.type, "shamir");
    const h = await call(v.addr, "GET", "sys/health");
    assert.equal(h.status, 501);
    assert.equal(h.body.initialized, false);
    // vault-api.md §3: every logical path answers 503 while sealed or uninitialised.
    const early = await call(v.addr, "PUT", "sys/unseal", { body: { key: "ab".repeat(32) } });
    assert.deepEqual([early.status, early.body], [400, { errors: ["Vault is not initialized"] }]);
    const kv = await call(v.addr, "GET", "secret/data/x", { token: "anything" });
    assert.equal(kv.status, 503);
    assert.deepEqual(kv.body, { errors: ["Vault is sealed"] });
  });

  test(`init rejects bad configurations with 400 (${docs}/init)`, async () => {
    const cases: [unknown, string][] = [
      [{ secret_shares: 3, secret_threshold: 5 }, "invalid seal configuration: threshold cannot be larger than shares"],
      [{ secret_shares: 0, secret_threshold: 0 }, "invalid seal configuration: shares must be at least one"],
      [{ secret_shares: 3, secret_threshold: 1 }, "invalid seal configuration: threshold must be greater than one for multiple shares"],
      [{ secret_shares: 256, secret_threshold: 3 }, "invalid seal configuration: shares must be less than 256"],
      [{ secret_shares: 3, secret_threshold: 2, recovery_shares: 2 }, "parameters recovery_shares not applicable to seal type shamir"],
      [{ secret_shares: 3, secret_threshold: 2, pgp_keys: ["a"] }, "invalid seal configuration: count mismatch between number of provided PGP keys and number of shares"],
    ];
    for (const [body, message] of cases) {
      const r = await call(v.addr, "PUT", "sys/init", { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual(r.body, { errors: [message] });
    }
    // vault-api.md §2.1: an empty body is 400 "EOF" (inferred from Vault's parseJSONRequest).
    assert.deepEqual((await call(v.addr, "PUT", "sys/init", { raw: "" })).body, { errors: ["EOF"] });
    assert.equal((await call(v.addr, "GET", "sys/init")).body.initialized, false);
  });

  test(`init 5/3 returns Vault's share encoding and stays sealed (${docs}/init)`, async () => {
    const r = await call(v.addr, "PUT", "sys/init", { body: { secret_shares: 5, secret_threshold: 3 } });
    assert.equal(r.status, 200);
    keys = r.body.keys;
    keysB64 = r.body.keys_base64;
    root = r.body.root_token;
    assert.equal(keys.length, 5);
    assert.match(root, /^hvs\.[A-Za-z0-9]{24}$/);
    const xs = new Set<number>();
    for (let i = 0; i < 5; i++) {
      // 33 bytes: 32 y-values then the x-coordinate (vault-api.md §2.2).
      assert.match(keys[i] ?? "", /^[0-9a-f]{66}$/);
      assert.equal(keysB64[i]?.length, 44);
      assert.ok(!keysB64[i]?.endsWith("="));
      const bytes = Buffer.from(keys[i] ?? "", "hex");
      assert.deepEqual(Buffer.from(keysB64[i] ?? "", "base64"), bytes);
      const x = bytes[32] ?? 0;
      assert.ok(x >= 1 && x <= 255);
      xs.add(x);
    }
    assert.equal(xs.size, 5);
    const secretA = await combine(keys.slice(0, 3).map((k) => Uint8Array.from(Buffer.from(k, "hex"))));
    const secretB = await combine(keys.slice(2, 5).map((k) => Uint8Array.from(Buffer.from(k, "hex"))));
    assert.equal(secretA.length, 32);
    assert.deepEqual(secretA, secretB);
    const st = (await call(v.addr, "GET", "sys/seal-status")).body;
    assert.deepEqual([st.initialized, st.sealed, st.t, st.n, st.progress], [true, true, 3, 5, 0]);
    assert.equal((await call(v.addr, "GET", "sys/health")).status, 503);
    const again = await call(v.addr, "PUT", "sys/init", { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.deepEqual([again.status, again.body], [400, { errors: ["Vault is already initialized"] }]);
  });

  test(`unseal key validation errors (${docs}/unseal)`, async () => {
    const bad: [unknown, string][] = [
      [{}, "'key' must be specified in request body as JSON, or 'reset' set to true"],
      [{ key: "not hex or base64!" }, "'key' must be a valid hex or base64 string"],
      [{ key: "abcd" }, "invalid key: key is shorter than minimum 16 bytes"],
      [{ key: "ab".repeat(40) }, "invalid key: key is longer than maximum 33 bytes"],
    ];
    for (const [body, message] of bad) {
      const r = await call(v.addr, "PUT", "sys/unseal", { body });
      assert.deepEqual([r.status, r.body], [400, { errors: [message] }], JSON.stringify(body));
    }
    assert.equal((await call(v.addr, "GET", "sys/seal-status")).body.progress, 0);
  });

  test(`unseal progress, repeated share, reset, wrong share set (${docs}/unseal)`, async () => {
    const put = (body: unknown) => call(v.addr, "PUT", "sys/unseal", { body });
    const one = await put({ key: keys[0] });
    assert.deepEqual([one.status, one.body.sealed, one.body.progress, one.body.t, one.body.n], [200, true, 1, 3, 5]);
    assert.match(one.body.nonce, /^[0-9a-f-]{36}$/);
    // A repeated share is ignored without error (vault-api.md §2.3, recordUnsealPart).
    const repeat = await put({ key: keysB64[0] });
    assert.deepEqual([repeat.status, repeat.body.progress, repeat.body.nonce], [200, 1, one.body.nonce]);
    const reset = await put({ reset: true });
    assert.deepEqual([reset.status, reset.body.progress, reset.body.nonce], [200, 0, ""]);
    // A wrong but well-formed share is accepted; the set fails at the threshold with 400 "invalid key"
    // and the attempt is cleared (Vault >= 1.13, PR #17836).
    const tampered = Buffer.from(keys[1] ?? "", "hex");
    tampered[0] = (tampered[0] ?? 0) ^ 0xff;
    assert.equal((await put({ key: keys[0] })).body.progress, 1);
    assert.equal((await put({ key: tampered.toString("hex") })).body.progress, 2);
    const fail = await put({ key: keys[2] });
    assert.equal(fail.status, 400);
    assert.match(fail.body.errors[0], /invalid key/);
    const st = (await call(v.addr, "GET", "sys/seal-status")).body;
    assert.deepEqual([st.sealed, st.progress], [true, 0]);
    // Parts of mixed length.
    await put({ key: keys[0] });
    await put({ key: "11".repeat(32) });
    const mixed = await put({ key: keys[1] });
    assert.deepEqual(mixed.body, { errors: ["invalid key: failed to compute combined key: all parts must be the same length"] });
  });

  test(`three good shares (hex and base64 mixed) unseal (${docs}/unseal, /seal-status, /health)`, async () => {
    await call(v.addr, "PUT", "sys/unseal", { body: { key: keys[4] } });
    await call(v.addr, "PUT", "sys/unseal", { body: { Key: keysB64[2] } });
    const done = await call(v.addr, "POST", "sys/unseal", { body: { key: keys[0] } });
    assert.equal(done.status, 200);
    assert.deepEqual([done.body.sealed, done.body.progress, done.body.nonce], [false, 0, ""]);
    assert.match(done.body.cluster_name, /^vault-cluster-/);
    assert.equal((await call(v.addr, "GET", "sys/health")).status, 200);
    // Already unsealed: another key is a no-op; reset is an error.
    assert.equal((await call(v.addr, "PUT", "sys/unseal", { body: { key: keys[1] } })).body.sealed, false);
    assert.deepEqual((await call(v.addr, "PUT", "sys/unseal", { body: { reset: true } })).body, { errors: ["vault is unsealed"] });
    const mounts = await call(v.addr, "GET", "sys/mounts", { token: root });
    assert.equal(mounts.status, 200);
    // A new (non-dev) Vault has no secret/ mount (vault-api.md §4.4 describes only -dev adding it).
    assert.equal(mounts.body["secret/"], undefined);
    assert.equal(mounts.body.data["cubbyhole/"].type, "cubbyhole");
  });

  test(`sys/seal needs a token, answers 204, and seals (${docs}/seal)`, async () => {
    const anon = await call(v.addr, "PUT", "sys/seal");
    assert.deepEqual([anon.status, anon.body], [403, { errors: ["permission denied"] }]);
    assert.equal((await call(v.addr, "GET", "sys/seal", { token: root })).status, 405);
    const r = await call(v.addr, "PUT", "sys/seal", { token: root });
    assert.equal(r.status, 204);
    assert.equal(r.text, "");
    assert.equal((await call(v.addr, "GET", "sys/seal-status")).body.sealed, true);
    // Sealed: sys/seal itself is a 503 logical path now.
    assert.equal((await call(v.addr, "PUT", "sys/seal", { token: root })).status, 503);
  });

  test(`special endpoints answer 405 {"errors":[]} to other methods (${docs}/unseal, /seal-status, /health)`, async () => {
    for (const [m, p] of [["GET", "sys/unseal"], ["POST", "sys/seal-status"], ["POST", "sys/health"], ["DELETE", "sys/init"]] as const) {
      const r = await call(v.addr, m, p);
      assert.deepEqual([r.status, r.body], [405, { errors: [] }], `${m} ${p}`);
    }
  });

  test(`health status codes and query overrides (${docs}/health)`, async () => {
    // Sealed now.
    const sealed = await call(v.addr, "GET", "sys/health");
    assert.equal(sealed.status, 503);
    assert.equal(sealed.body.sealed, true);
    assert.equal(sealed.body.standby, true);
    assert.equal(sealed.body.cluster_name, undefined);
    assert.equal((await call(v.addr, "GET", "sys/health?sealedcode=299")).status, 299);
    assert.deepEqual((await call(v.addr, "GET", "sys/health?sealedcode=abc")).body, { errors: [] });
    const head = await fetch(`${v.addr}/v1/sys/health`, { method: "HEAD" });
    assert.equal(head.status, 503);
    assert.equal(await head.text(), "");
  });
});

describe("one-share init", () => {
  test(`N=1 returns the raw 32-byte key (${docs}/init)`, async () => {
    const v = await startVaultServer({ mode: "new" });
    try {
      const r = await call(v.addr, "POST", "sys/init", { body: { secret_shares: 1, secret_threshold: 1 } });
      assert.match(r.body.keys[0], /^[0-9a-f]{64}$/);
      assert.match(r.body.keys_base64[0], /^[A-Za-z0-9+/]{43}=$/);
      const u = await call(v.addr, "PUT", "sys/unseal", { body: { key: r.body.keys_base64[0] } });
      assert.equal(u.body.sealed, false);
    } finally {
      await v.stop();
    }
  });
});

/** GF(2^8) multiplication with the AES polynomial x^8+x^4+x^3+x+1 — a test oracle only. */
function gmul(a: number, b: number): number {
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (b & 1) p ^= a;
    const hi = a & 0x80;
    a = (a << 1) & 0xff;
    if (hi) a ^= 0x1b;
    b >>= 1;
  }
  return p;
}

describe("Vault's share encoding (vault-api.md §2.2)", () => {
  test("hand-made threshold-2 shares (y bytes, then x last; AES field) combine to the secret", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 1, max: 254 }),
        async (secret, slope, x1, step) => {
          const x2 = ((x1 - 1 + step) % 255) + 1;
          // f(x) = secret + slope·x per byte; a share is f(x) for every byte followed by x.
          const share = (x: number): Uint8Array => Uint8Array.from([...secret.map((s, i) => s ^ gmul(slope[i] ?? 0, x)), x]);
          assert.deepEqual(await combineParts([share(x1), share(x2)], 2), secret);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("seal module", () => {
  test("any threshold subset opens the keyring; fewer parts or a foreign key do not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 7 }), fc.integer({ min: 0, max: 1000 }), async (n, seed) => {
        const t = 2 + (seed % (n - 1));
        const { shares, keyring, rootKey } = await initSeal(n, t);
        const start = seed % (n - t + 1);
        const key = await combineParts(shares.slice(start, start + t), t);
        assert.deepEqual(openRootKey(keyring, key), Buffer.from(rootKey));
        if (t > 2) {
          const short = await combineParts(shares.slice(0, t - 1), t - 1);
          assert.throws(() => openRootKey(keyring, short), /invalid key/);
        }
        const foreign = await initSeal(n, t);
        assert.throws(() => openRootKey(keyring, Buffer.from(foreign.rootKey)), /invalid key/);
      }),
      { numRuns: 25 },
    );
  });
});
