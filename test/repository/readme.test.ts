/**
 * The README cannot drift from the code (issue 8): every shell block marked runnable — a line
 * `<!-- runnable -->` right before a ```sh fence — runs, in order, as one bash script against
 * the test environment (`npm run -s testenv` in-process, with `--service sealbridge/sealbridge`
 * routed to the controller the README starts), in a fresh directory that holds a link to the
 * repository's `crds/`, with `sealbridge` on the PATH running this checkout's source. Unmarked
 * blocks are not run. The only change made to the text is the controller's ports (127.0.0.1:8080
 * and :8081 become free ports, so parallel runs do not collide).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestEnv } from "../harness/testenv.js";
import { repoPath } from "../support/repo-root.js";

/** The marker a runnable block follows. */
const RUNNABLE_MARKER = "<!-- runnable -->";

interface Block {
  line: number;
  code: string;
}

/**
 * The runnable blocks of a Markdown text, in order.
 * @throws Error when a marker is not followed by a sh/bash fence, or a fence is not closed.
 */
function runnableBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== RUNNABLE_MARKER) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]?.trim() === "") j++;
    if (!/^```(sh|bash)\s*$/.test(lines[j] ?? "")) throw new Error(`README.md line ${i + 1}: ${RUNNABLE_MARKER} must be followed by a \`\`\`sh block`);
    const start = j + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    if (end >= lines.length) throw new Error(`README.md line ${j + 1}: unclosed block`);
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] ?? "", (m[2] ?? "").replace(/^'(.*)'$/, "$1")]),
  );
}

describe("README.md", () => {
  test("the marker is found, and only on shell blocks", async () => {
    const blocks = runnableBlocks(await readFile(repoPath("README.md"), "utf8"));
    assert.ok(blocks.length >= 5, `only ${blocks.length} runnable blocks`);
    assert.throws(() => runnableBlocks(`${RUNNABLE_MARKER}\n\`\`\`yaml\na: 1\n\`\`\`\n`), /must be followed by a ```sh block/);
    assert.deepEqual(runnableBlocks("```sh\nnot marked\n```\n"), []);
  });

  test("every runnable shell block runs as written against the test environment", { timeout: 600_000 }, async () => {
    const blocks = runnableBlocks(await readFile(repoPath("README.md"), "utf8"));
    const dir = await mkdtemp(join(tmpdir(), "sb-readme-"));
    const [httpPort, metricsPort] = [await freePort(), await freePort()];
    const env = await startTestEnv({ dir: join(dir, ".testenv"), services: [{ namespace: "sealbridge", name: "sealbridge", baseUrl: `http://127.0.0.1:${httpPort}` }] });
    let child: ReturnType<typeof spawn> | undefined;
    try {
      await symlink(repoPath("crds"), join(dir, "crds"));
      await mkdir(join(dir, ".bin"));
      await mkdir(join(dir, "home"));
      const shim = join(dir, ".bin", "sealbridge");
      const tsx = fileURLToPath(import.meta.resolve("tsx"));
      await writeFile(shim, `#!/bin/sh\nexec '${process.execPath}' --import '${tsx}' '${repoPath("test/support/cli.ts")}' "$@"\n`);
      await chmod(shim, 0o755);
      const script = [
        "set -euo pipefail",
        ...blocks.map((b) => `echo "--- README.md line ${b.line}" >&2\n${b.code}`),
      ]
        .join("\n")
        .replaceAll("127.0.0.1:8080", `127.0.0.1:${httpPort}`)
        .replaceAll("127.0.0.1:8081", `127.0.0.1:${metricsPort}`);
      await writeFile(join(dir, "readme.sh"), `${script}\n`);
      const testenv = parseEnvFile(await readFile(env.envFile, "utf8"));
      child = spawn("bash", [join(dir, "readme.sh")], {
        cwd: dir,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          PATH: `${join(dir, ".bin")}:${process.env["PATH"] ?? ""}`,
          HOME: join(dir, "home"),
          KUBECACHEDIR: join(dir, "home", ".kube-cache"),
          ...testenv,
        },
      });
      let output = "";
      child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((resolve) => child?.on("exit", resolve));
      const log = await readFile(join(dir, "controller.log"), "utf8").catch(() => "");
      if (process.env["README_DEBUG"]) process.stderr.write(output);
      assert.equal(code, 0, `README script failed (exit ${code}); last output:\n${output.split("\n").slice(-40).join("\n")}\ncontroller.log:\n${log.split("\n").slice(-15).join("\n")}`);
    } finally {
      // The README starts the controller in the background: end the script's whole process group.
      if (child?.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      await env.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
