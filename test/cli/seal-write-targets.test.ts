/**
 * Where sealbridge refuses to write (issue 8): `-w DIR`, a symbolic link or a read-only file as
 * the target of `-w`, `-w` in place, `--merge-into` or `reseal` is refused with one clear line,
 * nothing is written, and no temporary file is left behind.
 */
import assert from "node:assert/strict";
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { opensslKey } from "../support/openssl-keys.js";
import { runCli } from "../support/run-cli.js";
import { VECTOR_CERT, VECTOR_KEY } from "../support/sealing-vectors.js";

const CANARY = "CANARY-targets-91b";
const secretYaml = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: prod\nstringData:\n  password: ${CANARY}\n`;

/** Every file under `dir`, recursively, as relative paths (temp files start with a dot). */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (!entry.isDirectory()) out.push(join(entry.parentPath ?? (entry as { path?: string }).path ?? "", entry.name).slice(dir.length + 1));
  return out.sort();
}

describe("write targets that must not be replaced", { timeout: 600_000 }, () => {
  let dir = "";
  let sealed = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sb-write-targets-"));
    await writeFile(join(dir, "in.yaml"), secretYaml("db"));
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-o", "yaml"], { input: secretYaml("db") });
    assert.equal(result.code, 0, result.stderr);
    sealed = result.stdout;
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("seal -f in.yaml -w DIR (an existing directory): refused before writing, no temp file", async () => {
    const out = join(dir, "outdir");
    await mkdir(out);
    const before = await listing(dir);
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-f", join(dir, "in.yaml"), "-w", out]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `error: cannot write: ${out} is a directory (give -w a file name, or -w alone to seal the -f files in place)\n`);
    assert.deepEqual(await listing(dir), before);
  });

  test("-w onto a symbolic link: refused, the link and its target unchanged", async () => {
    const target = join(dir, "plain.yaml");
    await writeFile(target, secretYaml("plain"));
    const link = join(dir, "link.yaml");
    await symlink(target, link);
    const before = await listing(dir);
    const out = await runCli(["seal", "--cert", VECTOR_CERT, "-f", join(dir, "in.yaml"), "-w", link]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^error: refusing to write: .*link\.yaml is a symbolic link \(replacing it would leave the file it points to unchanged; give the target file itself, or remove the link\)\n$/);
    // In place: the link is an input; the other input must not change either.
    const other = join(dir, "other.yaml");
    await writeFile(other, secretYaml("other"));
    const inPlace = await runCli(["seal", "--cert", VECTOR_CERT, "-f", other, "-f", link, "-w"]);
    assert.equal(inPlace.code, 1);
    assert.match(inPlace.stderr, /^error: refusing to write: .*link\.yaml is a symbolic link/);
    assert.ok((await lstat(link)).isSymbolicLink());
    assert.equal(await readFile(target, "utf8"), secretYaml("plain"));
    assert.equal(await readFile(other, "utf8"), secretYaml("other"));
    assert.deepEqual(await listing(dir), [...before, "other.yaml"].sort());
  });

  test("read-only files: -w, -w in place, --merge-into and reseal refuse them and write nothing", async () => {
    const ro = join(dir, "ro");
    await mkdir(ro);
    const out = join(ro, "out.yaml");
    await writeFile(out, "old\n");
    const input = join(ro, "secret.yaml");
    await writeFile(input, secretYaml("db"));
    const target = join(ro, "sealed.yaml");
    await writeFile(target, sealed);
    for (const file of [out, input, target]) await chmod(file, 0o444);
    const next = opensslKey(2048);
    await writeFile(join(dir, "next.crt"), next.certificatePem);
    const before = await listing(ro);
    const runs = {
      "-w FILE": await runCli(["seal", "--cert", VECTOR_CERT, "-f", join(dir, "in.yaml"), "-w", out]),
      "-w in place": await runCli(["seal", "--cert", VECTOR_CERT, "-f", input, "-w"]),
      "--merge-into": await runCli(["seal", "--cert", VECTOR_CERT, "--merge-into", target], { input: "apiVersion: v1\nkind: Secret\nmetadata: {name: ignored}\nstringData: {extra: CANARY-merge}\n" }),
      reseal: await runCli(["reseal", ro, "--cert", join(dir, "next.crt"), "--recovery-private-key", VECTOR_KEY]),
    };
    for (const [name, result] of Object.entries(runs)) {
      assert.equal(result.code, 1, `${name}: ${result.stderr}`);
      assert.match(result.stderr, /^error: refusing to write: .* is read-only \(make it writable, e\.g\. chmod u\+w, if it should change\)\n$/, name);
    }
    assert.equal(await readFile(out, "utf8"), "old\n");
    assert.equal(await readFile(input, "utf8"), secretYaml("db"));
    assert.equal(await readFile(target, "utf8"), sealed);
    assert.deepEqual(await listing(ro), before, "no temp files");
    assert.ok(!Object.values(runs).some((r) => r.stderr.includes(CANARY)));
  });
});
