// The sealed-secrets test vectors and an independent reference decrypt for the tests.
import { constants, createDecipheriv, createPrivateKey, createPublicKey, privateDecrypt, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const VECTOR_DIR = fileURLToPath(new URL("../fixtures/sealed-secrets/", import.meta.url));
export const VECTOR_CERT = `${VECTOR_DIR}go-generated-key/tls.crt`;
export const VECTOR_KEY = `${VECTOR_DIR}go-generated-key/tls.key`;

export interface RawVector {
  description: string;
  scope: "strict" | "namespace-wide" | "cluster-wide";
  namespace?: string;
  name?: string;
  label: string;
  plaintext_b64: string;
  ciphertext_b64: string;
}
export interface KatVector extends RawVector {
  session_key_hex: string;
  oaep_seed_hex: string;
}

export const rawVectors = (JSON.parse(readFileSync(`${VECTOR_DIR}kubeseal-raw.json`, "utf8")) as { vectors: RawVector[] }).vectors;
export const katVectors = (JSON.parse(readFileSync(`${VECTOR_DIR}hybridencrypt-kat.json`, "utf8")) as { vectors: KatVector[] }).vectors;
export const vectorPrivateKey: KeyObject = createPrivateKey(readFileSync(VECTOR_KEY));
export const vectorPublicKey: KeyObject = createPublicKey(readFileSync(VECTOR_CERT));
export const vectorCertPem = readFileSync(VECTOR_CERT, "utf8");

/**
 * The sealed-secrets HybridDecrypt written out plainly from its Go source, independent of
 * src/crypto: uint16 length, RSA-OAEP-SHA256 with label, AES-256-GCM with a zero nonce.
 */
export function referenceDecrypt(privateKey: KeyObject, label: string, ciphertext: Buffer): Buffer {
  const rsaLength = ciphertext.readUInt16BE(0);
  const sessionKey = privateDecrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) },
    ciphertext.subarray(2, 2 + rsaLength),
  );
  const aes = ciphertext.subarray(2 + rsaLength);
  const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  decipher.setAuthTag(aes.subarray(aes.length - 16));
  return Buffer.concat([decipher.update(aes.subarray(0, aes.length - 16)), decipher.final()]);
}

/** A RandomSource that hands out the given bytes in order. */
export function fixedRandom(bytes: Buffer): (n: number) => Buffer {
  let offset = 0;
  return (n) => {
    const out = Buffer.from(bytes.subarray(offset, offset + n));
    offset += n;
    return out;
  };
}
