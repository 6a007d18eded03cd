/** `sealbridge check` and `sealbridge hook` as processes, against temp directories and git repos. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse } from "yaml";
import { HOOK_MARKER } from "../../src/check/git-hook.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CANARY = "canary-cli-check-Kd93";
const CANARY_B64 = Buffer.from(CANARY).toString("base64");
const git = promisify(execFile);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runIn(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const sealbridge = (args: string[], cwd: string) => runIn(process.execPath, ["--import", TSX, CLI, ...args], cwd);

function noCanary(r: Result): void {
  for (const out of [r.stdout, r.stderr]) {
    assert.ok(!out.includes(CANARY) && !out.includes(CANARY_B64), `secret value in output:\n${out}`);
  }
}

const plaintextSecret = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: fast}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: ${CANARY}\ndata:\n  token: ${CANARY_B64}\n`;
const sealed = `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: db, namespace: prod}\nspec:\n  encryptedData: {password: AgBy3i4OJSWK}\n`;

async function gitRepo(dir: string): Promise<void> {
  await git("git", ["init", "-q", "-b", "main"], { cwd: dir });
  await git("git", ["config", "user.email", "test@example.com"], { cwd: dir });
  await git("git", ["config", "user.name", "Test"], { cwd: dir });
  await git("git", ["config", "commit.gpgsign", "false"], { cwd: dir });
}

describe("sealbridge check", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealbridge-check-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a clean tree exits 0 and prints nothing", async () => {
    const clean = join(dir, "clean");
    await mkdir(join(clean, "apps"), { recursive: true });
    await writeFile(join(clean, "apps", "sealed.yaml"), sealed);
    await writeFile(join(clean, "package.json"), `{"name": "x"}`);
    const r = await sealbridge(["check"], clean);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "");
  });

  test("plaintext Secrets exit 1 listing file, document, name, keys and the fix; never values", async () => {
    const tree = join(dir, "dirty");
    await mkdir(join(tree, "apps", "db"), { recursive: true });
    await mkdir(join(tree, "node_modules", "pkg"), { recursive: true });
    await mkdir(join(tree, ".git"), { recursive: true });
    await writeFile(join(tree, "apps", "db", "secret.yaml"), plaintextSecret);
    await writeFile(join(tree, "apps", "list.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "j", namespace: "n" }, data: { k: CANARY_B64 } }] }));
    await writeFile(join(tree, "apps", "notes.txt"), plaintextSecret); // not a manifest extension: not walked
    await writeFile(join(tree, "node_modules", "pkg", "s.yaml"), plaintextSecret);
    await writeFile(join(tree, ".git", "s.yaml"), plaintextSecret);
    const r = await sealbridge(["check", "apps"], tree);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      "apps/db/secret.yaml:doc 1: Secret prod/db has plaintext keys token, password → run: sealbridge seal -f apps/db/secret.yaml -w",
      "apps/list.json:doc 0 item 0: Secret n/j has plaintext key k → run: sealbridge seal -f apps/list.json -w",
    ]);
    assert.match(r.stderr, /2 plaintext Secret\(s\)/);
    noCanary(r);
    // The walk skips node_modules and .git; "." finds the same two.
    const all = await sealbridge(["check"], tree);
    assert.equal(all.stdout.trimEnd().split("\n").length, 2);
    // An explicit file is checked whatever its extension.
    const txt = await sealbridge(["check", "apps/notes.txt"], tree);
    assert.equal(txt.code, 1);
    noCanary(txt);
  });

  test("malformed YAML and missing paths: one-line error, exit 2, no stack", async () => {
    const bad = join(dir, "bad");
    await mkdir(bad);
    await writeFile(join(bad, "broken.yaml"), `apiVersion: v1\nkind: Secret\nstringData:\n  password: ${CANARY}\n  - [\n`);
    const r = await sealbridge(["check", "."], bad);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^error: invalid YAML: broken\.yaml, document 0/);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    noCanary(r);
    const missing = await sealbridge(["check", "nope.yaml"], bad);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: cannot read path: nope\.yaml: ENOENT/);
    // A plaintext finding elsewhere still wins: exit 1.
    await writeFile(join(bad, "s.yaml"), plaintextSecret);
    const both = await sealbridge(["check", "."], bad);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /invalid YAML: broken\.yaml/);
    noCanary(both);
  });
});

describe("sealbridge check --staged and the git hook", () => {
  let repo = "";
  before(async () => {
    repo = await mkdtemp(join(tmpdir(), "sealbridge-git-"));
    await gitRepo(repo);
  });
  after(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  test("--staged reads the index, not the working tree", async () => {
    await mkdir(join(repo, "k8s"), { recursive: true });
    await writeFile(join(repo, "k8s", "db.yaml"), plaintextSecret);
    await git("git", ["add", "k8s/db.yaml"], { cwd: repo });
    await writeFile(join(repo, "k8s", "db.yaml"), sealed); // fixed on disk but not re-staged
    await writeFile(join(repo, "k8s", "unstaged.yaml"), plaintextSecret); // plaintext, never staged
    const r = await sealbridge(["check", "--staged"], repo);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n"), [
      "k8s/db.yaml:doc 1: Secret prod/db has plaintext keys token, password → run: sealbridge seal -f k8s/db.yaml -w",
    ]);
    noCanary(r);
    // From a subdirectory, paths are printed relative to it.
    const sub = await sealbridge(["check", "--staged"], join(repo, "k8s"));
    assert.match(sub.stdout, /^db\.yaml:doc 1: Secret prod\/db/);
    // Staging the fix makes it clean.
    await git("git", ["add", "k8s/db.yaml"], { cwd: repo });
    const fixed = await sealbridge(["check", "--staged"], repo);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    await git("git", ["reset", "-q"], { cwd: repo });
  });

  test("--staged outside a git repository fails with one line", async () => {
    const notRepo = await mkdtemp(join(tmpdir(), "sealbridge-norepo-"));
    try {
      const r = await sealbridge(["check", "--staged"], notRepo);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: git rev-parse failed: .*\(run inside a git repository\)\n$/);
    } finally {
      await rm(notRepo, { recursive: true, force: true });
    }
  });

  test("hook install writes an executable hook that blocks a plaintext commit", async () => {
    const r = await sealbridge(["hook", "install"], repo);
    assert.equal(r.code, 0, r.stderr);
    const hook = join(repo, ".git", "hooks", "pre-commit");
    assert.ok((await readFile(hook, "utf8")).includes(HOOK_MARKER));
    assert.ok(((await stat(hook)).mode & 0o111) !== 0, "hook not executable");
    assert.equal((await sealbridge(["hook", "install"], repo)).code, 0, "re-install over our own hook");

    // A `sealbridge` on PATH that runs this checkout from source, as an installed one would.
    const bin = join(repo, ".test-bin");
    await mkdir(bin);
    await writeFile(join(bin, "sealbridge"), `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${CLI}" "$@"\n`);
    await chmod(join(bin, "sealbridge"), 0o755);
    const env = { ...process.env, PATH: `${bin}${delimiter}${process.env["PATH"] ?? ""}` };

    await writeFile(join(repo, "k8s", "db.yaml"), plaintextSecret);
    await git("git", ["add", "k8s/db.yaml"], { cwd: repo });
    const blocked = await runIn("git", ["commit", "-q", "-m", "add db"], repo, env);
    assert.notEqual(blocked.code, 0, "commit of a plaintext Secret went through");
    assert.match(blocked.stdout + blocked.stderr, /k8s\/db\.yaml:doc 1: Secret prod\/db has plaintext keys/);
    noCanary(blocked);

    await writeFile(join(repo, "k8s", "db.yaml"), sealed);
    await git("git", ["add", "k8s/db.yaml"], { cwd: repo });
    const ok = await runIn("git", ["commit", "-q", "-m", "add sealed db"], repo, env);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  });

  test("a foreign hook is kept unless --force, then backed up; uninstall removes only ours", async () => {
    const hook = join(repo, ".git", "hooks", "pre-commit");
    await writeFile(hook, "#!/bin/sh\necho mine\n", { mode: 0o755 });
    const refused = await sealbridge(["hook", "install"], repo);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: pre-commit hook exists and was not written by sealbridge: .*--force/);
    assert.equal(await readFile(hook, "utf8"), "#!/bin/sh\necho mine\n");
    assert.equal((await sealbridge(["hook", "uninstall"], repo)).code, 1);

    const forced = await sealbridge(["hook", "install", "--force"], repo);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(await readFile(`${hook}.sealbridge-backup`, "utf8"), "#!/bin/sh\necho mine\n");
    assert.ok((await readFile(hook, "utf8")).includes(HOOK_MARKER));

    const removed = await sealbridge(["hook", "uninstall"], repo);
    assert.equal(removed.code, 0);
    await assert.rejects(stat(hook));
  });

  test("core.hooksPath is honoured", async () => {
    await git("git", ["config", "core.hooksPath", "githooks"], { cwd: repo });
    try {
      assert.equal((await sealbridge(["hook", "install"], repo)).code, 0);
      assert.ok((await readFile(join(repo, "githooks", "pre-commit"), "utf8")).includes(HOOK_MARKER));
    } finally {
      await git("git", ["config", "--unset", "core.hooksPath"], { cwd: repo });
    }
  });
});

test(".pre-commit-hooks.yaml declares sealbridge-check for the pre-commit framework", async () => {
  const hooks = parse(await readFile(join(REPO_ROOT, ".pre-commit-hooks.yaml"), "utf8")) as Array<Record<string, unknown>>;
  const hook = hooks.find((h) => h["id"] === "sealbridge-check");
  assert.ok(hook);
  assert.equal(hook["entry"], "sealbridge check");
  assert.equal(hook["language"], "node");
  const files = new RegExp(String(hook["files"]));
  for (const f of ["a.yaml", "b/c.yml", "d.json"]) assert.ok(files.test(f), f);
  for (const f of ["a.txt", "yaml", "x.yaml.bak"]) assert.ok(!files.test(f), f);
});
