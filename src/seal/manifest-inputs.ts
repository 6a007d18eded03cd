/**
 * The manifests a command works on: files and directories given on the command line (a
 * directory means every .yaml/.yml/.json file under it, hidden directories and node_modules
 * skipped), or stdin when none is given.
 */
import { readFileSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { decodeManifest } from "./utf8-input.js";

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

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Every manifest file under `dir`, sorted. */
export async function manifestFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await manifestFilesUnder(path)));
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) out.push(path);
  }
  return out;
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
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
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
    if (isDirectory) for (const file of await manifestFilesUnder(path)) inputs.push(readFileInput(file, true));
    else inputs.push(readFileInput(path, false));
  }
  return inputs;
}
