/**
 * All-or-nothing file writes: every new content goes to a temp file beside its target first,
 * and only when all of them are written are they renamed over their targets (rename is atomic
 * within a directory), so a failure never leaves a half-written or half-sealed tree.
 *
 * A {@link FileBatch} writes each temp file as soon as it is staged, one at a time on libuv's
 * thread pool, while the caller goes on computing the next one: creating a file is kernel work
 * (inode allocation) that can cost as much as sealing it (ext4 scanning past recently deleted
 * inodes), so it overlaps. One at a time because parallel creates in the same directories
 * contend in the kernel, burn more CPU in total and take the core the caller needs.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, renameSync, statSync, unlinkSync } from "node:fs";
import { unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

/** One file to (re)write. */
export interface FileWrite {
  path: string;
  text: string;
  /** Permission bits for the new file; default: those of the file it replaces, else 0644. */
  mode?: number | undefined;
}

/** The result of a write not attempted because an earlier one failed. */
const SKIPPED = Symbol("skipped");

function modeOf(path: string): number {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return 0o644;
  }
}

/**
 * Why `path` must not be replaced, or undefined when it may: a directory, a symbolic link
 * (renaming over it would leave its target, perhaps plaintext, as it was) or a read-only file
 * (its owner asked for it not to change). A missing file may be created.
 */
export function targetProblem(path: string): InputError | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined;
  }
  if (stat.isDirectory()) return new InputError(`cannot write: ${path} is a directory (give a file name)`, { code: "WriteTargetInvalid" });
  if (stat.isSymbolicLink()) {
    return new InputError(`refusing to write: ${path} is a symbolic link (replacing it would leave the file it points to unchanged; give the target file itself, or remove the link)`, { code: "WriteTargetInvalid" });
  }
  if (!stat.isFile()) return new InputError(`cannot write: ${path} is not a regular file (give a file name)`, { code: "WriteTargetInvalid" });
  if ((stat.mode & 0o200) === 0) return new InputError(`refusing to write: ${path} is read-only (make it writable, e.g. chmod u+w, if it should change)`, { code: "WriteTargetInvalid" });
  return undefined;
}

/** Temp files being written; renamed over their targets by `commit`, removed by `abort`. */
export class FileBatch {
  // One random suffix per batch and a counter per file: unique names with one random read.
  readonly #suffix = randomBytes(6).toString("hex");
  readonly #staged: Array<{ path: string; temp: string; written: Promise<unknown> }> = [];
  /** Resolves when the last staged write has finished; a failure stops the writes after it. */
  #tail: Promise<unknown> = Promise.resolve(undefined);

  /**
   * Queues writing `write.text` to a temp file beside `write.path`, after the writes before it.
   * A target that must not be replaced (targetProblem) gets no temp file; commit reports it.
   */
  stage(write: FileWrite): void {
    const { path, text, mode } = write;
    const temp = join(dirname(path), `.${basename(path)}.${this.#suffix}-${this.#staged.length}.tmp`);
    const fileMode = mode ?? modeOf(path);
    const problem = targetProblem(path);
    const written = this.#tail.then(async (previous) => {
      if (previous !== undefined) return SKIPPED;
      if (problem) return problem;
      try {
        await writeFile(temp, text, { mode: fileMode, flag: "wx" });
        return undefined;
      } catch (err) {
        return err;
      }
    });
    this.#tail = written;
    this.#staged.push({ path, temp, written });
  }

  /**
   * Waits for every temp file, then renames each over its target.
   * @throws InputError naming the first file that could not be written (every temp file is
   *   removed and no target has been touched).
   */
  async commit(): Promise<void> {
    const results = await Promise.all(this.#staged.map((s) => s.written));
    const failed = results.findIndex((err) => err !== undefined && err !== SKIPPED);
    if (failed >= 0) {
      const path = this.#staged[failed]?.path;
      await this.abort();
      const err = results[failed] as NodeJS.ErrnoException;
      if (err instanceof InputError) throw err;
      throw new InputError(`cannot write: ${path} (${err.code ?? "I/O error"}; check the directory is writable)`, { cause: err, code: "WriteFailed" });
    }
    // Synchronous: renames are cheap, and a thread-pool hop each would cost more than they do.
    // Targets are checked again just before (one may have changed while sealing).
    const staged = this.#staged.splice(0);
    const late = staged.map((s) => targetProblem(s.path)).find((p) => p !== undefined);
    if (late) {
      for (const { temp } of staged) removeQuietly(temp);
      throw late;
    }
    for (const [i, { temp, path }] of staged.entries()) {
      try {
        renameSync(temp, path);
      } catch (err) {
        for (const rest of staged.slice(i)) removeQuietly(rest.temp);
        throw new InputError(`cannot write: ${path} (${(err as NodeJS.ErrnoException).code ?? "I/O error"}; check the directory is writable)`, { cause: err, code: "WriteFailed" });
      }
    }
  }

  /** Waits for the writes in flight and removes every temp file; never throws. */
  async abort(): Promise<void> {
    const staged = this.#staged.splice(0);
    await Promise.all(staged.map(async ({ temp, written }) => (await written) === undefined && (await unlink(temp).catch(() => undefined))));
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Writes every file, or none of them.
 * @throws InputError naming the file that could not be written (all temp files are removed).
 */
export async function writeFilesAtomically(writes: readonly FileWrite[]): Promise<void> {
  const batch = new FileBatch();
  for (const write of writes) batch.stage(write);
  await batch.commit();
}
