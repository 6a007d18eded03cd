/**
 * From an ExternalSecret's `data`/`dataFrom` and its store to the Vault reads it needs, and from
 * the read results to the key → bytes map ESO would build (`getProviderSecretData`).
 */
import type { ExternalSecretSpec, RemoteRef } from "../api/external-secret.js";
import { InputError } from "../errors.js";
import { extractMap, type JsonValue, propertyValue } from "./property.js";
import { type KvVersion, vaultDataPath } from "./vault-path.js";

/** One Vault read: a logical path (already through ESO's path rules) and an optional KV v2 version. */
export interface VaultRead {
  path: string;
  version?: string;
}

/** Identity of a read within one store, used to coalesce. */
export function readId(read: VaultRead): string {
  return read.version ? `${read.path}?version=${read.version}` : read.path;
}

/** Where the store's KV engine lives. */
export interface StoreKv {
  path?: string;
  version: KvVersion;
}

/** Maps a remoteRef to its Vault read. KV v1 has no versions, so `version` is dropped there. */
export function readFor(ref: RemoteRef, kv: StoreKv): VaultRead {
  const path = vaultDataPath(ref.key, kv.path, kv.version);
  return kv.version === "v2" && ref.version ? { path, version: ref.version } : { path };
}

/** The distinct reads an ExternalSecret needs, in a stable order. */
export function planReads(spec: ExternalSecretSpec, kv: StoreKv): VaultRead[] {
  const out = new Map<string, VaultRead>();
  for (const item of spec.dataFrom) if (item.extract) out.set(readId(readFor(item.extract, kv)), readFor(item.extract, kv));
  for (const item of spec.data) out.set(readId(readFor(item.remoteRef, kv)), readFor(item.remoteRef, kv));
  return [...out.values()];
}

/** The outcome of one read: the secret's data, `null` when it does not exist (404 / deleted), or an error. */
export type ReadResult = { data: { [key: string]: JsonValue } | null } | { error: Error };

/** Why building the data failed; `missing` is true when the cause is a secret or property that does not exist. */
export class SourceDataError extends InputError {
  constructor(
    message: string,
    readonly missing: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, { code: missing ? "SecretNotFound" : "SourceDataInvalid", ...options });
  }
}

/**
 * Builds the provider data (dataFrom first, then data, later keys winning, as ESO does).
 * With a deletionPolicy other than Retain a missing Vault secret is skipped (ESO's rule), so the
 * result may be empty: the caller then applies the deletion policy.
 * @throws the read's own error for failed reads; SourceDataError for a missing secret (under Retain),
 * a missing property or a value that is not a JSON object where one is needed.
 */
export function buildSourceData(
  spec: ExternalSecretSpec,
  kv: StoreKv,
  results: ReadonlyMap<string, ReadResult>,
  storeName: string,
): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const skipMissing = spec.target.deletionPolicy !== "Retain";
  const fetch = (ref: RemoteRef): { [key: string]: JsonValue } | null => {
    const read = readFor(ref, kv);
    const result = results.get(readId(read));
    if (!result) throw new SourceDataError(`no read result: store ${storeName}, path ${read.path} (internal error; retry)`, false);
    if ("error" in result) throw result.error;
    if (result.data === null) {
      if (skipMissing) return null;
      throw new SourceDataError(`secret not found: store ${storeName}, path ${read.path} (create it in Vault or fix remoteRef.key)`, true);
    }
    return result.data;
  };
  spec.dataFrom.forEach((item, i) => {
    if (!item.extract) return;
    const data = fetch(item.extract);
    if (data === null) return;
    const where = `store ${storeName}, key ${item.extract.key}${item.extract.property ? `, property ${item.extract.property}` : ""} (spec.dataFrom[${i}])`;
    const map = extractMap(data, item.extract.property, where);
    if (map === null) {
      throw new SourceDataError(`property not found: ${where} (fix the property or add it in Vault)`, true);
    }
    for (const [k, v] of map) out.set(k, v);
  });
  spec.data.forEach((item, i) => {
    const data = fetch(item.remoteRef);
    if (data === null) return;
    const value = propertyValue(data, item.remoteRef.property);
    if (value === null) {
      throw new SourceDataError(
        `property not found: store ${storeName}, key ${item.remoteRef.key}, property ${item.remoteRef.property ?? ""} (spec.data[${i}]; fix the property or add it in Vault)`,
        true,
      );
    }
    out.set(item.secretKey, value);
  });
  return out;
}
