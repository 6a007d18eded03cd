/**
 * The README and the reference pages cannot drift from the code (issue 8): every shell block
 * marked runnable — a line `<!-- runnable -->` right before a ```sh fence — runs, in order, as one
 * bash script against the test environment (`npm run -s testenv` in-process, with
 * `--service sealbridge/sealbridge` routed to the controller the README starts), in a fresh
 * directory that holds a link to the repository's `crds/`, with `sealbridge` on the PATH running
 * this checkout's source. The README's blocks run first (its tour sets up the controller and the
 * files the pages use), then those of RUNNABLE_PAGES in that order; a page under docs/ with a
 * runnable block must be listed there. Unmarked blocks are not run. The only change made to the
 * text is the controller's ports (127.0.0.1:8080 and :8081 become free ports, so parallel runs do
 * not collide).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startTestEnv } from "../harness/testenv.js";
import { repoPath } from "../support/repo-root.js";

/** The marker a runnable block follows. */
const RUNNABLE_MARKER = "<!-- runnable -->";

/** The pages whose runnable blocks run, in this order (the README first: its tour sets things up). */
const RUNNABLE_PAGES = ["README.md", "docs/cli/seal.md", "docs/cli/age.md", "docs/cli/check-and-hooks.md", "docs/cli/keys.md"];

interface Block {
  line: number;
  code: string;
}

/**
 * The runnable blocks of a Markdown text, in order.
 * @throws Error when a marker is not followed by a sh/bash fence, or a fence is not closed.
 */
function runnableBlocks(markdown: string, file = "README.md"): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]?.trim() !== RUNNABLE_MARKER) continue;
    let j = i + 1;
    while (j < lines.length && lines[j]?.trim() === "") j++;
    if (!/^```(sh|bash)\s*$/.test(lines[j] ?? "")) throw new Error(`${file} line ${i + 1}: ${RUNNABLE_MARKER} must be followed by a \`\`\`sh block`);
    const start = j + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    if (end >= lines.length) throw new Error(`${file} line ${j + 1}: unclosed block`);
    blocks.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return blocks;
}

/** Every Markdown file under docs/, as repository-relative paths. */
async function docsPages(dir = repoPath("docs")): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await docsPages(join(dir, e.name))));
    else if (e.name.endsWith(".md")) out.push(relative(repoPath(), join(dir, e.name)).split(sep).join("/"));
  }
  return out.sort();
}

/** The runnable blocks of every page of RUNNABLE_PAGES, in order, each with its file. */
async function allRunnableBlocks(): Promise<Array<Block & { file: string }>> {
  const out: Array<Block & { file: string }> = [];
  for (const file of RUNNABLE_PAGES) {
    for (const b of runnableBlocks(await readFile(repoPath(file), "utf8"), file)) out.push({ ...b, file });
  }
  return out;
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
    assert.ok(blocks.length >= 4, `only ${blocks.length} runnable blocks in README.md`);
    assert.throws(() => runnableBlocks(`${RUNNABLE_MARKER}\n\`\`\`yaml\na: 1\n\`\`\`\n`), /must be followed by a ```sh block/);
    assert.deepEqual(runnableBlocks("```sh\nnot marked\n```\n"), []);
  });

  test("every page under docs/ with a runnable block is run", async () => {
    const unlisted: string[] = [];
    for (const page of await docsPages()) {
      if (!RUNNABLE_PAGES.includes(page) && runnableBlocks(await readFile(repoPath(page), "utf8"), page).length > 0) unlisted.push(page);
    }
    assert.deepEqual(unlisted, [], "add these pages to RUNNABLE_PAGES (in the order their blocks can run) or unmark their blocks");
    for (const page of RUNNABLE_PAGES) assert.ok(runnableBlocks(await readFile(repoPath(page), "utf8"), page).length > 0, `${page} has no runnable block`);
  });

  test("every runnable shell block runs as written against the test environment", { timeout: 600_000 }, async () => {
    const blocks = await allRunnableBlocks();
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
        ...blocks.map((b) => `echo "--- ${b.file} line ${b.line}" >&2\n${b.code}`),
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
