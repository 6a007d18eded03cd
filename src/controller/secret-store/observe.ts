/**
 * What a store pass reads: a Vault login with the store's auth, when that auth does not depend
 * on the ExternalSecret's namespace.
 */
import type { SecretStore } from "../../api/secret-store.js";
import { isSealbridgeError } from "../../errors.js";
import { namespaceFree, type StoreConnections } from "../../eso/store-connections.js";
import type { StoreObserved } from "./plan.js";

/** Tries a login; never throws (a failure is data, its message only ours, never a foreign error's). */
export async function observeSecretStore(connections: StoreConnections, store: SecretStore): Promise<StoreObserved> {
  if (store.kind !== "SecretStore" && !namespaceFree(store)) return { login: "skipped" };
  try {
    const conn = await connections.get(store, store.metadata.namespace ?? "");
    await conn.session.token();
    return { login: "ok" };
  } catch (err) {
    return { login: "failed", message: isSealbridgeError(err) ? err.message : "see controller logs" };
  }
}
