import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { InputError } from "../../src/errors.js";
import { FileBatch, writeFilesAtomically } from "../../src/seal/file-batch.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sb-file-batch-"));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe("FileBatch", () => {
  test("commit replaces every target, keeping each file's permission bits", async () => {
    const a = join(dir, "a.yaml");
    await writeFile(a, "old a", { mode: 0o600 });
    await chmod(a, 0o600);
    await writeFilesAtomically([{ path: a, text: "new a" }, { path: join(dir, "b.yaml"), text: "new b", mode: 0o640 }]);
    assert.equal(await readFile(a, "utf8"), "new a");
    assert.equal((await stat(a)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "b.yaml"))).mode & 0o777, 0o640);
    assert.deepEqual((await readdir(dir)).sort(), ["a.yaml", "b.yaml"]);
  });

  test("a write that fails: nothing is replaced, no temp file is left, the error names the file", async () => {
    const sub = join(dir, "fail");
    await mkdir(sub);
    await writeFile(join(sub, "first.yaml"), "first");
    await writeFile(join(sub, "last.yaml"), "last");
    const writes = [
      { path: join(sub, "first.yaml"), text: "changed" },
      { path: join(sub, "missing-dir", "x.yaml"), text: "x" },
      { path: join(sub, "last.yaml"), text: "changed" },
    ];
    await assert.rejects(writeFilesAtomically(writes), (err: unknown) => err instanceof InputError && err.code === "WriteFailed" && /^cannot write: .*missing-dir\/x\.yaml \(ENOENT;/.test(err.message));
    assert.deepEqual((await readdir(sub)).sort(), ["first.yaml", "last.yaml"]);
    assert.equal(await readFile(join(sub, "first.yaml"), "utf8"), "first");
    assert.equal(await readFile(join(sub, "last.yaml"), "utf8"), "last");
  });

  test("abort removes the temp files already written and touches no target", async () => {
    const sub = join(dir, "abort");
    await mkdir(sub);
    await writeFile(join(sub, "t.yaml"), "kept");
    const batch = new FileBatch();
    batch.stage({ path: join(sub, "t.yaml"), text: "never" });
    batch.stage({ path: join(sub, "u.yaml"), text: "never" });
    await batch.abort();
    assert.deepEqual(await readdir(sub), ["t.yaml"]);
    assert.equal(await readFile(join(sub, "t.yaml"), "utf8"), "kept");
  });
});
