/**
 * The key backup's IO: collect the key Secrets of a namespace, write the backup ConfigMap when
 * the keys changed, and restore a backup into a (new) cluster. Used by the controller after
 * every key change and by `sealbridge keys backup|restore`.
 */
import { RemoteError } from "../../errors.js";
import { isConflict } from "../../kube/errors.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import { AGE_IDENTITY_LABEL, buildAgeIdentitySet } from "./age-identity.js";
import { buildKeyBackupConfigMap, keyBackupManifest, manifestOf, portableSecret, sameManifest } from "./key-backup.js";
import { CONFIGMAPS } from "../../kube/resources.js";
import type { DecryptedKeyBackup } from "./key-backup.js";
import { SEALING_KEY_LABEL, buildKeyRegistry } from "./key-registry.js";
import { SECRETS } from "../../kube/resources.js";

/** Every key Secret of a namespace, as a backup takes them. */
export interface CollectedKeys {
  sealingKeySecrets: KubeObject[];
  ageIdentitySecrets: KubeObject[];
}

/**
 * Lists the sealing key and age identity Secrets of `namespace` (only usable, active ones).
 * @throws RemoteError when Secrets cannot be listed.
 */
export async function collectKeySecrets(kube: KubeClient, namespace: string): Promise<CollectedKeys> {
  try {
    const keys = (await kube.list(SECRETS, namespace, { labelSelector: SEALING_KEY_LABEL })).items;
    const ages = (await kube.list(SECRETS, namespace, { labelSelector: AGE_IDENTITY_LABEL })).items;
    const registry = buildKeyRegistry(keys);
    const usableKeys = new Set(registry.keys.map((k) => k.secretName));
    const ageSet = await buildAgeIdentitySet(ages);
    const usableAges = new Set(ageSet.identities.map((i) => i.secretName));
    return {
      sealingKeySecrets: keys.filter((s) => usableKeys.has(s.metadata.name ?? "")),
      ageIdentitySecrets: ages.filter((s) => usableAges.has(s.metadata.name ?? "")),
    };
  } catch (err) {
    if (err instanceof RemoteError) throw err;
    throw new RemoteError(`listing key Secrets failed: namespace ${namespace} (check access to Secrets there)`, { cause: err });
  }
}

/**
 * Builds the backup ConfigMap of `namespace`'s keys (nothing is written).
 * @throws RemoteError when Secrets cannot be listed; InputError on bad recipients.
 */
export async function exportKeyBackup(kube: KubeClient, namespace: string, name: string, recipients: string[]): Promise<KubeObject> {
  const collected = await collectKeySecrets(kube, namespace);
  const manifest = keyBackupManifest(buildKeyRegistry(collected.sealingKeySecrets), await buildAgeIdentitySet(collected.ageIdentitySecrets), recipients);
  return buildKeyBackupConfigMap({ name, namespace, ...collected, manifest });
}

/**
 * Writes the backup ConfigMap when the keys or recipients differ from the one stored.
 * @returns true when it wrote.
 * @throws RemoteError when Kubernetes fails; InputError on bad recipients.
 */
export async function writeKeyBackup(kube: KubeClient, namespace: string, name: string, recipients: string[]): Promise<boolean> {
  const collected = await collectKeySecrets(kube, namespace);
  const manifest = keyBackupManifest(buildKeyRegistry(collected.sealingKeySecrets), await buildAgeIdentitySet(collected.ageIdentitySecrets), recipients);
  let existing: KubeObject | null;
  try {
    existing = await kube.get(CONFIGMAPS, namespace, name);
  } catch (err) {
    throw new RemoteError(`reading the key backup ConfigMap failed: ${namespace}/${name} (check access to ConfigMaps there)`, { cause: err });
  }
  if (sameManifest(manifestOf(existing), manifest)) return false;
  const configMap = await buildKeyBackupConfigMap({ name, namespace, ...collected, manifest });
  try {
    if (existing) {
      configMap.metadata.resourceVersion = existing.metadata.resourceVersion;
      await kube.replace(CONFIGMAPS, configMap);
    } else {
      await kube.create(CONFIGMAPS, configMap);
    }
  } catch (err) {
    throw new RemoteError(`writing the key backup ConfigMap failed: ${namespace}/${name} (check the controller can write ConfigMaps there)`, { cause: err });
  }
  return true;
}

/** What a restore did, by Secret name. */
export interface RestoreResult {
  created: string[];
  /** Already present (same name): left as they are. */
  skipped: string[];
}

/**
 * Creates the backup's Secrets in `namespace` under their original names; existing ones are
 * left alone. Secrets without a name get the generateName of their kind.
 * @throws RemoteError when a Secret cannot be created.
 */
export async function restoreKeyBackup(kube: KubeClient, namespace: string, backup: DecryptedKeyBackup): Promise<RestoreResult> {
  const result: RestoreResult = { created: [], skipped: [] };
  for (const secret of [...backup.sealingKeySecrets, ...backup.ageIdentitySecrets]) {
    const obj = portableSecret(secret, namespace);
    const name = obj.metadata.name ?? "(generated)";
    try {
      await kube.create(SECRETS, obj);
      result.created.push(name);
    } catch (err) {
      if (isConflict(err)) {
        result.skipped.push(name);
        continue;
      }
      throw new RemoteError(`restoring key Secret failed: ${namespace}/${name} (check access to Secrets there)`, { cause: err });
    }
  }
  return result;
}
