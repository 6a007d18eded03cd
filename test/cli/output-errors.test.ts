// The CLI's own output failing (issue 8): a closed pipe (`seal … | head -c 100`) ends quietly,
// a full disk (/dev/full) is one line on stderr, never a Node stack trace.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { describe, test } from "node:test";
import { repoPath } from "../support/repo-root.js";
import { VECTOR_CERT } from "../support/sealing-vectors.js";

/** Enough Secrets that the sealed output is far larger than a pipe buffer. */
const MANY = Array.from({ length: 400 }, (_, i) => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: s${i}, namespace: n}\nstringData: {k: CANARY-out-${i}}\n`).join("");

function sealTo(stdout: "pipe" | number): { child: ReturnType<typeof spawn>; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", repoPath("test/support/cli.ts"), "seal", "--cert", VECTOR_CERT], { cwd: repoPath(), stdio: ["pipe", stdout, "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(MANY);
  return { child, stderr: () => stderr, exited: new Promise((resolve) => child.on("close", (code) => resolve(code))) };
}

describe("output errors", { timeout: 300_000 }, () => {
  test("a reader that goes away after 100 bytes (| head -c 100): exit 0, nothing on stderr", async () => {
    // A real pipe into the real head, as a user types it; bash reports the CLI's own exit code.
    const script = `"$0" --import tsx test/support/cli.ts seal --cert "$1" | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const child = spawn("bash", ["-c", script, process.execPath, VECTOR_CERT], { cwd: repoPath(), stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(MANY);
    await new Promise((resolve) => child.on("close", resolve));
    assert.equal(stderr, "exit=0\n");
  });

  test("a full disk (/dev/full): one line naming the error, exit 1, no stack", { skip: !existsSync("/dev/full") && "no /dev/full" }, async () => {
    const fd = openSync("/dev/full", "w");
    try {
      const run = sealTo(fd);
      const code = await run.exited;
      assert.equal(code, 1);
      assert.equal(run.stderr(), "error: cannot write the output: stdout (ENOSPC: no space left on the device; free some space or write elsewhere)\n");
    } finally {
      closeSync(fd);
    }
  });
});
