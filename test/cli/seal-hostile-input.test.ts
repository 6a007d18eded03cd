/**
 * Input the API server would refuse, refused at seal time with one line naming file, document
 * and what to fix (issue 8): invalid UTF-8 in stringData, names and keys that break the
 * apiserver's rules, and YAML alias bombs (in `seal` and in `check`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoPath } from "../support/repo-root.js";
import { runCli } from "../support/run-cli.js";
import { VECTOR_CERT } from "../support/sealing-vectors.js";

const CANARY = "CANARY-hostile-3a7";
const secret = (name: string, key: string, ns = "prod") => `apiVersion: v1\nkind: Secret\nmetadata: {name: ${JSON.stringify(name)}, namespace: ${ns}}\nstringData:\n  ${JSON.stringify(key)}: ${CANARY}\n`;
const BOMB = `apiVersion: v1
kind: Secret
metadata: {name: a, namespace: b}
---
a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
kind: Secret
stringData: {x: *d}
`;

describe("hostile input", { timeout: 600_000 }, () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sb-hostile-"));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("invalid UTF-8 in stringData is refused naming the key (a file, stdin, and -w in place writes nothing)", async () => {
    const bytes = Buffer.concat([Buffer.from(`apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\nstringData:\n  password: ${CANARY}`), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    const file = join(dir, "latin1.yaml");
    await writeFile(file, bytes);
    const fromFile = await runCli(["seal", "--cert", VECTOR_CERT, "-f", file, "-w"]);
    assert.equal(fromFile.code, 1);
    assert.equal(fromFile.stderr, `error: invalid UTF-8: ${file}, document 0, stringData key "password" (line 5) (the API server refuses it; save the file as UTF-8, or put binary values base64-encoded under data)\n`);
    assert.deepEqual(await readFile(file), bytes, "unchanged");
    // stdin: the same check (runCli sends text, so pipe the bytes through a shell).
    const r = spawnSync("sh", ["-c", `"$0" --import tsx test/support/cli.ts seal --cert "$1" < "$2"`, process.execPath, VECTOR_CERT, file], { cwd: repoPath(), encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^error: invalid UTF-8: stdin, document 0, stringData key "password" \(line 5\)/);
  });

  test("names and keys the API server refuses are refused at seal time with the rule they break", async () => {
    const cases: Array<[string, RegExp]> = [
      [secret("X/../x", "password"), /^error: invalid Secret: stdin, document 0: metadata\.name "X\/\.\.\/x" is not a lowercase RFC 1123 subdomain: at most 253 of a-z, 0-9, '-' and '\.', starting and ending with a letter or digit \(the API server would refuse it; rename it\)\n$/],
      [secret("db", "k".repeat(300)), /^error: invalid Secret: stdin, document 0: key "k{60}…" \(300 characters\) is not a valid Secret key: at most 253 of a-z, A-Z, 0-9, '-', '_' and '\.', and not '\.', '\.\.' or starting with '\.\.' \(the API server would refuse it; rename it\)\n$/],
      [secret("db", "pass word"), /^error: invalid Secret: stdin, document 0: key "pass word" is not a valid Secret key/],
      [secret("db", "password", "Prod_NS"), /^error: invalid Secret: stdin, document 0: metadata\.namespace "Prod_NS" is not a lowercase RFC 1123 label/],
    ];
    for (const [input, expected] of cases) {
      for (const args of [["seal", "--cert", VECTOR_CERT], ["seal", "--age", "--no-cluster-recipient", "--recipient", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"]]) {
        const result = await runCli(args, { input });
        assert.equal(result.code, 1, `${args[1]}: ${result.stderr}`);
        assert.match(result.stderr, expected, args[1]);
        assert.equal(result.stdout, "");
        assert.ok(!result.stderr.includes(CANARY));
      }
    }
    const raw = await runCli(["seal", "--raw", "--cert", VECTOR_CERT, "--namespace", "prod", "--name", "X/../x"], { input: CANARY });
    assert.equal(raw.code, 1);
    assert.match(raw.stderr, /X\/\.\.\/x" is not a lowercase RFC 1123 subdomain/);
  });

  test("a YAML alias bomb: one line naming file and document, in seal, seal -w and check", async () => {
    const file = join(dir, "bomb.yaml");
    await writeFile(file, BOMB);
    const expected = `error: invalid YAML: ${file}, document 1: its aliases expand more than 100 times, as in a YAML alias bomb (write the values out instead of using * aliases)\n`;
    for (const args of [["seal", "--cert", VECTOR_CERT, "-f", file], ["seal", "--cert", VECTOR_CERT, "-f", file, "-w"]]) {
      const result = await runCli(args);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, expected);
    }
    const check = await runCli(["check", file]);
    assert.equal(check.code, 2);
    assert.equal(check.stderr, expected);
    assert.deepEqual((await readdir(dir)).sort(), ["bomb.yaml", "latin1.yaml"]);
  });
});
