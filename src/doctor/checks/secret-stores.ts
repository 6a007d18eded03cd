/**
 * The SecretStore link: each SecretStore and ClusterSecretStore's Vault reachable, unsealed and
 * its auth working. The store's Ready condition, which the controller writes after logging in to
 * Vault from inside the cluster, decides; doctor's own `sys/health` probe (from wherever it runs,
 * often a laptop that cannot reach an in-cluster Vault) can only add evidence: a Vault it sees
 * sealed or uninitialised is broken whatever the older status says, and one it cannot reach is
 * merely noted. A store that authenticates with a static token is validated without a Vault call,
 * so the ExternalSecrets reading through it add theirs: a sync that failed because the Vault is
 * sealed, refused the token or could not be reached counts against the store.
 */
import { worstFirst, worstStatus, type CheckItem, type CheckResult } from "../check-result.js";
import type { Observed, ObservedExternalSecret, ObservedStore, VaultHealth } from "../observed.js";
import { conditionOf, objectName, readyItem, unreadList } from "./status-objects.js";

/** The fix for a store whose Ready condition is False, from the controller's message. */
function storeFix(message: string): string {
  if (/sealed/i.test(message)) return "unseal Vault: sealbridge vault unseal (or let a VaultUnsealer do it); the controller retries by itself";
  if (/not initiali[sz]ed/i.test(message)) return "initialise Vault: sealbridge vault init";
  if (/login failed|denied|forbidden|permission/i.test(message)) {
    return "fix the store's auth: the token or AppRole credentials in the Secret its auth names, or the Vault role (bound service accounts, policies); check with vault login";
  }
  if (/unavailable|no answer|ECONN|ENOTFOUND|timed out/i.test(message)) return "make spec.provider.vault.server reachable from the controller's Pod (address, port, NetworkPolicy, caBundle)";
  return "fix the store's spec as the message says, then kubectl describe it";
}

/** Messages of store-level Vault failures (src/vault/errors.ts), as opposed to a missing key or a template error. */
const STORE_LEVEL = /Vault is sealed|Vault login failed|Vault denied access|Vault is unavailable/;

/** The first ExternalSecret reading through `store` whose last sync failed at the store's Vault. */
function failedSync(store: ObservedStore, externalSecrets: readonly ObservedExternalSecret[]): ObservedExternalSecret | undefined {
  return externalSecrets.find((es) => {
    if (es.storeKind !== store.kind || es.storeName !== store.name) return false;
    if (store.kind === "SecretStore" && es.namespace !== store.namespace) return false;
    const ready = conditionOf(es, "Ready");
    return ready?.status === "False" && STORE_LEVEL.test(ready.message ?? "");
  });
}

function judgeStore(store: ObservedStore, health: VaultHealth | undefined, externalSecrets: readonly ObservedExternalSecret[]): CheckItem & { fix?: string } {
  const item = readyItem(store);
  const out: CheckItem & { fix?: string } = { object: item.object, status: item.status, message: item.message };
  if (item.status === "fail") out.fix = storeFix(item.message);
  const sync = item.status === "fail" ? undefined : failedSync(store, externalSecrets);
  if (sync !== undefined) {
    const said = conditionOf(sync, "Ready")?.message ?? "";
    out.status = "fail";
    out.message = `${objectName(sync)} failed to sync through it: ${said}`;
    out.fix = storeFix(said);
  }
  if (store.server === undefined || health === undefined) return out;
  if (!health.reached) {
    out.message += ` (doctor cannot reach ${store.server} from here: ${health.message}; judged by the controller's status)`;
    return out;
  }
  if (!health.initialized) return { object: out.object, status: "fail", message: `Vault ${store.server} is not initialized (seen from here)`, fix: "initialise Vault: sealbridge vault init" };
  if (health.sealed) {
    return { object: out.object, status: "fail", message: `Vault ${store.server} is sealed (seen from here)${item.status === "ok" ? "; the store's Ready status predates it" : `; ${item.message}`}`, fix: storeFix("sealed") };
  }
  return out;
}

/** Judges every store. Pure. */
export function secretStoresCheck(o: Observed): CheckResult {
  const name = "secret-stores";
  const stores = o.stores;
  if (stores === undefined) return { name, status: "skip", message: "not observed" };
  if (!stores.ok) return unreadList(name, "SecretStores and ClusterSecretStores", stores);
  if (stores.value.length === 0) return { name, status: "skip", message: "no SecretStores or ClusterSecretStores (Vault sync not used)" };
  const externalSecrets = o.externalSecrets?.ok ? o.externalSecrets.value : [];
  const judged = stores.value.map((s) => judgeStore(s, s.server !== undefined ? o.vaultHealth?.[s.server] : undefined, externalSecrets));
  const items: CheckItem[] = judged.map(({ object, status, message }) => ({ object, status, message }));
  const status = worstStatus(items.map((i) => i.status));
  const worst = worstFirst(judged)[0];
  const bad = judged.filter((j) => j.status === "fail" || j.status === "warn");
  if (bad.length === 0 || worst === undefined) return { name, status, message: `${items.length} store(s) ready`, items };
  const first = bad.find((b) => b.status === status) ?? worst;
  const summary = `${bad.length} of ${items.length} store(s) not ready; ${first.object}: ${first.message}`;
  const fix = first.fix ?? "wait for the controller to validate them, then run doctor again";
  return { name, status, message: summary, fix, items: worstFirst(items) };
}
