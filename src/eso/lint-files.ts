/**
 * The IO side of `sealbridge check --eso FILE…`: reads the files, lints them, prints findings.
 * Exit status as for `check`: 0 clean, 1 unsupported or invalid fields found, 2 a file could not
 * be read or parsed.
 */
import { readFile } from "node:fs/promises";
import { formatLintFinding, lintEsoManifests } from "./lint.js";

/**
 * Lints `paths` (files; `-` reads stdin) and writes one line per finding to `out`, read/parse
 * problems to `err`.
 * @returns the exit status.
 */
export async function runEsoCheck(paths: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let findings = 0;
  let problems = 0;
  for (const path of paths.length > 0 ? paths : ["-"]) {
    let text: string;
    try {
      text = path === "-" ? await readAll(stdin) : await readFile(path, "utf8");
    } catch (e) {
      problems++;
      err.write(`error: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? "read failed"} (check the path)\n`);
      continue;
    }
    try {
      for (const f of lintEsoManifests(text, path === "-" ? "(stdin)" : path)) {
        findings++;
        out.write(`${formatLintFinding(f)}\n`);
      }
    } catch (e) {
      problems++;
      err.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
  if (findings > 0) err.write(`sealbridge check --eso: ${findings} problem(s) found; sealbridge would report them in the object's status\n`);
  return problems > 0 ? 2 : findings > 0 ? 1 : 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
