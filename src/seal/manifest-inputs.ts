/**
 * The manifests a command works on: files and directories given on the command line (a
 * directory means every manifest file under it, src/manifest/manifest-files.ts), or stdin when
 * none is given.
 */
import { readFileSync, statSync } from "node:fs";
import { InputError } from "../errors.js";
import { decodeManifest } from "./utf8-input.js";
import { walkManifestFiles } from "../manifest/manifest-files.js";
import { readAll } from "../stream-read.js";

/** One input text and where it came from. */
export interface ManifestInput {
  /** The file path; undefined for stdin. */
  path: string | undefined;
  /** For messages: the path, or "stdin". */
  source: string;
  text: string;
  /** True when the file was found by walking a directory rather than named. */
  fromDirectory: boolean;
  /** Permission bits of the file (undefined for stdin), kept when it is rewritten in place. */
  mode?: number | undefined;
}

/**
 * Reads one file synchronously: thousands of small reads through the thread pool (one promise
 * each) cost more in hand-offs than the reads themselves.
 */
function readFileInput(path: string, fromDirectory: boolean): ManifestInput {
  try {
    const mode = statSync(path).mode & 0o777;
    const bytes = readFileSync(path);
    return { path, source: path, text: decodeManifest(bytes, path), fromDirectory, mode };
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read input: ${path} (${code}; check the path)`, { cause: err, code: "InputUnreadable" });
  }
}

/** Reads all of a stream as bytes (binary-safe, for `--raw` values). */
export async function readStreamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return (await readAll(stream)) ?? Buffer.alloc(0);
}

/**
 * Reads all of a stream as UTF-8.
 * @throws InputError when it is not valid UTF-8.
 */
export async function readStream(stream: NodeJS.ReadableStream, source = "stdin"): Promise<string> {
  return decodeManifest(await readStreamBytes(stream), source);
}

/**
 * Reads the named files and directories, or stdin when `paths` is empty.
 * @throws InputError when a path does not exist or cannot be read.
 */
export async function readManifestInputs(paths: readonly string[], stdin: NodeJS.ReadableStream): Promise<ManifestInput[]> {
  if (paths.length === 0) return [{ path: undefined, source: "stdin", text: await readStream(stdin), fromDirectory: false }];
  const inputs: ManifestInput[] = [];
  for (const path of paths) {
    if (path === "-") {
      inputs.push({ path: undefined, source: "stdin", text: await readStream(stdin), fromDirectory: false });
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (err) {
      throw new InputError(`cannot read input: ${path} (${(err as NodeJS.ErrnoException).code ?? "unreadable"}; check the path)`, { cause: err, code: "InputUnreadable" });
    }
    if (isDirectory) for (const file of await walkManifestFiles(path)) inputs.push(readFileInput(file, true));
    else inputs.push(readFileInput(path, false));
  }
  return inputs;
}
