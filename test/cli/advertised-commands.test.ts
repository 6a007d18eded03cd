// The CLI's help, package.json and the documentation advertise only commands that exist
// (issue 8): every `sealbridge <command> [<subcommand>] [--flag…]` in a code block or code span of
// README.md or any page under docs/ (subdirectories included) names a registered command, a
// registered subcommand where the command has them, and flags that command takes; and the
// one-line description is the same in package.json and --help.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, test } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { repoPath } from "../support/repo-root.js";

/** Every Markdown file under `dir`, recursively, as repository-relative paths with `/`. */
function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...markdownFiles(join(dir, e.name)));
    else if (e.name.endsWith(".md")) out.push(relative(repoPath(), join(dir, e.name)).split(sep).join("/"));
  }
  return out.sort();
}

/** The code of a Markdown text: fenced blocks and inline code spans. */
function codeOf(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? "");
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? "");
  return [...blocks, ...spans];
}

/** One written invocation: the command word, the word after it, and the long flags given. */
interface Invocation {
  command: string;
  next: string | undefined;
  flags: string[];
}

/**
 * `sealbridge WORD …` where sealbridge is in command position (line start, after a pipe, `$(`,
 * `./bin/` …), not an argument (`-n sealbridge`). The invocation ends at a pipe, `;`, `&`, `)`, a
 * redirection or a comment; quoted strings and `$(…)` inside it are not read as flags, and
 * backslash-continued lines are joined first.
 */
function invocations(code: string): Invocation[] {
  const joined = code.replace(/\\\n\s*/g, " ");
  const out: Invocation[] = [];
  for (const m of joined.matchAll(/(?:^\s*(?:\$\s+)?|[|;&(]\s*|\.\/bin\/|npx\s+)sealbridge\s+(?:--debug\s+)?([a-z][a-z-]*)([^\n]*)/gm)) {
    const rest = (m[2] ?? "")
      .replace(/\$\([^()]*\)/g, "X")
      .replace(/'[^']*'|"[^"]*"/g, "X")
      .split(/[|;&)<>]|\s#/)[0] ?? "";
    const words = rest.trim().split(/\s+/).filter((w) => w !== "");
    const next = words[0] !== undefined && /^[a-z][a-z-]*$/.test(words[0]) ? words[0] : undefined;
    const flags = words.filter((w) => /^--[a-z]/.test(w)).map((w) => w.replace(/[=\[].*$/, "").replace(/[.,:]+$/, ""));
    out.push({ command: m[1] ?? "", next, flags });
  }
  return out;
}

/** What is wrong with an invocation (an unknown command, subcommand or flag), or undefined. */
function problem(program: Command, inv: Invocation): string | undefined {
  const command = program.commands.find((c) => c.name() === inv.command);
  if (!command) return `sealbridge ${inv.command}`;
  let target = command;
  if (command.commands.length > 0 && inv.next !== undefined) {
    const sub = command.commands.find((c) => c.name() === inv.next);
    if (!sub) return `sealbridge ${inv.command} ${inv.next}`;
    target = sub;
  }
  const known = new Set([...target.options, ...program.options].map((o) => o.long).concat(["--help"]));
  const unknown = inv.flags.filter((f) => !known.has(f));
  return unknown.length > 0 ? `sealbridge ${target === command ? inv.command : `${inv.command} ${target.name()}`} ${unknown.join(" ")}` : undefined;
}

describe("advertised commands exist", () => {
  test("every `sealbridge <command> [<subcommand>] [--flag…]` in README.md and docs/**/*.md exists in the CLI", async () => {
    const program = await buildProgram();
    const docs = ["README.md", ...markdownFiles(repoPath("docs"))];
    assert.ok(docs.some((d) => d.startsWith("docs/cli/")), "the pages in docs/ subdirectories are read");
    const unknown: string[] = [];
    for (const doc of docs) {
      for (const code of codeOf(readFileSync(repoPath(doc), "utf8"))) {
        for (const inv of invocations(code)) {
          const wrong = problem(program, inv);
          if (wrong !== undefined) unknown.push(`${doc}: ${wrong}`);
        }
      }
    }
    assert.deepEqual([...new Set(unknown)], []);
  });

  test("the invocation reader finds commands, subcommands and flags, not arguments", async () => {
    const program = await buildProgram();
    assert.deepEqual(invocations("sealbridge seal --age -f a.yaml --cluster-recipient \"$(cat r.txt)\" | kubectl apply --server-side -f -"), [
      { command: "seal", next: undefined, flags: ["--age", "--cluster-recipient"] },
    ]);
    assert.deepEqual(invocations("x | sealbridge certs issue --dns rfc2136 \\\n  --dns-opt a=b   # --not-a-flag"), [{ command: "certs", next: "issue", flags: ["--dns", "--dns-opt"] }]);
    assert.deepEqual(invocations("kubeseal --controller-name sealbridge --fetch-cert"), []);
    assert.equal(problem(program, { command: "vault", next: "init", flags: ["--shares"] }), undefined);
    assert.equal(problem(program, { command: "vault", next: "seal", flags: [] }), "sealbridge vault seal");
    assert.equal(problem(program, { command: "seal", next: undefined, flags: ["--no-cluster-recipient", "--frobnicate"] }), "sealbridge seal --frobnicate");
    assert.equal(problem(program, { command: "nonesuch", next: undefined, flags: [] }), "sealbridge nonesuch");
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
