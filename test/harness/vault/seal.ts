/**
 * The Shamir seal: on init a random 32-byte unseal key is split into shares (the audited
 * `shamir-secret-sharing` package: GF(2^8) with the AES polynomial, one random polynomial per byte,
 * the x-coordinate in the **last** byte of each 33-byte share — the same encoding as Vault's
 * `shamir.Split`, vault-api.md §2.2) and a random root key is stored encrypted under it (AES-256-GCM),
 * as Vault's Shamir wrapper does. Unsealing combines the parts and proves them by decrypting that
 * stored root key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { combine, split } from "shamir-secret-sharing";
import { badRequest, VaultApiError } from "./envelope.js";

/** The root key sealed under the unseal key (what Vault keeps in storage). */
export interface EncryptedKey {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** A source of random bytes; tests may inject a fixed one. */
export type RandomBytes = (n: number) => Uint8Array;

/** Vault's seal-configuration checks (§2.1). @throws VaultApiError 400 with Vault's message. */
export function validateSealConfig(shares: number, threshold: number): void {
  const bad = (why: string): VaultApiError => badRequest(`invalid seal configuration: ${why}`);
  if (shares < 1) throw bad("shares must be at least one");
  if (threshold < 1) throw bad("threshold must be at least one");
  if (shares > 1 && threshold === 1) throw bad("threshold must be greater than one for multiple shares");
  if (shares > 255) throw bad("shares must be less than 256");
  if (threshold > shares) throw bad("threshold cannot be larger than shares");
}

/** Encrypts the root key under the unseal key. */
export function sealRootKey(rootKey: Uint8Array, unsealKey: Uint8Array, random: RandomBytes = randomBytes): EncryptedKey {
  const iv = Buffer.from(random(12));
  const cipher = createCipheriv("aes-256-gcm", unsealKey, iv);
  const ciphertext = Buffer.concat([cipher.update(rootKey), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Decrypts the root key with a candidate unseal key.
 * @throws VaultApiError 400 `…invalid key…` when the key is wrong (Vault ≥ 1.13's answer, §2.3).
 */
export function openRootKey(keyring: EncryptedKey, unsealKey: Uint8Array): Uint8Array {
  if (unsealKey.length !== 32) {
    throw badRequest(`invalid key: failed to setup unseal key: crypto/aes: invalid key size ${unsealKey.length}`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", unsealKey, keyring.iv);
    decipher.setAuthTag(keyring.tag);
    return Buffer.concat([decipher.update(keyring.ciphertext), decipher.final()]);
  } catch {
    throw badRequest(
      "unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: cipher: message authentication failed",
    );
  }
}

/** What sys/init produces: the shares handed out and the keyring kept. */
export interface InitResult {
  shares: Uint8Array[];
  keyring: EncryptedKey;
  rootKey: Uint8Array;
}

/**
 * Generates a root key and an unseal key, splits the unseal key into `shares` parts with the
 * given threshold (one share = the raw 32-byte key, as Vault does for N=1) and seals the root key.
 * @throws VaultApiError 400 on an invalid configuration.
 */
export async function initSeal(shares: number, threshold: number, random: RandomBytes = randomBytes): Promise<InitResult> {
  validateSealConfig(shares, threshold);
  const unsealKey = Uint8Array.from(random(32));
  const rootKey = Uint8Array.from(random(32));
  const parts = shares === 1 ? [unsealKey] : await split(unsealKey, shares, threshold);
  return { shares: parts, keyring: sealRootKey(rootKey, unsealKey, random), rootKey };
}

/** A keyring for a known unseal key (dev mode: one share, the raw key). */
export function keyringFor(unsealKey: Uint8Array, random: RandomBytes = randomBytes): EncryptedKey {
  return sealRootKey(Uint8Array.from(random(32)), unsealKey, random);
}

/**
 * Decodes an unseal key as Vault does: hex first, then standard base64 if hex fails or gives a
 * length outside [16, 33] (§2.3).
 * @throws VaultApiError 400 `'key' must be a valid hex or base64 string`, or the length errors.
 */
export function decodeUnsealKey(key: string): Uint8Array {
  let bytes: Uint8Array | null = null;
  if (/^(?:[0-9a-fA-F]{2})+$/.test(key)) bytes = Buffer.from(key, "hex");
  if (bytes === null || bytes.length < 16 || bytes.length > 33) {
    if (/^[A-Za-z0-9+/]*={0,2}$/.test(key) && key.length % 4 === 0 && key.length > 0) {
      bytes = Buffer.from(key, "base64");
    } else if (bytes === null) {
      throw badRequest("'key' must be a valid hex or base64 string");
    }
  }
  if (bytes.length < 16) throw badRequest("invalid key: key is shorter than minimum 16 bytes");
  if (bytes.length > 33) throw badRequest("invalid key: key is longer than maximum 33 bytes");
  return bytes;
}

/**
 * Combines unseal parts into the unseal key (threshold 1: the part itself).
 * @throws VaultApiError 400 `invalid key: failed to compute combined key: …` on mixed lengths or duplicate x.
 */
export async function combineParts(parts: Uint8Array[], threshold: number): Promise<Uint8Array> {
  if (threshold === 1) return parts[0] ?? new Uint8Array();
  const first = parts[0];
  if (first === undefined || parts.some((p) => p.length !== first.length)) {
    throw badRequest("invalid key: failed to compute combined key: all parts must be the same length");
  }
  const xs = new Set(parts.map((p) => p[p.length - 1]));
  if (xs.size !== parts.length) throw badRequest("invalid key: failed to compute combined key: duplicate part detected");
  // The package checks `constructor === Uint8Array`, so Buffers are copied into plain Uint8Arrays.
  return combine(parts.map((p) => Uint8Array.from(p)));
}
