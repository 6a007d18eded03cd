/**
 * age files: the one adapter over age-encryption's Encrypter/Decrypter and armor, turning its
 * plain `Error`s into sealbridge errors that never carry file contents.
 */
import { Decrypter, Encrypter, armor } from "age-encryption";
import { DecryptError, InputError } from "../errors.js";
import { parseIdentity, parseRecipient } from "./age-keys.js";

/** Why an age file did not open, as a stable code on the DecryptError. */
export const AGE_FAILURES = {
  noIdentityMatched: "AgeNoIdentityMatched",
  invalidArmor: "AgeInvalidArmor",
  invalidFile: "AgeInvalidFile",
} as const;

const NO_MATCH_MESSAGE = "no identity matched any of the file's recipients";

/**
 * Encrypts `plaintext` to every recipient and returns the ASCII-armored age file
 * (`-----BEGIN AGE ENCRYPTED FILE-----`, with a final newline).
 * @throws InputError when `recipients` is empty or holds an invalid recipient.
 */
export async function encryptArmoredAgeFile(plaintext: Uint8Array, recipients: readonly string[]): Promise<string> {
  if (recipients.length === 0) {
    throw new InputError("no age recipient: nothing to encrypt to (pass --recipient age1… or --recipients-file FILE)", {
      code: "NoRecipient",
    });
  }
  const encrypter = new Encrypter();
  recipients.forEach((r, i) => encrypter.addRecipient(parseRecipient(r, `recipient #${i + 1}`)));
  return armor.encode(await encrypter.encrypt(plaintext));
}

/**
 * Decrypts an age file, ASCII-armored (a string) or binary (bytes), with any of `identities`.
 * @param where names the file in error messages (e.g. `data key "password" of prod/db`).
 * @throws InputError when `identities` is empty or holds an invalid identity.
 * @throws DecryptError when the armor or the age file is malformed, tampered or truncated
 * (code AgeInvalidArmor / AgeInvalidFile), or when no identity matches (AgeNoIdentityMatched).
 */
export async function decryptAgeFile(
  file: string | Uint8Array,
  identities: readonly string[],
  where: string,
): Promise<Uint8Array> {
  const decrypter = identityDecrypter(identities);
  let bytes: Uint8Array;
  if (typeof file === "string") {
    try {
      bytes = armor.decode(file);
    } catch (err) {
      throw new DecryptError(
        `cannot decrypt ${where}: not an ASCII-armored age file (expected -----BEGIN AGE ENCRYPTED FILE-----; was it truncated or re-wrapped?)`,
        { code: AGE_FAILURES.invalidArmor, cause: err },
      );
    }
  } else {
    bytes = file;
  }
  try {
    return await decrypter.decrypt(bytes);
  } catch (err) {
    if (err instanceof Error && err.message === NO_MATCH_MESSAGE) {
      throw new DecryptError(
        `cannot decrypt ${where}: no identity matched any of the file's recipients (use the identity of a recipient it was sealed to)`,
        { code: AGE_FAILURES.noIdentityMatched, cause: err },
      );
    }
    throw new DecryptError(`cannot decrypt ${where}: the age file is malformed, tampered or truncated (re-seal it)`, {
      code: AGE_FAILURES.invalidFile,
      cause: err,
    });
  }
}

function identityDecrypter(identities: readonly string[]): Decrypter {
  if (identities.length === 0) {
    throw new InputError("no age identity: nothing to decrypt with (pass -i IDENTITY_FILE)", { code: "NoIdentity" });
  }
  const decrypter = new Decrypter();
  identities.forEach((id, i) => decrypter.addIdentity(parseIdentity(id, `identity #${i + 1}`)));
  return decrypter;
}
