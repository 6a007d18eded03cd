/**
 * A DnsCredential's `source.vault`: the key/property read through the named SecretStore or
 * ClusterSecretStore exactly as an ExternalSecret `data[]` entry with that remoteRef would be —
 * the same store resolution (caches, namespace conditions), connections, ESO path rules,
 * property lookup, and the shared VaultReader (per-store backoff while sealed or unreachable).
 */
import type { DnsCredential } from "../../api/dns-credential.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../api/secret-store.js";
import { InputError } from "../../errors.js";
import { propertyValue } from "../../eso/property.js";
import { readFor, readId } from "../../eso/source-data.js";
import type { StoreConnections } from "../../eso/store-connections.js";
import type { VaultReader } from "../../eso/vault-reader.js";
import { resolveStoreRef, safeMessage } from "../external-secret/observe.js";
import type { ObserveContext } from "../runtime/kind.js";

/** The ESO Vault services a Vault source reads through (shared with the ExternalSecret kind). */
export interface VaultSourceServices {
  connections: StoreConnections;
  reader: VaultReader;
}

/** How long a read may be shared with other readers of the same path (each pass still reads afresh). */
const READ_WINDOW_MS = 60_000;

type VaultSource = NonNullable<DnsCredential["spec"]["source"]["vault"]>;

/**
 * Reads the credential `source` names, as used from `namespace`.
 * @throws InputError (secret-free message naming store and path) when the store is missing or
 * unusable, the secret or property does not exist; the VaultError of a failed read (sealed,
 * unreachable, denied…), whose message names store and path, never a value.
 */
export async function readVaultSource(services: VaultSourceServices, ctx: ObserveContext, namespace: string, source: VaultSource): Promise<string> {
  const store = resolveStoreRef({ name: source.storeRef.name, kind: source.storeRef.kind ?? "SecretStore" }, namespace, ctx.cache(secretStoreResource), ctx.cache(clusterSecretStoreResource));
  if ("refused" in store) throw new InputError(store.refused, { code: "InvalidStore" });
  let conn;
  try {
    conn = await services.connections.get(store, namespace);
  } catch (err) {
    throw new InputError(safeMessage(err), { code: "InvalidStore" });
  }
  const read = readFor({ key: source.key }, conn.kv);
  const result = (await services.reader.readAll(conn, [read], READ_WINDOW_MS, true)).get(readId(read));
  if (!result) throw new InputError(`no read result: store ${conn.storeName}, path ${read.path} (retrying)`, { code: "SecretNotFound" });
  if ("error" in result) throw new InputError(safeMessage(result.error), { code: "VaultReadFailed" });
  if (result.data === null) throw new InputError(`secret not found: store ${conn.storeName}, path ${read.path} (write it to Vault or fix source.vault.key)`, { code: "SecretNotFound" });
  const bytes = propertyValue(result.data, source.property);
  if (bytes === null) throw new InputError(`property ${source.property ?? ""} not found: store ${conn.storeName}, path ${read.path} (fix source.vault.property)`, { code: "SecretNotFound" });
  return bytes.toString("utf8");
}
