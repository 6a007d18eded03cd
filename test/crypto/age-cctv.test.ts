/**
 * The CCTV age test vectors (npm cctv-age) through our decrypt path (src/crypto/age-file.ts):
 * every vector with an X25519 or hybrid identity must succeed or fail as it says, with the right
 * failure code. Passphrase vectors are out of scope (sealbridge never uses scrypt).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { inflateSync } from "node:zlib";
import * as vectors from "cctv-age";
import { AGE_FAILURES, decryptAgeFile } from "../../src/crypto/age-file.js";
import { DecryptError } from "../../src/errors.js";

interface Vector {
  name: string;
  expect: string;
  payload?: string;
  identities: string[];
  passphrases: number;
  armored: boolean;
  body: Uint8Array;
}

function parseVector(name: string, bytes: Uint8Array): Vector {
  const buf = Buffer.from(bytes);
  const split = buf.indexOf("\n\n");
  assert.ok(split > 0, `${name}: no header/body separator`);
  const header = buf.subarray(0, split).toString("utf8");
  let body: Uint8Array = buf.subarray(split + 2);
  const v: Vector = { name, expect: "", identities: [], passphrases: 0, armored: false, body };
  let compressed = false;
  for (const line of header.split("\n")) {
    const colon = line.indexOf(": ");
    const key = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (key === "expect") v.expect = value;
    else if (key === "payload") v.payload = value;
    else if (key === "identity") v.identities.push(value);
    else if (key === "passphrase") v.passphrases++;
    else if (key === "armored") v.armored = value === "yes";
    else if (key === "compressed") compressed = value === "zlib";
  }
  if (compressed) body = inflateSync(body);
  v.body = body;
  return v;
}

const EXPECTED_CODE: Record<string, string | undefined> = {
  "no match": AGE_FAILURES.noIdentityMatched,
  "armor failure": AGE_FAILURES.invalidArmor,
  "header failure": AGE_FAILURES.invalidFile,
  "HMAC failure": AGE_FAILURES.invalidFile,
  "payload failure": AGE_FAILURES.invalidFile,
};

const all = Object.entries(vectors as Record<string, Uint8Array>).map(([name, bytes]) => parseVector(name, bytes));
// scrypt rules (a scrypt stanza must stand alone) are enforced only when a passphrase is tried,
// which sealbridge never does: vectors that carry a passphrase are out of scope.
const usable = all.filter((v) => v.identities.length > 0 && v.passphrases === 0);

test("the vector set is the one we expect (a silently empty set would pass everything)", () => {
  assert.ok(all.length >= 140, `only ${all.length} vectors`);
  assert.ok(usable.length >= 100, `only ${usable.length} vectors with identities`);
  const expects = new Set(usable.map((v) => v.expect));
  for (const e of ["success", "no match", "armor failure", "header failure", "HMAC failure", "payload failure"]) {
    assert.ok(expects.has(e), `no "${e}" vector`);
  }
});

test("every identity vector decrypts or fails as it expects", async () => {
  const wrong: string[] = [];
  for (const v of usable) {
    const input = v.armored ? Buffer.from(v.body).toString("latin1") : v.body;
    try {
      const out = await decryptAgeFile(input, v.identities, `vector ${v.name}`);
      if (v.expect !== "success") wrong.push(`${v.name}: decrypted, expected ${v.expect}`);
      else if (createHash("sha256").update(out).digest("hex") !== v.payload) wrong.push(`${v.name}: payload hash differs`);
    } catch (err) {
      if (!(err instanceof DecryptError)) wrong.push(`${v.name}: threw ${String(err)}`);
      else if (v.expect === "success") wrong.push(`${v.name}: failed (${err.code}), expected success`);
      else if (err.code !== EXPECTED_CODE[v.expect]) wrong.push(`${v.name}: ${err.code}, expected ${v.expect}`);
      else assert.ok(!err.message.includes(v.identities[0] as string), `${v.name}: identity in message`);
    }
  }
  assert.deepEqual(wrong, []);
});
