// What `docker build .` would send as its context, from .dockerignore with Docker's rules
// (moby/patternmatcher: patterns are matched against each path and its parent folders, the last
// matching pattern wins, `!` re-includes), and what the Dockerfile needs from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Pattern {
  negate: boolean;
  regex: RegExp;
  text: string;
}

/** One .dockerignore line as a regular expression over slash-separated relative paths. */
function compile(line: string): Pattern {
  const negate = line.startsWith("!");
  const text = (negate ? line.slice(1) : line).trim().replace(/^\/+/, "").replace(/\/+$/, "");
  let re = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "*" && text[i + 1] === "*") {
      // `**` matches any number of folders, including none (`**/x` matches `x`).
      re += text[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += text[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return { negate, regex: new RegExp(`^${re}$`), text };
}

function readPatterns(): Pattern[] {
  return readFileSync(join(root, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map(compile);
}

/** True when `path` (or one of its parent folders) is excluded by the patterns. */
function excluded(patterns: Pattern[], path: string): boolean {
  const parts = path.split("/");
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let out = false;
  for (const p of patterns) {
    if (candidates.some((c) => p.regex.test(c))) out = !p.negate;
  }
  return out;
}

/** Every file of the context, walking the real folder (node_modules and dist included when present). */
function contextFiles(patterns: Pattern[]): string[] {
  const files: string[] = [];
  const canReinclude = (dir: string) => patterns.some((p) => p.negate && (p.text.startsWith(`${dir}/`) || p.text.startsWith("**")));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (excluded(patterns, rel) && !canReinclude(rel)) continue;
        walk(full);
      } else if (!excluded(patterns, rel)) files.push(rel);
    }
  };
  walk(root);
  return files.sort();
}

test("the matcher follows Docker's rules", () => {
  const ps = ["*", "!src", "**/*.key"].map(compile);
  assert.equal(excluded(ps, "README.md"), true);
  assert.equal(excluded(ps, "src/cli/main.ts"), false, "a re-included folder brings its files");
  assert.equal(excluded(ps, "src/x/server.key"), true, "a later pattern wins");
  assert.equal(excluded(ps, "node_modules/a/index.js"), true, "a parent folder's match excludes its files");
  assert.equal(excluded([compile("**/*.key")], "a.key"), true, "**/ matches no folder too");
});

test("the build context holds no node_modules, tests, benchmarks, keys or git data", () => {
  const files = contextFiles(readPatterns());
  assert.ok(files.length > 0);
  const forbidden = files.filter(
    (f) =>
      /^(node_modules|dist|test|bench|scripts|docs|\.git|\.testenv|deploy|charts)(\/|$)/.test(f) ||
      /\.(key|pem|age)$/.test(f) ||
      /\.test\.ts$/.test(f) ||
      /(^|\/)\.env/.test(f),
  );
  assert.deepEqual(forbidden, []);
});

test("everything the Dockerfile copies from the context is in it", () => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const files = new Set(contextFiles(readPatterns()));
  const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
  assert.ok(sources.length >= 5, `COPY sources found: ${sources.join(" ")}`);
  for (const src of sources) {
    const present = [...files].some((f) => f === src || f.startsWith(`${src}/`));
    assert.ok(present, `COPY ${src}: not in the build context`);
  }
  assert.ok(files.has("src/cli/main.ts") && files.has("bin/sealbridge") && files.has("package-lock.json"));
});

test("the image: a pinned current Node LTS, non-root numeric user, exec-form entry point", () => {
  const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");
  const base = /^ARG NODE_IMAGE=node:(\d+)\.(\d+)\.(\d+)-[a-z]+-slim$/m.exec(dockerfile);
  assert.ok(base, "the base image is pinned to an exact Node version");
  assert.equal(Number(base[1]) % 2, 0, "an even (LTS) Node line");
  assert.ok(Number(base[1]) >= 26, "Node 26 is the Active LTS line since 2026-10-28");
  assert.match(dockerfile, /^USER \d+:\d+$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", /m);
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("FROM "));
  assert.doesNotMatch(finalStage, /^RUN /m, "the final stage runs nothing (no shell needed)");
  assert.doesNotMatch(finalStage, /COPY (?!--from=(deps|build))(src|test)/, "no sources or tests in the image");
});
