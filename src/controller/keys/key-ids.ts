/**
 * Short, public identifiers of the controller's decrypting keys, and the record a Secret keeps of
 * the key set it was last unsealed with (`sealbridge.io/unsealed-keys`). Whether the current keys
 * still open an object is then decided without decrypting: the key that opened it was one of the
 * recorded ones, so while all of them are still loaded it still opens. A renewal only adds keys
 * (no decryption, no write); a removed or replaced key set sends the object back to decryption,
 * which says plainly when no current key opens it.
 */
import { createHash, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";

/** The annotation holding the ids of the keys loaded when the Secret was last unsealed. */
export const UNSEALED_KEYS_ANNOTATION = "sealbridge.io/unsealed-keys";

function shortHash(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16);
}

/** The id of an RSA sealing key: the start of the SHA-256 of its public key (SPKI DER). */
export function sealingKeyId(privateKey: KeyObject): string {
  return shortHash(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
}

/** The id of an age identity: the start of the SHA-256 of its recipient (`age1…`). */
export function ageIdentityId(recipient: string): string {
  return shortHash(recipient);
}

/** The annotation value for a key set (sorted, comma-separated). */
export function formatKeyIds(ids: Iterable<string>): string {
  return [...new Set(ids)].sort().join(",");
}

/**
 * True when every key recorded in `recorded` (an annotation value) is among `current`: the key
 * that opened the object is still loaded. False when nothing is recorded.
 */
export function stillOpens(recorded: string | undefined, current: ReadonlySet<string>): boolean {
  if (recorded === undefined || recorded === "") return false;
  return recorded.split(",").every((id) => current.has(id));
}
