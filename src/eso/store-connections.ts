/**
 * One Vault connection (VaultHttp + VaultSession with its token cache) per store and auth
 * namespace, built from a parsed store. The auth material is read from Kubernetes when a login
 * needs it: Secrets (tokenSecretRef, secretRef, roleRef), a TokenRequest for serviceAccountRef
 * (with the store's audiences), or the controller's own service account token.
 */
import { readFile } from "node:fs/promises";
import type { Clock } from "../clock.js";
import { InputError } from "../errors.js";
import type { KubeClient, KubeObject, ResourceRef } from "../kube/types.js";
import type { SecretKeySelector, SecretStore } from "../api/secret-store.js";
import { VaultHttp } from "../vault/client.js";
import { type VaultAuthMethod, VaultSession } from "../vault/session.js";
import { CONFIGMAPS, SECRETS } from "../kube/resources.js";

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** A usable connection to a store's Vault. */
export interface StoreConnection {
  /** Identity of the connection (store, its generation, the auth namespace). */
  key: string;
  /** `Kind namespace/name`, for messages. */
  storeName: string;
  http: VaultHttp;
  session: VaultSession;
  kv: { path?: string; version: "v1" | "v2" };
}

/** `Kind ns/name` or `Kind name`. */
export function storeLabel(store: SecretStore): string {
  return `${store.kind} ${store.metadata.namespace ? `${store.metadata.namespace}/` : ""}${store.metadata.name}`;
}

/** True when no auth ref of a ClusterSecretStore depends on the ExternalSecret's namespace. */
export function namespaceFree(store: SecretStore): boolean {
  const a = store.spec.provider.vault.auth;
  const refs = [a.tokenSecretRef, a.appRole?.roleRef, a.appRole?.secretRef, a.kubernetes?.secretRef, a.kubernetes?.serviceAccountRef].filter((r) => r !== undefined);
  return refs.every((r) => r.namespace !== undefined);
}

/** Builds and caches connections, keyed by store generation and auth namespace. */
export class StoreConnections {
  readonly #connections = new Map<string, StoreConnection>();
  readonly #pending = new Map<string, Promise<StoreConnection>>();

  constructor(
    private readonly kube: KubeClient,
    private readonly clock: Clock,
    private readonly opts: { timeoutMs?: number; inClusterTokenPath?: string } = {},
  ) {}

  /**
   * The connection for `store` as used from `esNamespace` (refs without a namespace resolve
   * there for ClusterSecretStores, always there for SecretStores, as ESO does).
   * @throws InputError when the store's auth or CA settings cannot work (missing roleId, CA not found).
   */
  async get(store: SecretStore, esNamespace: string): Promise<StoreConnection> {
    // A ClusterSecretStore whose refs all name their namespace authenticates the same way for
    // every ExternalSecret: one connection (and one coalesced read per path) for all namespaces.
    const authNs = store.kind === "SecretStore" ? (store.metadata.namespace ?? esNamespace) : namespaceFree(store) ? "" : esNamespace;
    const key = `${store.kind}/${store.metadata.namespace ?? ""}/${store.metadata.name}@${store.metadata.uid ?? ""}:${store.metadata.generation ?? 0}|${authNs}`;
    const hit = this.#connections.get(key);
    if (hit) return hit;
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#connect(store, authNs, key).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  async #connect(store: SecretStore, authNs: string, key: string): Promise<StoreConnection> {
    const storeName = storeLabel(store);
    const vault = store.spec.provider.vault;
    const caPem = vault.caBundle ? Buffer.from(vault.caBundle, "base64").toString("utf8") : vault.caProvider ? await this.#caFromProvider(store, storeName) : undefined;
    const http = new VaultHttp(
      {
        server: vault.server,
        ...(vault.namespace ? { namespace: vault.namespace } : {}),
        ...(caPem ? { caPem } : {}),
        ...(this.opts.timeoutMs ? { timeoutMs: this.opts.timeoutMs } : {}),
      },
      storeName,
    );
    const session = new VaultSession(http, this.#authMethod(store, authNs, storeName), this.clock, storeName);
    const conn: StoreConnection = { key, storeName, http, session, kv: { ...(vault.path ? { path: vault.path } : {}), version: vault.version } };
    this.#connections.set(key, conn);
    return conn;
  }

  /** Reads the CA named by `caProvider` (read when the connection is made, i.e. once per store generation). */
  async #caFromProvider(store: SecretStore, storeName: string): Promise<string> {
    const ca = store.spec.provider.vault.caProvider;
    if (!ca) return "";
    const ns = store.kind === "SecretStore" ? store.metadata.namespace : ca.namespace;
    if (!ns) throw new InputError(`missing namespace: ${storeName} caProvider (a ClusterSecretStore's caProvider must name its namespace)`, { code: "InvalidStore" });
    const res = ca.type === "Secret" ? SECRETS : CONFIGMAPS;
    const obj = await this.kube.get<KubeObject & { data?: Record<string, string> }>(res, ns, ca.name);
    const raw = obj?.data?.[ca.key];
    if (raw === undefined) {
      throw new InputError(`CA not found: ${storeName} caProvider -> ${ca.type} ${ns}/${ca.name} key ${ca.key} (create it or fix caProvider)`, { code: "MissingProviderSecret" });
    }
    return ca.type === "Secret" ? Buffer.from(raw, "base64").toString("utf8") : raw;
  }

  /** Drops the connections of the store `kind/namespace/name` made for another `uid:generation` than `current`. */
  forgetOtherGenerations(kind: string, namespace: string | undefined, name: string, current: string): void {
    const prefix = `${kind}/${namespace ?? ""}/${name}@`;
    for (const key of this.#connections.keys()) if (key.startsWith(prefix) && !key.startsWith(`${prefix}${current}|`)) this.#connections.delete(key);
  }

  #authMethod(store: SecretStore, authNs: string, storeName: string): VaultAuthMethod {
    const auth = store.spec.provider.vault.auth;
    const cluster = store.kind === "ClusterSecretStore";
    const nsOf = (ref: { namespace?: string | undefined }): string => (cluster && ref.namespace ? ref.namespace : authNs);
    const secretValue = (ref: SecretKeySelector, defaultKey: string | undefined, field: string) => async (): Promise<string> => {
      const key = ref.key ?? defaultKey;
      if (!key) throw new InputError(`missing key: ${storeName} ${field} (set ${field}.key)`, { code: "InvalidStore" });
      const ns = nsOf(ref);
      const secret = await this.kube.get<KubeObject & { data?: Record<string, string> }>(SECRETS, ns, ref.name);
      const value = secret?.data?.[key];
      if (value === undefined) {
        throw new InputError(`auth Secret key not found: ${storeName} ${field} -> Secret ${ns}/${ref.name} key ${key} (create the Secret or fix the ref)`, {
          code: "MissingProviderSecret",
        });
      }
      return Buffer.from(value, "base64").toString("utf8").trim();
    };
    if (auth.tokenSecretRef) return { kind: "token", token: secretValue(auth.tokenSecretRef, undefined, "auth.tokenSecretRef") };
    if (auth.appRole) {
      const a = auth.appRole;
      const roleId = a.roleId ? async () => a.roleId ?? "" : a.roleRef ? secretValue(a.roleRef, undefined, "auth.appRole.roleRef") : null;
      if (!roleId) throw new InputError(`missing roleId: ${storeName} auth.appRole (set roleId or roleRef)`, { code: "InvalidStore" });
      return { kind: "appRole", path: a.path, roleId, secretId: secretValue(a.secretRef, undefined, "auth.appRole.secretRef") };
    }
    if (auth.kubernetes) {
      const k = auth.kubernetes;
      let jwt: () => Promise<string>;
      if (k.serviceAccountRef) {
        const sa = k.serviceAccountRef;
        jwt = async () => this.#tokenRequest(nsOf(sa), sa.name, sa.audiences, storeName);
      } else if (k.secretRef) {
        jwt = secretValue(k.secretRef, "token", "auth.kubernetes.secretRef");
      } else {
        const path = this.opts.inClusterTokenPath ?? IN_CLUSTER_TOKEN;
        jwt = async () => (await readFile(path, "utf8")).trim();
      }
      return { kind: "kubernetes", mountPath: k.mountPath, role: k.role, jwt };
    }
    throw new InputError(`no supported auth method: ${storeName} (use tokenSecretRef, kubernetes or appRole)`, { code: "InvalidStore" });
  }

  async #tokenRequest(namespace: string, name: string, audiences: string[] | undefined, storeName: string): Promise<string> {
    const res: ResourceRef = { group: "", version: "v1", plural: `serviceaccounts/${name}/token`, kind: "TokenRequest", namespaced: true };
    const answer = await this.kube.create(res, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: { namespace, name },
      spec: { ...(audiences && audiences.length > 0 ? { audiences } : {}), expirationSeconds: 600 },
    });
    const token = (answer as { status?: { token?: unknown } }).status?.token;
    if (typeof token !== "string" || token === "") {
      throw new InputError(`TokenRequest returned no token: ${storeName} serviceAccountRef ${namespace}/${name} (check the service account)`, { code: "TokenRequestFailed" });
    }
    return token;
  }
}
