// The program itself (issue 2, "Skeleton"): --help, --version, errors to stderr with a non-zero
// exit and no stack trace unless --debug, and bin/sealbridge working from the compiled dist/.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { runCli } from "../support/run-cli.js";
import { fileURLToPath } from "node:url";

const packageVersion = (JSON.parse(await readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
const STACK_LINE = /^\s+at /m;

describe("sealbridge (the program)", () => {
  test("--help lists every command group; --version prints package.json's version", async () => {
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    for (const command of ["seal", "unseal", "reseal", "check", "hook", "controller"]) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"), `${command} missing from --help`);
    }
    assert.match(help.stdout, /--debug/);
    const version = await runCli(["--version"]);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${packageVersion}\n`);
  });

  test("an error is one line on stderr with a non-zero exit; --debug adds the stack trace", async () => {
    const plain = await runCli(["seal", "--cert", "/nonexistent/cert.pem"], { input: "" });
    assert.equal(plain.code, 1);
    assert.equal(plain.stdout, "");
    assert.match(plain.stderr, /^error: nothing to seal: stdin holds no Secret/);
    assert.equal(plain.stderr.trimEnd().split("\n").length, 1, plain.stderr);
    assert.doesNotMatch(plain.stderr, STACK_LINE);

    const debug = await runCli(["--debug", "seal", "--cert", "/nonexistent/cert.pem"], { input: "" });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^error: nothing to seal: stdin holds no Secret/);
    assert.match(debug.stderr, STACK_LINE);

    const unknown = await runCli(["no-such-command"]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown command 'no-such-command'/);
    assert.doesNotMatch(unknown.stderr, STACK_LINE);
  });

  test("bin/sealbridge runs the compiled CLI (built by npm ci's prepare)", async () => {
    const child = spawn(fileURLToPath(new URL("../../bin/sealbridge", import.meta.url)), ["--version"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `${packageVersion}\n`);
  });
});
