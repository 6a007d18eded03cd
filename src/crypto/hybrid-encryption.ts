/**
 * The sealed-secrets hybrid ciphertext, byte for byte as `pkg/crypto/crypto.go` makes it:
 *
 *     uint16 BE len(rsaPart) || RSA-OAEP(SHA-256, label)(sessionKey) || AES-256-GCM(sessionKey, zero nonce)(plaintext)
 *
 * The session key is 32 fresh bytes per value, so the all-zero GCM nonce is never reused.
 * RSA and AES run in node:crypto (native OpenSSL). OAEP encoding is done here so that the
 * OAEP seed comes from the injected random source (the Go known-answer vectors fix it);
 * decryption uses native OAEP.
 */
import * as cryptoModule from "node:crypto";
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { DecryptError, InputError } from "../errors.js";

/** A source of random bytes: returns exactly `n` bytes. Default: `crypto.randomBytes`. */
export type RandomSource = (n: number) => Buffer;

const SESSION_KEY_BYTES = 32;
const HASH_BYTES = 32; // SHA-256
const GCM_TAG_BYTES = 16;
const ZERO_NONCE = Buffer.alloc(12);

// crypto.hash (Node >= 20.12) is a one-shot digest about 4x faster than createHash; MGF1 over
// an RSA-4096 block takes 16 digests per value, which shows in bulk sealing.
const oneShotHash = (cryptoModule as { hash?: (algorithm: string, data: Uint8Array, encoding: "buffer") => Buffer }).hash;

function sha256(data: Uint8Array): Buffer {
  return oneShotHash ? oneShotHash("sha256", data, "buffer") : createHash("sha256").update(data).digest();
}

/** MGF1 with SHA-256 (RFC 8017 B.2.1). */
function mgf1(seed: Uint8Array, length: number): Buffer {
  const out = Buffer.alloc(length);
  const input = Buffer.alloc(seed.length + 4);
  input.set(seed);
  for (let i = 0, offset = 0; offset < length; i++, offset += HASH_BYTES) {
    input.writeUInt32BE(i, seed.length);
    sha256(input).copy(out, offset, 0, Math.min(HASH_BYTES, length - offset));
  }
  return out;
}

function xorInto(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (mask[i] ?? 0);
}

/** EME-OAEP encoding (RFC 8017 7.1.1 step 2) with SHA-256 and MGF1-SHA-256. */
function oaepEncode(message: Uint8Array, label: Uint8Array, modulusBytes: number, seed: Buffer): Buffer {
  const psLength = modulusBytes - message.length - 2 * HASH_BYTES - 2;
  if (psLength < 0) throw new InputError("RSA-OAEP encoding failed: message too long for the key (use a larger RSA key)");
  const db = Buffer.concat([sha256(label), Buffer.alloc(psLength), Buffer.from([1]), message]);
  xorInto(db, mgf1(seed, db.length));
  const maskedSeed = Buffer.from(seed);
  xorInto(maskedSeed, mgf1(db, HASH_BYTES));
  return Buffer.concat([Buffer.from([0]), maskedSeed, db]);
}

function modulusBytesOf(publicKey: KeyObject): number {
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType !== "rsa" || bits === undefined) {
    throw new InputError("sealing failed: the certificate's key is not an RSA key (use a sealed-secrets certificate)");
  }
  return Math.ceil(bits / 8);
}

function readRandom(random: RandomSource, n: number): Buffer {
  const bytes = random(n);
  if (bytes.length !== n) throw new Error(`random source returned ${bytes.length} bytes, wanted ${n}`);
  return bytes;
}

/**
 * Seals `plaintext` to `publicKey`, bound to `label` (see `scopeLabel`). With `random` given,
 * reads 32 bytes of session key and then 32 bytes of OAEP seed from it, in that order, as the Go
 * code does (the known-answer vectors fix both); without it, the session key comes from
 * `crypto.randomBytes` and OAEP (seed included) is done by OpenSSL.
 * @throws InputError when the key is not RSA or is too small to hold the session key.
 */
export function hybridEncrypt(
  publicKey: KeyObject,
  label: string | Uint8Array,
  plaintext: Uint8Array,
  random?: RandomSource,
): Buffer {
  const labelBytes = typeof label === "string" ? Buffer.from(label, "utf8") : label;
  const modulusBytes = modulusBytesOf(publicKey);
  let sessionKey: Buffer;
  let rsaPart: Buffer;
  if (random === undefined) {
    // No injected randomness: OpenSSL's own OAEP (seed from its CSPRNG) makes the same encoding
    // natively, several times faster than encoding here (MGF1 is 17 digests per value).
    sessionKey = randomBytes(SESSION_KEY_BYTES);
    rsaPart = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: labelBytes }, sessionKey);
  } else {
    sessionKey = readRandom(random, SESSION_KEY_BYTES);
    const seed = readRandom(random, HASH_BYTES);
    const encoded = oaepEncode(sessionKey, labelBytes, modulusBytes, seed);
    rsaPart = publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, encoded);
  }
  const cipher = createCipheriv("aes-256-gcm", sessionKey, ZERO_NONCE);
  const aesPart = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(rsaPart.length);
  return Buffer.concat([prefix, rsaPart, aesPart]);
}

/** The two parts of a hybrid ciphertext. */
interface HybridParts {
  rsaPart: Buffer;
  aesPart: Buffer;
}

/**
 * Splits a ciphertext into its RSA and AES-GCM parts.
 * @throws DecryptError when it is shorter than its length prefix says or has no room for a GCM tag.
 */
function splitCiphertext(ciphertext: Uint8Array): HybridParts {
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  if (data.length < 2) throw new DecryptError("cannot decrypt: ciphertext too short (re-seal the value)", { code: "CiphertextTooShort" });
  const rsaLength = data.readUInt16BE(0);
  if (rsaLength === 0 || data.length < 2 + rsaLength + GCM_TAG_BYTES) {
    throw new DecryptError("cannot decrypt: ciphertext truncated or length prefix invalid (re-seal the value)", {
      code: "CiphertextTooShort",
    });
  }
  return { rsaPart: data.subarray(2, 2 + rsaLength), aesPart: data.subarray(2 + rsaLength) };
}

function openSessionKey(privateKey: KeyObject, label: Uint8Array, rsaPart: Buffer): Buffer | null {
  try {
    const key = privateDecrypt(
      { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: label },
      rsaPart,
    );
    return key.length === SESSION_KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

function openValue(sessionKey: Buffer, aesPart: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv("aes-256-gcm", sessionKey, ZERO_NONCE);
    decipher.setAuthTag(aesPart.subarray(aesPart.length - GCM_TAG_BYTES));
    return Buffer.concat([decipher.update(aesPart.subarray(0, aesPart.length - GCM_TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/**
 * Opens a sealed-secrets ciphertext bound to `label`, trying each private key in turn (as the
 * controller tries every key it holds).
 * @throws DecryptError when the ciphertext is malformed, or no key opens it under this label
 *   (wrong key, wrong scope/namespace/name, or tampered bytes). The message never holds data.
 */
export function hybridDecrypt(privateKeys: readonly KeyObject[], label: string | Uint8Array, ciphertext: Uint8Array): Buffer {
  const labelBytes = typeof label === "string" ? Buffer.from(label, "utf8") : label;
  const { rsaPart, aesPart } = splitCiphertext(ciphertext);
  for (const privateKey of privateKeys) {
    const sessionKey = openSessionKey(privateKey, labelBytes, rsaPart);
    if (!sessionKey) continue;
    const value = openValue(sessionKey, aesPart);
    if (value) return value;
  }
  throw new DecryptError(
    "cannot decrypt: no private key opens this value under its scope (wrong key, moved to another name/namespace, or tampered)",
    { code: "NoKeyCouldDecrypt" },
  );
}
