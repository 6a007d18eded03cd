/**
 * `vault init` with age instead of PGP: initialises a Shamir-sealed Vault and writes share i,
 * age-encrypted to recipient i, to `DIR/share-i.age`, and the root token to `DIR/root-token.age`
 * (like `vault operator init -pgp-keys … -root-token-pgp-key …`). Nothing secret leaves this
 * module in clear. Everything that can be checked is checked before Vault is touched, because
 * after sys/init the shares exist only in memory here.
 */
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encryptArmoredAgeFile } from "../crypto/age-file.js";
import { parseRecipient } from "../crypto/age-keys.js";
import { InputError } from "../errors.js";
import { SEAL_FAILURES, VaultNodeError, describeFailure } from "./seal-errors.js";
import type { VaultSysApi } from "./sys-api.js";
import { encryptShare } from "./unseal-share.js";

/** What to initialise with. */
export interface InitRequest {
  shares: number;
  threshold: number;
  /** One per share, in share order. */
  recipients: readonly string[];
  /** Who can open root-token.age (default: every share recipient). */
  rootRecipients?: readonly string[];
  outDir: string;
}

/** What was written. */
export interface InitResult {
  shareFiles: string[];
  rootTokenFile: string;
  shares: number;
  threshold: number;
}

/** The file name of share `i` (1-based). */
export function shareFileName(i: number): string {
  return `share-${i}.age`;
}

const ROOT_TOKEN_FILE = "root-token.age";

/**
 * Checks the share configuration the way Vault does (vault-api.md §2.1) plus recipients = shares.
 * @throws InputError with the limit that was broken.
 */
export function validateInitRequest(req: Pick<InitRequest, "shares" | "threshold" | "recipients">): void {
  const { shares, threshold } = req;
  if (!Number.isInteger(shares) || shares < 1 || shares > 255) throw new InputError(`invalid --shares ${shares}: vault init (pass a whole number from 1 to 255)`);
  if (!Number.isInteger(threshold) || threshold < 1) throw new InputError(`invalid --threshold ${threshold}: vault init (pass a whole number of at least 1)`);
  if (threshold > shares) throw new InputError(`--threshold ${threshold} is larger than --shares ${shares}: vault init (the threshold is how many of the shares open Vault)`);
  if (shares > 1 && threshold === 1) {
    throw new InputError(`--threshold 1 with --shares ${shares}: vault init (Vault requires a threshold above 1 when there are several shares)`);
  }
  if (req.recipients.length !== shares) {
    throw new InputError(
      `${req.recipients.length} recipient(s) for ${shares} share(s): vault init (pass one --recipient per share, in share order, or a --recipients-file with ${shares} lines)`,
    );
  }
}

async function checkOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot create --out directory: ${dir}: ${(err as NodeJS.ErrnoException).code ?? "error"} (pass a writable directory)`, { cause: err });
  }
  const existing = (await readdir(dir)).filter((f) => /^share-\d+\.age$/.test(f) || f === ROOT_TOKEN_FILE);
  if (existing.length > 0) {
    throw new InputError(`refusing to overwrite: ${dir} already holds ${existing.sort().join(", ")} (pass an empty --out directory; shares are never overwritten)`);
  }
  const probe = join(dir, `.sealbridge-write-test-${process.pid}`);
  try {
    await writeFile(probe, "", { flag: "wx" });
    await rm(probe);
  } catch (err) {
    throw new InputError(`cannot write to --out directory: ${dir}: ${(err as NodeJS.ErrnoException).code ?? "error"} (pass a writable directory)`, { cause: err });
  }
}

/**
 * Initialises Vault at `api` and writes the encrypted shares and root token.
 * @throws InputError for a bad request or output directory (before Vault is touched);
 * VaultNodeError AlreadyInitialized / Unreachable / Refused; InputError when Vault's answer
 * does not match the request or the files cannot be written after init.
 */
export async function initVault(api: Pick<VaultSysApi, "label" | "initialized" | "init">, req: InitRequest): Promise<InitResult> {
  validateInitRequest(req);
  const recipients = req.recipients.map((r, i) => parseRecipient(r, `recipient #${i + 1}`));
  const rootRecipients = (req.rootRecipients?.length ? req.rootRecipients : recipients).map((r, i) => parseRecipient(r, `root recipient #${i + 1}`));
  await checkOutDir(req.outDir);
  if (await api.initialized()) {
    throw new VaultNodeError(SEAL_FAILURES.alreadyInitialized, api.label, describeFailure(SEAL_FAILURES.alreadyInitialized, api.label, ""));
  }
  const answer = await api.init(req.shares, req.threshold);
  if (answer.keys.length !== req.shares) {
    throw new VaultNodeError(SEAL_FAILURES.badResponse, api.label, describeFailure(SEAL_FAILURES.badResponse, api.label, `sys/init returned ${answer.keys.length} shares, not ${req.shares}`));
  }
  const files = await Promise.all(answer.keys.map((hex, i) => encryptShare(hex, recipients[i] ?? "")));
  const rootFile = await encryptArmoredAgeFile(new TextEncoder().encode(`${answer.root_token}\n`), rootRecipients);
  const shareFiles = files.map((_, i) => join(req.outDir, shareFileName(i + 1)));
  const rootTokenFile = join(req.outDir, ROOT_TOKEN_FILE);
  try {
    for (const [i, text] of files.entries()) await writeFile(shareFiles[i] ?? "", text, { flag: "wx", mode: 0o600 });
    await writeFile(rootTokenFile, rootFile, { flag: "wx", mode: 0o600 });
  } catch (err) {
    throw new InputError(
      `Vault ${api.label} was initialised but writing the shares to ${req.outDir} failed: ${(err as NodeJS.ErrnoException).code ?? "error"} (the shares cannot be recovered: reset the Vault's storage and run vault init again)`,
      { cause: err },
    );
  }
  return { shareFiles, rootTokenFile, shares: req.shares, threshold: req.threshold };
}
