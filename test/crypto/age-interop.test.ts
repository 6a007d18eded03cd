/** Interop with the real age CLI (Debian's age 1.1.1), both directions, armored. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decryptAgeValue, encryptAgeValue } from "../../src/crypto/age-envelope.js";
import { generateAgeIdentity, parseRecipient, readIdentityFile } from "../../src/crypto/age-keys.js";
import { DecryptError } from "../../src/errors.js";

const run = promisify(execFile);
const CANARY = "canary-interop-7Hq2";

/** Runs a binary with stdin; resolves with stdout as bytes. */
function pipe(cmd: string, args: string[], input: Uint8Array | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: "buffer" }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${stderr.toString()}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}

describe("age CLI interop", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealbridge-age-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("our file opens with age -d -i, showing the envelope line then the value", async () => {
    const me = await generateAgeIdentity();
    const idFile = join(dir, "ours.key");
    await writeFile(idFile, `${me.identity}\n`, { mode: 0o600 });
    const value = new Uint8Array([...new TextEncoder().encode(CANARY), 0, 255, 10]);
    const armored = await encryptAgeValue(value, "strict", "prod", "db", [me.recipient]);
    const file = join(dir, "value.age");
    await writeFile(file, armored);
    const { stdout } = await run("age", ["-d", "-i", idFile, file], { encoding: "buffer" });
    const expected = Buffer.concat([Buffer.from("sealbridge/v1 scope=strict:prod/db\n"), Buffer.from(value)]);
    assert.deepEqual(stdout, expected);
  });

  test("age -e -a of a hand-made envelope opens with our decrypt; keys from age-keygen", async () => {
    const idFile = join(dir, "keygen.key");
    await run("age-keygen", ["-o", idFile]);
    const identities = await readIdentityFile(idFile);
    assert.equal(identities.length, 1);
    const recipient = parseRecipient((await run("age-keygen", ["-y", idFile])).stdout.trim(), "age-keygen -y");
    assert.ok((await readFile(idFile, "utf8")).includes(`# public key: ${recipient}`));

    const armored = (await pipe("age", ["-e", "-a", "-r", recipient], `sealbridge/v1 scope=namespace-wide:prod\n${CANARY}`)).toString();
    assert.match(armored, /^-----BEGIN AGE ENCRYPTED FILE-----/);
    const out = await decryptAgeValue(armored, identities, "prod", "anything");
    assert.equal(new TextDecoder().decode(out), CANARY);
    // The envelope still binds: the same file refused elsewhere, and a file without one refused.
    await assert.rejects(decryptAgeValue(armored, identities, "staging", "anything"), (err: unknown) => {
      assert.ok(err instanceof DecryptError && err.code === "AgeScopeMismatch");
      assert.ok(!err.message.includes(CANARY));
      return true;
    });
    const bare = (await pipe("age", ["-e", "-a", "-r", recipient], CANARY)).toString();
    await assert.rejects(decryptAgeValue(bare, identities, "prod", "db"), (err: unknown) => {
      assert.ok(err instanceof DecryptError && err.code === "AgeEnvelopeInvalid");
      assert.ok(!err.message.includes(CANARY));
      return true;
    });
  });

  test("age -d with the wrong identity fails, as ours does", async () => {
    const me = await generateAgeIdentity();
    const other = await generateAgeIdentity();
    const otherFile = join(dir, "other.key");
    await writeFile(otherFile, `${other.identity}\n`, { mode: 0o600 });
    const file = join(dir, "wrong.age");
    await writeFile(file, await encryptAgeValue(new TextEncoder().encode(CANARY), "cluster-wide", "", "", [me.recipient]));
    await assert.rejects(run("age", ["-d", "-i", otherFile, file]), /no identity matched/);
  });
});
