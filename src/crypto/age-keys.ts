/**
 * age keys: recipients (public, `age1…`) and identities (private, `AGE-SECRET-KEY-1…`), read
 * from the file formats the age CLI uses, validated, and generated.
 *
 * Error messages name the file and line of a bad entry but never print the entry itself: a
 * "recipients file" pointed at the wrong file may hold anything, and an identity is a secret.
 */
import { readFile } from "node:fs/promises";
import { Decrypter, Encrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
import { InputError } from "../errors.js";

/** An age key pair: the secret identity and the recipient that encrypts to it. */
export interface AgeKeyPair {
  /** `AGE-SECRET-KEY-1…`: keep it secret. */
  identity: string;
  /** `age1…`: safe to publish. */
  recipient: string;
}

const IDENTITY_PREFIX = /^AGE-SECRET-KEY-/i;
const RECIPIENT_KINDS = "an age recipient (age1… or age1pq1…)";

/**
 * Validates one age recipient and returns it trimmed.
 * Accepts X25519 (`age1…`), post-quantum hybrid (`age1pq1…`) and tag recipients, as age-encryption
 * supports them. SSH recipients are not supported.
 * @param where names the recipient in errors, e.g. `recipients.txt line 3` or `--recipient #2`.
 * @throws InputError when it is not a valid recipient (the message never contains the input).
 */
export function parseRecipient(value: string, where: string): string {
  const recipient = value.trim();
  if (IDENTITY_PREFIX.test(recipient)) {
    throw new InputError(
      `age identity where a recipient was expected: ${where} (pass the public key age1…, never the AGE-SECRET-KEY; age-keygen -y prints it)`,
      { code: "InvalidRecipient" },
    );
  }
  if (recipient.startsWith("ssh-")) {
    throw new InputError(`unsupported recipient: ${where} is an SSH key (use an age1… recipient)`, {
      code: "InvalidRecipient",
    });
  }
  try {
    if (!recipient.startsWith("age1")) throw new Error("not age1");
    new Encrypter().addRecipient(recipient);
  } catch (err) {
    throw new InputError(`invalid recipient: ${where} is not ${RECIPIENT_KINDS} (check for typos or truncation)`, {
      code: "InvalidRecipient",
      cause: err,
    });
  }
  return recipient;
}

/**
 * Parses the age recipients file format: one recipient per line, `#` comments and blank lines
 * ignored.
 * @throws InputError naming `source` and the line of the first invalid recipient.
 */
export function parseRecipients(text: string, source: string): string[] {
  return entries(text).map(({ value, line }) => parseRecipient(value, `${source} line ${line}`));
}

/**
 * Validates one age identity (`AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…`) and returns it
 * trimmed.
 * @throws InputError when it is not a valid identity (the message never contains the input).
 */
export function parseIdentity(value: string, where: string): string {
  const identity = value.trim();
  try {
    if (!IDENTITY_PREFIX.test(identity)) throw new Error("not an identity");
    new Decrypter().addIdentity(identity);
  } catch (err) {
    throw new InputError(
      `invalid identity: ${where} is not an age identity (expected AGE-SECRET-KEY-1… as age-keygen writes it)`,
      { code: "InvalidIdentity", cause: err },
    );
  }
  return identity;
}

/**
 * Parses an age identity file (the format age-keygen writes): one identity per line, `#`
 * comments and blank lines ignored.
 * @throws InputError naming `source` and the line of the first invalid entry, or when the file
 * holds no identity at all.
 */
export function parseIdentities(text: string, source: string): string[] {
  const identities = entries(text).map(({ value, line }) => parseIdentity(value, `${source} line ${line}`));
  if (identities.length === 0) {
    throw new InputError(`no age identity found: ${source} (generate one with age-keygen -o FILE)`, {
      code: "InvalidIdentity",
    });
  }
  return identities;
}

/**
 * Reads an age recipients file.
 * @throws InputError when the file cannot be read or holds an invalid recipient.
 */
export async function readRecipientsFile(path: string): Promise<string[]> {
  return parseRecipients(await readText(path, "recipients file"), path);
}

/**
 * Reads an age identity file (age-keygen output).
 * @throws InputError when the file cannot be read, holds no identity or an invalid line.
 */
export async function readIdentityFile(path: string): Promise<string[]> {
  return parseIdentities(await readText(path, "identity file"), path);
}

/** Generates a fresh X25519 age identity (X25519 so the age CLI can encrypt to it too). */
export async function generateAgeIdentity(): Promise<AgeKeyPair> {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/**
 * The recipient of an identity (what `age-keygen -y` prints).
 * @throws InputError when `identity` is not a valid age identity.
 */
export async function recipientOfIdentity(identity: string): Promise<string> {
  return identityToRecipient(parseIdentity(identity, "identity"));
}

function entries(text: string): Array<{ value: string; line: number }> {
  const out: Array<{ value: string; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const value = raw.trim();
    if (value !== "" && !value.startsWith("#")) out.push({ value, line: i + 1 });
  });
  return out;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`cannot read ${what}: ${path}: ${code} (check the path and permissions)`, {
      code: "FileUnreadable",
      cause: err,
    });
  }
}
