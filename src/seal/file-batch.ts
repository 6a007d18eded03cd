/**
 * All-or-nothing file writes: every new content goes to a temp file beside its target first,
 * and only when all of them are written are they renamed over their targets (rename is atomic
 * within a directory), so a failure never leaves a half-written or half-sealed tree.
 */
import { randomBytes } from "node:crypto";
import { rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

const WRITE_BATCH = 64;

/** One file to (re)write. */
export interface FileWrite {
  path: string;
  text: string;
}

async function modeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return 0o644;
  }
}

/**
 * Writes every file, or none of them.
 * @throws InputError naming the file that could not be written (all temp files are removed).
 */
export async function writeFilesAtomically(writes: readonly FileWrite[]): Promise<void> {
  const temps: Array<string | undefined> = new Array<string | undefined>(writes.length);
  let failure: { path: string; err: unknown } | undefined;
  // Stage in parallel batches (a bulk run writes thousands of files), then rename.
  for (let i = 0; i < writes.length && !failure; i += WRITE_BATCH) {
    await Promise.all(
      writes.slice(i, i + WRITE_BATCH).map(async ({ path, text }, j) => {
        const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
        try {
          await writeFile(temp, text, { mode: await modeOf(path), flag: "wx" });
          temps[i + j] = temp;
        } catch (err) {
          failure ??= { path, err };
        }
      }),
    );
  }
  if (failure) {
    await Promise.all(temps.map((temp) => (temp ? unlink(temp).catch(() => undefined) : undefined)));
    const code = (failure.err as NodeJS.ErrnoException).code ?? "I/O error";
    throw new InputError(`cannot write: ${failure.path} (${code}; check the directory is writable)`, { cause: failure.err, code: "WriteFailed" });
  }
  for (let i = 0; i < writes.length; i += WRITE_BATCH) {
    await Promise.all(writes.slice(i, i + WRITE_BATCH).map(({ path }, j) => rename(temps[i + j] as string, path)));
  }
}
