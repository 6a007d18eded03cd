/**
 * Unseal shares as files: each share is the hex form of a Vault key share (as `vault operator
 * init -pgp-keys` encrypts it), age-encrypted to its holder, ASCII-armored so the `age` CLI reads
 * it. Reading validates the decrypted text as an unseal key without ever printing it.
 */
import { readFile } from "node:fs/promises";
import { decryptAgeFile, encryptArmoredAgeFile } from "../crypto/age-file.js";
import { InputError } from "../errors.js";

/** Shamir shares are 33 bytes (x last); a single-share Vault hands out the raw 32-byte key (vault-api.md §2.2). */
const SHARE_LENGTHS = new Set([32, 33]);

/**
 * Checks that `text` (trimmed) is an unseal key in hex or standard base64 of 32 or 33 bytes.
 * @returns the trimmed key, as Vault accepts it.
 * @throws InputError naming `where` (never the text).
 */
export function parseShareText(text: string, where: string): string {
  const key = text.trim();
  let bytes: Buffer | null = null;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(key)) bytes = Buffer.from(key, "hex");
  if ((bytes === null || !SHARE_LENGTHS.has(bytes.length)) && /^[A-Za-z0-9+/]+={0,2}$/.test(key) && key.length % 4 === 0) {
    bytes = Buffer.from(key, "base64");
  }
  if (bytes === null || !SHARE_LENGTHS.has(bytes.length)) {
    throw new InputError(`not a Vault unseal share: ${where} decrypts to something else (use a share file written by sealbridge vault init)`, {
      code: "NotAShare",
    });
  }
  return key;
}

/**
 * Encrypts one share (given as hex) to one recipient.
 * @returns the armored age file text.
 * @throws InputError when the recipient is invalid.
 */
export async function encryptShare(hexShare: string, recipient: string): Promise<string> {
  return encryptArmoredAgeFile(new TextEncoder().encode(`${hexShare}\n`), [recipient]);
}

/**
 * Reads and decrypts a share file with the holder's identities and validates what it holds.
 * @returns the unseal key text to submit.
 * @throws InputError when the file cannot be read or does not hold a share; DecryptError when
 * no identity matches or the file is corrupt.
 */
export async function readShareFile(path: string, identities: readonly string[]): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read share file: ${path}: ${code} (pass the share-N.age file you hold)`, { code: "FileUnreadable", cause: err });
  }
  const plain = await decryptAgeFile(text, identities, `share file ${path}`);
  return parseShareText(new TextDecoder("utf-8", { fatal: false }).decode(plain), `share file ${path}`);
}
