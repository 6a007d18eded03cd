/**
 * `sealbridge seal --age` / `sealbridge unseal -i` as processes, interoperating with the real age
 * CLI both ways; canary values appear only in the intended decrypted output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse, parseAllDocuments, stringify } from "yaml";
import { runCli } from "../support/run-cli.js";

const CANARY = "canary-age-cli-Jr5m";
const CANARY_B64 = Buffer.from(CANARY).toString("base64");
const exec = promisify(execFile);

const sealbridge = (args: string[], cwd: string) => runCli(args, { cwd });

function noCanary(...outputs: string[]): void {
  for (const out of outputs) assert.ok(!out.includes(CANARY) && !out.includes(CANARY_B64), `secret value in output:\n${out}`);
}

describe("seal --age / unseal -i with the real age CLI", () => {
  let dir = "";
  let recipientA = "";
  let recipientB = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealbridge-age-cli-"));
    await exec("age-keygen", ["-o", join(dir, "a.key")]);
    await exec("age-keygen", ["-o", join(dir, "b.key")]);
    recipientA = (await exec("age-keygen", ["-y", join(dir, "a.key")])).stdout.trim();
    recipientB = (await exec("age-keygen", ["-y", join(dir, "b.key")])).stdout.trim();
    await writeFile(join(dir, "recipients.txt"), `# backup key\n${recipientB}\n`);
    await writeFile(
      join(dir, "secret.yaml"),
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\ntype: Opaque\nstringData:\n  password: ${CANARY}\n`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("our AgeSecret values open with age -d for every recipient; unseal -i gives the Secret back", async () => {
    const sealed = await sealbridge(
      ["seal", "--age", "--no-cluster-recipient", "--recipient", recipientA, "--recipients-file", "recipients.txt", "-f", "secret.yaml", "-o", "yaml"],
      dir,
    );
    assert.equal(sealed.code, 0, sealed.stderr);
    noCanary(sealed.stdout, sealed.stderr);
    const ageSecret = parse(sealed.stdout) as { kind: string; spec: { encryptedData: Record<string, string> } };
    assert.equal(ageSecret.kind, "AgeSecret");
    const armored = ageSecret.spec.encryptedData["password"];
    assert.ok(armored);
    await writeFile(join(dir, "password.age"), armored);
    for (const key of ["a.key", "b.key"]) {
      const { stdout } = await exec("age", ["-d", "-i", key, "password.age"], { cwd: dir });
      assert.equal(stdout, `sealbridge/v1 scope=strict:prod/db\n${CANARY}`);
    }
    await writeFile(join(dir, "sealed.yaml"), sealed.stdout);
    const opened = await sealbridge(["unseal", "--age", "-i", "b.key", "-f", "sealed.yaml", "-o", "yaml"], dir);
    assert.equal(opened.code, 0, opened.stderr);
    const docs = parseAllDocuments(opened.stdout).map((d) => d.toJS() as { data?: Record<string, string> });
    assert.equal(docs[0]?.data?.["password"], CANARY_B64); // the one intended output
    noCanary(opened.stderr);
  });

  test("an AgeSecret made by hand with age -e -a unseals; moved elsewhere it is refused", async () => {
    const made = { stdout: execFileSync("age", ["-e", "-a", "-r", recipientA], { cwd: dir, input: `sealbridge/v1 scope=strict:prod/db\n${CANARY}` }).toString() };
    const manifest = (namespace: string) =>
      stringify({
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "AgeSecret",
        metadata: { name: "db", namespace },
        spec: { encryptedData: { password: made.stdout }, template: { type: "Opaque" } },
      });
    await writeFile(join(dir, "hand.yaml"), manifest("prod"));
    const opened = await sealbridge(["unseal", "-i", "a.key", "-f", "hand.yaml", "-o", "json"], dir);
    assert.equal(opened.code, 0, opened.stderr);
    assert.match(opened.stdout, new RegExp(`"password":\\s*"${CANARY_B64}"`));

    await writeFile(join(dir, "moved.yaml"), manifest("staging"));
    const moved = await sealbridge(["unseal", "-i", "a.key", "-f", "moved.yaml"], dir);
    assert.notEqual(moved.code, 0);
    assert.equal(moved.stdout, "");
    assert.match(moved.stderr, /^error: cannot decrypt key "password" .*sealed for scope strict:prod\/db/);
    assert.equal(moved.stderr.trimEnd().split("\n").length, 1, moved.stderr);
    noCanary(moved.stdout, moved.stderr);
  });

  test("malformed input gives one line and a non-zero exit", async () => {
    await writeFile(
      join(dir, "garbage.yaml"),
      stringify({
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "AgeSecret",
        metadata: { name: "db", namespace: "prod" },
        spec: { encryptedData: { password: "-----BEGIN AGE ENCRYPTED FILE-----\nnot base64 at all\n-----END AGE ENCRYPTED FILE-----\n" } },
      }),
    );
    const garbage = await sealbridge(["unseal", "-i", "a.key", "-f", "garbage.yaml"], dir);
    assert.notEqual(garbage.code, 0);
    assert.match(garbage.stderr, /^error: cannot decrypt key "password" .*not an ASCII-armored age file/);
    assert.equal(garbage.stderr.trimEnd().split("\n").length, 1, garbage.stderr);

    const badRecipient = await sealbridge(["seal", "--age", "--no-cluster-recipient", "--recipient", "age1oops", "-f", "secret.yaml"], dir);
    assert.notEqual(badRecipient.code, 0);
    assert.match(badRecipient.stderr, /^error: invalid recipient: /);
    noCanary(badRecipient.stdout, badRecipient.stderr);

    // A recipients file pointed at an identity file: named by line, the key never printed.
    const identity = (await exec("grep", ["^AGE-SECRET-KEY", join(dir, "a.key")])).stdout.trim();
    const leaked = await sealbridge(["seal", "--age", "--no-cluster-recipient", "--recipients-file", "a.key", "-f", "secret.yaml"], dir);
    assert.notEqual(leaked.code, 0);
    assert.match(leaked.stderr, /^error: age identity where a recipient was expected: a\.key line 3/);
    assert.ok(!leaked.stderr.includes(identity) && !leaked.stdout.includes(identity));
  });
});
