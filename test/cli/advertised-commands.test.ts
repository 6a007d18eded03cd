// The CLI's help, package.json and the documentation advertise only commands that exist
// (issue 8): every `sealbridge <command>` in a code block or code span of README.md or docs/ is a
// registered command, and the one-line description is the same in package.json and --help.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { buildProgram } from "../../src/cli/main.js";
import { repoPath } from "../support/repo-root.js";

/** The code of a Markdown text: fenced blocks and inline code spans. */
function codeOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "");
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? "");
  return [...blocks, ...spans];
}

/** `sealbridge WORD` where sealbridge is in command position (line start, after a pipe, `$(`, `./bin/` …), not an argument (`-n sealbridge`). */
function invokedCommands(code: string): string[] {
  return [...code.matchAll(/(?:^\s*(?:\$\s+)?|[|;&(]\s*|\.\/bin\/|npx\s+)sealbridge\s+(?:--debug\s+)?([a-z][a-z-]*)/gm)].map((m) => m[1] ?? "");
}

describe("advertised commands exist", () => {
  test("every `sealbridge <command>` in README.md and docs/*.md is a command of the CLI", async () => {
    const program = await buildProgram();
    const commands = new Set(program.commands.map((c) => c.name()));
    const docs = ["README.md", ...readdirSync(repoPath("docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
    const unknown: string[] = [];
    for (const doc of docs) {
      for (const code of codeOf(readFileSync(repoPath(doc), "utf8"))) {
        for (const word of invokedCommands(code)) if (!commands.has(word)) unknown.push(`${doc}: sealbridge ${word}`);
      }
    }
    assert.deepEqual(unknown, []);
  });

  test("package.json's description is the CLI's, and promises nothing the CLI lacks", async () => {
    const program = await buildProgram();
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { description: string };
    assert.equal(pkg.description, program.description());
    const commands = new Set(program.commands.map((c) => c.name()));
    if (!commands.has("certs")) assert.doesNotMatch(pkg.description, /renew|certificate/i);
    if (!commands.has("vault")) assert.doesNotMatch(pkg.description, /unseal Vault|Vault unseal/i);
  });
});
