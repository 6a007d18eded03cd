/**
 * `sealbridge check` as a function: run the plaintext-Secret finder over manifest sources and
 * report what a person must fix. Exit codes: 0 clean, 1 plaintext Secrets found, 2 some file
 * could not be checked (unreadable or invalid YAML/JSON) and no plaintext was found elsewhere.
 */
import { isSealbridgeError } from "../errors.js";
import type { ManifestSource } from "./manifest-files.js";
import { describeFinding, findPlaintextSecrets } from "./plaintext-secrets.js";

export const CHECK_EXIT = { clean: 0, plaintextFound: 1, unreadable: 2 } as const;

/** What a check run found. */
export interface CheckReport {
  /** One line per plaintext Secret (file, document, name, keys, fix). */
  findings: string[];
  /** One line per file that could not be checked. */
  problems: string[];
  filesChecked: number;
  exitCode: (typeof CHECK_EXIT)[keyof typeof CHECK_EXIT];
}

/**
 * Checks every source. Never throws for a bad file: it becomes a `problems` line.
 * @throws only for bugs (errors sealbridge did not raise on purpose).
 */
export async function checkManifests(sources: readonly ManifestSource[]): Promise<CheckReport> {
  const findings: string[] = [];
  const problems: string[] = [];
  for (const source of sources) {
    try {
      const text = await source.read();
      for (const finding of findPlaintextSecrets(text, source.file)) findings.push(describeFinding(source.file, finding));
    } catch (err) {
      if (!isSealbridgeError(err)) throw err;
      problems.push(err.message);
    }
  }
  const exitCode = findings.length > 0 ? CHECK_EXIT.plaintextFound : problems.length > 0 ? CHECK_EXIT.unreadable : CHECK_EXIT.clean;
  return { findings, problems, filesChecked: sources.length, exitCode };
}
