import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  generateAgeIdentity,
  parseIdentities,
  parseRecipient,
  parseRecipients,
  readIdentityFile,
  readRecipientsFile,
  recipientOfIdentity,
} from "../../src/crypto/age-keys.js";
import { InputError } from "../../src/errors.js";

const a = await generateAgeIdentity();
const b = await generateAgeIdentity();

function inputError(fn: () => unknown, pattern: RegExp, mustNotContain: string[] = []): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.match(err.message, pattern);
    for (const s of mustNotContain) assert.ok(!err.message.includes(s), "secret in message");
    return true;
  });
}

describe("recipients", () => {
  test("the recipients file format: comments, blank lines, CRLF", () => {
    const text = `# team\n${a.recipient}\n\n   # indented comment\r\n  ${b.recipient}  \r\n`;
    assert.deepEqual(parseRecipients(text, "r.txt"), [a.recipient, b.recipient]);
    assert.deepEqual(parseRecipients("# only comments\n", "r.txt"), []);
  });

  test("a bad line is named by file and line, never printed", () => {
    inputError(() => parseRecipients(`${a.recipient}\nage1nottherightlength\n`, "r.txt"), /r\.txt line 2/, ["age1nottherightlength"]);
    inputError(() => parseRecipients(`\n\n${a.identity}\n`, "r.txt"), /identity where a recipient was expected: r\.txt line 3/, [a.identity]);
    inputError(() => parseRecipient("ssh-ed25519 AAAAC3Nz user@host", "--recipient #1"), /SSH key/);
    inputError(() => parseRecipient("hunter2", "--recipient #1"), /--recipient #1 is not an age recipient/, ["hunter2"]);
  });

  test("post-quantum hybrid recipients are accepted", async () => {
    const { generateHybridIdentity, identityToRecipient } = await import("age-encryption");
    const pq = await identityToRecipient(await generateHybridIdentity());
    assert.equal(parseRecipient(pq, "x"), pq);
  });
});

describe("identities", () => {
  test("age-keygen's format parses; the recipient derives from it", async () => {
    const text = `# created: 2026-01-01T00:00:00Z\n# public key: ${a.recipient}\n${a.identity}\n`;
    assert.deepEqual(parseIdentities(text, "key.txt"), [a.identity]);
    assert.equal(await recipientOfIdentity(a.identity), a.recipient);
  });

  test("no identity, or a bad one, is an InputError that never prints the line", () => {
    inputError(() => parseIdentities("# nothing\n", "key.txt"), /no age identity found: key\.txt/);
    const broken = a.identity.slice(0, -3) + "QQQ";
    inputError(() => parseIdentities(`${a.identity}\n${broken}\n`, "key.txt"), /key\.txt line 2/, [broken, a.identity]);
    inputError(() => parseIdentities(`${a.recipient}\n`, "key.txt"), /key\.txt line 1 is not an age identity/);
  });

  test("files: read, and unreadable paths named", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sealbridge-keys-"));
    try {
      await writeFile(join(dir, "k"), `${a.identity}\n${b.identity}\n`);
      await writeFile(join(dir, "r"), `${a.recipient}\n`);
      assert.deepEqual(await readIdentityFile(join(dir, "k")), [a.identity, b.identity]);
      assert.deepEqual(await readRecipientsFile(join(dir, "r")), [a.recipient]);
      await assert.rejects(readIdentityFile(join(dir, "missing")), /cannot read identity file: .*missing: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
