/**
 * Where `sealbridge check` reads manifests from: files and directory trees on disk, or the git
 * index (`--staged`). The IO shell around the pure finder in plaintext-secrets.ts.
 */
import { execFile } from "node:child_process";
import { readFile, realpath, stat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { InputError } from "../errors.js";
import { MANIFEST_FILE, walkManifestFiles } from "../manifest/manifest-files.js";

const run = promisify(execFile);

/** One manifest to check: a name to print and a way to read it. */
export interface ManifestSource {
  /** The path printed in findings (as given, or relative to the repository root for --staged). */
  file: string;
  /** @throws InputError when the content cannot be read. */
  read(): Promise<string>;
}

const MAX_BYTES = 8 * 1024 * 1024;

/**
 * The manifest files under `paths`: a file is taken as given (whatever its extension), a
 * directory is walked for manifest files (src/manifest/manifest-files.ts: hidden directories such
 * as .git and node_modules skipped).
 * @throws InputError when a path does not exist or cannot be read.
 */
export async function manifestFilesUnder(paths: readonly string[]): Promise<ManifestSource[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read path: ${path}: ${err.code ?? "unreadable"} (check the path)`, {
        code: "FileUnreadable",
        cause: err,
      });
    });
    if (info.isDirectory()) files.push(...(await walkManifestFiles(path)));
    else files.push(path);
  }
  return files.map((file) => ({ file, read: () => readDiskFile(file) }));
}

/**
 * The added, copied or modified manifest files of the git index of the repository holding `cwd`,
 * read from the index (what will be committed), not from the working tree.
 * @throws InputError when `cwd` is not inside a git work tree or git fails.
 */
export async function stagedManifestFiles(cwd: string): Promise<ManifestSource[]> {
  const root = (await git(["rev-parse", "--show-toplevel"], cwd)).trim();
  const names = (await git(["diff", "--cached", "--name-only", "--diff-filter=ACM", "-z"], root))
    .split("\0")
    .filter((name) => name !== "" && MANIFEST_FILE.test(name))
    .sort();
  const here = await realpath(cwd);
  return names.map((name) => ({
    file: relative(here, join(root, name)),
    read: () => git(["show", `:${name}`], root),
  }));
}

async function readDiskFile(file: string): Promise<string> {
  try {
    const info = await stat(file);
    if (info.size > MAX_BYTES) {
      throw new InputError(`file too large to check: ${file} (${info.size} bytes; limit ${MAX_BYTES})`, { code: "FileTooLarge" });
    }
    return await readFile(file, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read file: ${file}: ${code} (check the path and permissions)`, { code: "FileUnreadable", cause: err });
  }
}

async function git(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("git", args, { cwd: resolve(cwd), maxBuffer: 64 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? "").trim().split("\n")[0] ?? "";
    throw new InputError(`git ${args[0]} failed: ${cwd}: ${stderr || "unknown error"} (run inside a git repository)`, {
      code: "GitFailed",
      cause: err,
    });
  }
}
