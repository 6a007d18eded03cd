/**
 * Key custody: an age-encrypted backup of every private key the controller holds, as a
 * ConfigMap that is safe to commit to git.
 *
 * Format (`sealbridge-key-backup/v1`), ConfigMap `data`:
 * - `sealing-keys.yaml.age`: ASCII-armored age file; decrypted, a YAML `v1 List` of the sealing
 *   key Secrets (`type: kubernetes.io/tls`, `tls.key`/`tls.crt`, label
 *   `sealedsecrets.bitnami.com/sealed-secrets-key`), stripped of server-set metadata. That is
 *   the file `kubeseal --recovery-unseal --recovery-private-key` accepts, and what
 *   `kubectl apply -f` restores.
 * - `age-identities.yaml.age`: the same for the age identity Secrets (kept apart because kubeseal
 *   rejects a List holding a Secret without `tls.key`).
 * - `manifest.json`: no secrets; the format, the backup recipients, each sealing key's Secret
 *   name, SHA-256 public key fingerprint and NotBefore, and each age recipient. The controller
 *   rewrites the ConfigMap only when this manifest changes (age output is randomised).
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { decryptAgeFile, encryptArmoredAgeFile } from "../../crypto/age-file.js";
import { InputError } from "../../errors.js";
import type { KubeObject } from "../../kube/types.js";
import type { AgeIdentitySet } from "./age-identity.js";
import type { KeyRegistry } from "./key-registry.js";

export const KEY_BACKUP_FORMAT = "sealbridge-key-backup/v1";
export const SEALING_KEYS_ENTRY = "sealing-keys.yaml.age";
export const AGE_IDENTITIES_ENTRY = "age-identities.yaml.age";
export const MANIFEST_ENTRY = "manifest.json";
export const KEY_BACKUP_LABEL = "sealbridge.io/key-backup";


/** The non-secret description of a backup. */
export interface KeyBackupManifest {
  format: typeof KEY_BACKUP_FORMAT;
  recipients: string[];
  sealingKeys: Array<{ secretName: string; fingerprint: string; notBefore: string }>;
  ageRecipients: string[];
}

/** What a backup holds once decrypted. */
export interface DecryptedKeyBackup {
  sealingKeySecrets: KubeObject[];
  ageIdentitySecrets: KubeObject[];
}

/** The manifest of a backup of these keys to these recipients. */
export function keyBackupManifest(registry: KeyRegistry, ages: AgeIdentitySet, recipients: readonly string[]): KeyBackupManifest {
  return {
    format: KEY_BACKUP_FORMAT,
    recipients: [...recipients].sort(),
    sealingKeys: registry.keys.map((k) => ({ secretName: k.secretName, fingerprint: k.fingerprint, notBefore: k.notBefore.toISOString() })),
    ageRecipients: ages.identities.map((i) => i.recipient),
  };
}

/** A Secret as it should be restored: name, namespace, labels, annotations, type and data only. */
export function portableSecret(secret: KubeObject, namespace?: string): KubeObject {
  const meta = secret.metadata;
  const annotations = { ...(meta.annotations ?? {}) };
  delete annotations["kubectl.kubernetes.io/last-applied-configuration"];
  const out: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      ...(meta.name !== undefined ? { name: meta.name } : {}),
      ...(namespace ?? meta.namespace ? { namespace: namespace ?? meta.namespace } : {}),
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    type: typeof secret["type"] === "string" ? secret["type"] : "Opaque",
    data: { ...((secret["data"] as Record<string, string> | undefined) ?? {}) },
  };
  return out;
}

function listYaml(items: KubeObject[]): string {
  return stringifyYaml({ apiVersion: "v1", kind: "List", items: items.map((s) => portableSecret(s)) });
}

/**
 * Builds the backup ConfigMap, encrypting both Secret lists to every recipient.
 * @throws InputError when `recipients` is empty or invalid.
 */
export async function buildKeyBackupConfigMap(opts: {
  name: string;
  namespace: string;
  sealingKeySecrets: KubeObject[];
  ageIdentitySecrets: KubeObject[];
  manifest: KeyBackupManifest;
}): Promise<KubeObject> {
  const { recipients } = opts.manifest;
  const enc = (text: string) => encryptArmoredAgeFile(Buffer.from(text, "utf8"), recipients);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: opts.name, namespace: opts.namespace, labels: { [KEY_BACKUP_LABEL]: "true" } },
    data: {
      [SEALING_KEYS_ENTRY]: await enc(listYaml(opts.sealingKeySecrets)),
      [AGE_IDENTITIES_ENTRY]: await enc(listYaml(opts.ageIdentitySecrets)),
      [MANIFEST_ENTRY]: `${JSON.stringify(opts.manifest, null, 2)}\n`,
    },
  };
}

/** The manifest recorded in a backup ConfigMap, or null when it has none or it is unreadable. */
export function manifestOf(configMap: KubeObject | null): KeyBackupManifest | null {
  const text = (configMap?.["data"] as Record<string, string> | undefined)?.[MANIFEST_ENTRY];
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as KeyBackupManifest;
    return parsed.format === KEY_BACKUP_FORMAT ? parsed : null;
  } catch {
    return null;
  }
}

/** True when two manifests describe the same keys to the same recipients. */
export function sameManifest(a: KeyBackupManifest | null, b: KeyBackupManifest | null): boolean {
  return a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

function secretsOfList(text: string, where: string): KubeObject[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new InputError(`reading the key backup failed: ${where} is not YAML (was the backup made by sealbridge?)`, { cause: err });
  }
  const items = (doc as { kind?: unknown; items?: unknown } | null)?.items;
  if ((doc as { kind?: unknown } | null)?.kind !== "List" || !Array.isArray(items)) {
    throw new InputError(`reading the key backup failed: ${where} is not a v1 List (was the backup made by sealbridge?)`);
  }
  return items.filter((i): i is KubeObject => typeof i === "object" && i !== null && (i as KubeObject).kind === "Secret" && typeof (i as KubeObject).metadata === "object");
}

/**
 * Opens a backup ConfigMap (as a parsed object) with the holder's age identities.
 * @throws InputError when the ConfigMap is not a sealbridge key backup.
 * @throws DecryptError when no identity opens it or it was tampered with.
 */
export async function decryptKeyBackup(configMap: unknown, identities: string[], source: string): Promise<DecryptedKeyBackup> {
  const data = (configMap as { data?: Record<string, unknown> } | null)?.data;
  const sealed = data?.[SEALING_KEYS_ENTRY];
  if (typeof sealed !== "string") {
    throw new InputError(`reading the key backup failed: ${source} has no data.${SEALING_KEYS_ENTRY} (pass the ConfigMap written by sealbridge keys backup or the controller)`);
  }
  const text = Buffer.from(await decryptAgeFile(sealed, identities, `${source} ${SEALING_KEYS_ENTRY}`)).toString("utf8");
  const sealingKeySecrets = secretsOfList(text, `${source} ${SEALING_KEYS_ENTRY}`);
  const ages = data?.[AGE_IDENTITIES_ENTRY];
  let ageIdentitySecrets: KubeObject[] = [];
  if (typeof ages === "string") {
    const ageText = Buffer.from(await decryptAgeFile(ages, identities, `${source} ${AGE_IDENTITIES_ENTRY}`)).toString("utf8");
    ageIdentitySecrets = secretsOfList(ageText, `${source} ${AGE_IDENTITIES_ENTRY}`);
  }
  return { sealingKeySecrets, ageIdentitySecrets };
}
