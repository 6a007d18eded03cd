/**
 * The controller's sealing keys as an ordered set: built from the key Secrets found in the
 * controller namespace (ours or an existing sealed-secrets installation's), newest first by
 * certificate NotBefore (sealed-secrets' default `--key-order-priority CertNotBefore`). The
 * newest key seals; every key decrypts. Pure: no Kubernetes IO here.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import type { KubeObject } from "../../kube/types.js";

/** The label sealed-secrets puts on its key Secrets; `active` keys are loaded, others retired. */
export const SEALING_KEY_LABEL = "sealedsecrets.bitnami.com/sealed-secrets-key";
export const SEALING_KEY_ACTIVE = "active";

/** The order that decides which key is "newest" (sealed-secrets' `--key-order-priority`). */
export const KEY_ORDER_PRIORITIES = ["CertNotBefore", "SecretCreationTimestamp"] as const;
export type KeyOrderPriority = (typeof KEY_ORDER_PRIORITIES)[number];

/** One loaded sealing key. */
export interface SealingKey {
  /** Name of the Secret that holds it. */
  secretName: string;
  privateKey: KeyObject;
  /** PKCS#1 PEM as stored in `tls.key`. */
  privateKeyPem: string;
  /** PEM as stored in `tls.crt`. */
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
  /** The Secret's creationTimestamp, when it has one. */
  createdAt: Date | undefined;
  /** sha256 (hex) of the public key's SPKI DER: identifies the key across Secrets. */
  fingerprint: string;
}

/** A key Secret that could not be used, and why (never containing key material). */
export interface RejectedKeySecret {
  secretName: string;
  reason: string;
}

/** The ordered set of sealing keys: `keys[0]` is the newest. */
export interface KeyRegistry {
  keys: SealingKey[];
  rejected: RejectedKeySecret[];
}

function decodeField(secret: KubeObject, field: string): string | undefined {
  const data = secret["data"];
  if (data === null || typeof data !== "object") return undefined;
  const value = (data as Record<string, unknown>)[field];
  if (typeof value !== "string" || value === "") return undefined;
  return Buffer.from(value, "base64").toString("utf8");
}

/**
 * Reads one key Secret (`data.tls.key`, `data.tls.crt`, base64 as the API returns them).
 * @returns the key, or a rejection saying what is wrong with the Secret (never throws).
 */
function sealingKeyFromSecret(secret: KubeObject): SealingKey | RejectedKeySecret {
  const secretName = secret.metadata.name ?? "(unnamed)";
  const privateKeyPem = decodeField(secret, "tls.key");
  const certificatePem = decodeField(secret, "tls.crt");
  if (privateKeyPem === undefined || certificatePem === undefined) {
    return { secretName, reason: "missing data tls.key or tls.crt" };
  }
  let privateKey: KeyObject;
  let cert: X509Certificate;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch {
    return { secretName, reason: "tls.key is not a PEM private key" };
  }
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    return { secretName, reason: "tls.crt is not a PEM certificate" };
  }
  if (privateKey.asymmetricKeyType !== "rsa") return { secretName, reason: "tls.key is not an RSA key" };
  const spki = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const certSpki = cert.publicKey.export({ type: "spki", format: "der" });
  if (!spki.equals(certSpki)) return { secretName, reason: "tls.crt does not match tls.key" };
  const created = secret.metadata.creationTimestamp;
  return {
    secretName,
    privateKey,
    privateKeyPem,
    certificatePem,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    createdAt: created ? new Date(created) : undefined,
    fingerprint: createHash("sha256").update(spki).digest("hex"),
  };
}

function orderTime(key: SealingKey, priority: KeyOrderPriority): number {
  if (priority === "SecretCreationTimestamp") return key.createdAt?.getTime() ?? key.notBefore.getTime();
  return key.notBefore.getTime();
}

/**
 * Builds the registry from key Secrets: Secrets labelled anything but `active` are retired and
 * skipped; the same key held by two Secrets is kept once; unusable Secrets are listed in
 * `rejected`. Ties are broken by Secret name so the order is stable.
 */
export function buildKeyRegistry(secrets: KubeObject[], priority: KeyOrderPriority = "CertNotBefore"): KeyRegistry {
  const keys: SealingKey[] = [];
  const rejected: RejectedKeySecret[] = [];
  const seen = new Set<string>();
  for (const secret of secrets) {
    const label = secret.metadata.labels?.[SEALING_KEY_LABEL];
    // The legacy pre-0.9 Secret `sealed-secrets-key` carries no label; everything else must be active.
    if (label !== SEALING_KEY_ACTIVE && !(label === undefined && secret.metadata.name === "sealed-secrets-key")) continue;
    const loaded = sealingKeyFromSecret(secret);
    if (!("privateKey" in loaded)) {
      rejected.push(loaded);
      continue;
    }
    if (seen.has(loaded.fingerprint)) continue;
    seen.add(loaded.fingerprint);
    keys.push(loaded);
  }
  keys.sort((a, b) => orderTime(b, priority) - orderTime(a, priority) || a.secretName.localeCompare(b.secretName));
  return { keys, rejected };
}

/** The key that seals: the newest, or undefined when there is none. */
export function newestKey(registry: KeyRegistry): SealingKey | undefined {
  return registry.keys[0];
}

/**
 * When the next key is due: the newest key's NotBefore plus the renew period.
 * @returns null when renewal is disabled (period 0) or there is no key (one is due now).
 */
export function nextRenewalAt(registry: KeyRegistry, renewPeriodMs: number, priority: KeyOrderPriority = "CertNotBefore"): Date | null {
  const newest = newestKey(registry);
  if (renewPeriodMs <= 0 || newest === undefined) return null;
  return new Date(orderTime(newest, priority) + renewPeriodMs);
}

/** True when a new key must be made now: there is none, or the newest is a renew period old. */
export function isRenewalDue(registry: KeyRegistry, renewPeriodMs: number, now: Date, priority: KeyOrderPriority = "CertNotBefore"): boolean {
  if (registry.keys.length === 0) return true;
  const at = nextRenewalAt(registry, renewPeriodMs, priority);
  return at !== null && at.getTime() <= now.getTime();
}
