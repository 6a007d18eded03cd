/**
 * `sealbridge reseal DIR…`: re-encrypts every SealedSecret found in the .yaml/.yml/.json files
 * under the given directories to the newest key, in one run, with a progress line on stderr.
 * Other documents are kept byte for byte; files are written all together at the end, or not at
 * all when any document fails.
 */
import { InputError } from "../errors.js";
import { kindOf, parseSealedSecretDocument, parseManifestText } from "./document-parsing.js";
import { writeFilesAtomically, type FileWrite } from "./file-batch.js";
import { readManifestInputs } from "./manifest-inputs.js";
import { manifestFormat } from "../manifest/format.js";
import { rewriteManifestText } from "./manifest-output.js";
import { ReencryptorSet } from "./sealed-secret-commands.js";
import { parseSealFlags, SealRun, type CommandIO } from "./seal-command.js";

/** What a reseal run did. */
export interface ResealSummary {
  filesScanned: number;
  filesChanged: number;
  reencrypted: number;
  alreadyCurrent: number;
}

/** Writes a progress line: rewritten in place on a terminal, else only the final one. */
function progress(io: CommandIO, line: string, final: boolean): void {
  if (io.stderr.isTTY) io.stderr.write(`\r${line}${final ? "\n" : ""}`);
  else if (final) io.stderr.write(`${line}\n`);
}

/**
 * Runs `reseal` over `dirs` (files are accepted too).
 * @throws InputError when nothing is found or a document is malformed; DecryptError /
 *   RemoteError when a value cannot be re-encrypted. Nothing is written when it throws.
 */
export async function runReseal(dirs: readonly string[], rawFlags: unknown, io: CommandIO): Promise<ResealSummary> {
  const flags = parseSealFlags({ ...(rawFlags as object), secretFile: [] });
  if (dirs.length === 0) throw new InputError("reseal: no directory given (pass the directory holding your SealedSecrets)", { code: "InvalidFlags" });
  const run = new SealRun(flags, io);
  const inputs = (await readManifestInputs(dirs, io.stdin)).filter((input) => input.path !== undefined);
  const reencryptors = new ReencryptorSet(run);
  const summary: ResealSummary = { filesScanned: 0, filesChanged: 0, reencrypted: 0, alreadyCurrent: 0 };
  const writes: FileWrite[] = [];
  for (const input of inputs) {
    summary.filesScanned++;
    let docs;
    try {
      docs = parseManifestText(input.text, input.source);
    } catch (err) {
      if (input.fromDirectory && err instanceof InputError) continue; // a Helm template, not a manifest
      throw err;
    }
    const results = new Map<number, unknown>();
    for (const doc of docs) {
      if (kindOf(doc.value) !== "SealedSecret") continue;
      const where = `${input.source}, document ${doc.index}`;
      const reencrypt = await reencryptors.forFile(input.path);
      const fresh = await reencrypt(await parseSealedSecretDocument(doc.value, where), where);
      if (fresh) {
        results.set(doc.index, fresh);
        summary.reencrypted++;
      } else summary.alreadyCurrent++;
    }
    if (results.size > 0) {
      const path = input.path as string;
      const format = manifestFormat(path, input.text);
      writes.push({ path, text: rewriteManifestText(input.text, input.source, format, (_v, i) => results.get(i)).text });
      summary.filesChanged++;
    }
    progress(io, `reseal: ${summary.filesScanned}/${inputs.length} files scanned, ${summary.reencrypted} SealedSecret(s) re-encrypted`, false);
  }
  await writeFilesAtomically(writes);
  progress(
    io,
    `reseal: ${summary.filesScanned} files scanned, ${summary.reencrypted} SealedSecret(s) re-encrypted in ${summary.filesChanged} file(s), ${summary.alreadyCurrent} already on the newest key`,
    true,
  );
  return summary;
}
