/**
 * Reading and writing the value in a DnsCredential's `source`, for `sealbridge dns rotate`: a
 * Secret key (merge patch guarded by the resourceVersion read), or a Vault KV key through the
 * named SecretStore/ClusterSecretStore with the store's own auth, as the controller connects
 * (src/eso/store-connections.ts: tokenSecretRef, appRole, kubernetes) and ESO's path rules. KV v2
 * writes are check-and-set against the version read, so a concurrent change is refused rather
 * than overwritten; the other keys of the Vault secret are kept. Values never reach a message.
 */
import type { DnsCredential } from "../../api/dns-credential.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../api/secret-store.js";
import type { Clock } from "../../clock.js";
import { InputError } from "../../errors.js";
import { propertyValue } from "../../eso/property.js";
import { StoreConnections, type StoreConnection } from "../../eso/store-connections.js";
import { vaultDataPath } from "../../eso/vault-path.js";
import { SECRETS } from "../../kube/resources.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import type { KvData } from "../../vault/client.js";
import type { ObjectCache } from "../types.js";
import { resolveStoreRef, safeMessage } from "../external-secret/observe.js";

/** Read/write access to one credential source. */
export interface CredentialSourceAccess {
  /** e.g. `Secret cert-manager/cf key token`, `ClusterSecretStore vault path secret/data/dns/cf property token`. */
  describe: string;
  /** The value now. @throws InputError or the adapter's error (secret-free). */
  read(): Promise<string>;
  /** Replaces the value, keeping everything else. @throws when the source changed since read() or refuses. */
  write(value: string): Promise<void>;
}

/** Options of {@link credentialSourceAccess}. */
export interface SourceAccessOptions {
  clock: Clock;
  /** Reach Vault here instead of the store's `server` (a port-forward from outside the cluster). */
  vaultAddress?: string;
  timeoutMs?: number;
}

function oneObjectCache(obj: KubeObject | null, key: string): ObjectCache {
  return { get: (k) => (obj && k === key ? obj : undefined), list: () => (obj ? [obj] : []), synced: async () => undefined };
}

/**
 * The access for `cred`'s source, as used from its namespace.
 * @throws InputError when the store is missing or unusable.
 */
export async function credentialSourceAccess(kube: KubeClient, cred: DnsCredential, options: SourceAccessOptions): Promise<CredentialSourceAccess> {
  const ns = cred.metadata.namespace ?? "default";
  const src = cred.spec.source;
  if (src.secretRef) {
    const ref = src.secretRef;
    let resourceVersion: string | undefined;
    const describe = `Secret ${ns}/${ref.name} key ${ref.key}`;
    return {
      describe,
      async read() {
        const secret = await kube.get(SECRETS, ns, ref.name);
        const b64 = (secret?.["data"] as Record<string, string> | undefined)?.[ref.key];
        if (b64 === undefined) throw new InputError(`source not found: ${describe} (create it or fix spec.source.secretRef)`, { code: "SecretNotFound" });
        resourceVersion = secret?.metadata.resourceVersion;
        return Buffer.from(b64, "base64").toString("utf8").trim();
      },
      async write(value) {
        await kube.mergePatch(SECRETS, ns, ref.name, { metadata: resourceVersion ? { resourceVersion } : {}, data: { [ref.key]: Buffer.from(value).toString("base64") } });
      },
    };
  }
  const vault = src.vault;
  if (!vault) throw new InputError(`DnsCredential ${ns}/${cred.metadata.name ?? ""} has no source (set spec.source.secretRef or spec.source.vault)`);
  const kind = vault.storeRef.kind ?? "SecretStore";
  const raw = kind === "SecretStore" ? await kube.get(secretStoreResource, ns, vault.storeRef.name) : await kube.get(clusterSecretStoreResource, undefined, vault.storeRef.name);
  const stores = oneObjectCache(kind === "SecretStore" ? raw : null, `${ns}/${vault.storeRef.name}`);
  const clusterStores = oneObjectCache(kind === "ClusterSecretStore" ? raw : null, vault.storeRef.name);
  const store = resolveStoreRef({ name: vault.storeRef.name, kind }, ns, stores, clusterStores);
  if ("refused" in store) throw new InputError(`${store.refused} (spec.source.vault.storeRef of DnsCredential ${ns}/${cred.metadata.name ?? ""})`, { code: "InvalidStore" });
  if (options.vaultAddress) store.spec.provider.vault.server = options.vaultAddress;
  let conn: StoreConnection;
  try {
    conn = await new StoreConnections(kube, options.clock, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}).get(store, ns);
  } catch (err) {
    throw new InputError(safeMessage(err), { code: "InvalidStore" });
  }
  const path = vaultDataPath(vault.key, conn.kv.path, conn.kv.version);
  const property = vault.property;
  const describe = `${conn.storeName} path ${path}${property ? ` property ${property}` : ""}`;
  if (!property) throw new InputError(`cannot write ${describe}: no property (set spec.source.vault.property to the key holding the token)`, { code: "InvalidSource" });
  let seen: { data: KvData; version?: number } | undefined;
  const entry = async () => {
    const found = await conn.session.withToken((token) => conn.http.readKvEntry(path, conn.kv.version, undefined, token));
    if (!found) throw new InputError(`source not found: ${describe} (write it to Vault or fix spec.source.vault.key)`, { code: "SecretNotFound" });
    return found;
  };
  return {
    describe,
    async read() {
      seen = await entry();
      const bytes = propertyValue(seen.data, property);
      if (bytes === null) throw new InputError(`property not found: ${describe} (fix spec.source.vault.property)`, { code: "SecretNotFound" });
      return bytes.toString("utf8").trim();
    },
    async write(value) {
      const base = seen ?? (await entry());
      // ESO's gjson paths are read-only here: only a top-level key is written.
      if (property.includes(".") && !Object.hasOwn(base.data, property)) throw new InputError(`cannot write ${describe}: a nested property (write a top-level key)`, { code: "InvalidSource" });
      const data: KvData = { ...base.data, [property]: value };
      await conn.session.withToken((token) => conn.http.writeKv(path, conn.kv.version, data, token, base.version));
    },
  };
}
