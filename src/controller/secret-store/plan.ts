/**
 * The pure side of a SecretStore / ClusterSecretStore pass: the Ready condition with ESO's
 * reasons (Valid, InvalidProviderConfig, ValidationFailed) and `capabilities: ReadOnly`.
 */
import { StoreReason } from "../../api/secret-store.js";
import type { SecretStore } from "../../api/secret-store.js";
import type { Plan } from "../runtime/kind.js";

/** How often a valid store is validated again. */
export const REVALIDATE_MS = 5 * 60_000;
/** How soon a store whose Vault login failed is tried again. */
export const LOGIN_RETRY_MS = 30_000;

/** ESO reports stores that are read from (PushSecret is not supported) as ReadOnly. */
export const STORE_STATUS_FIELDS = { capabilities: "ReadOnly" } as const;

/** What a store pass saw: whether a Vault login worked (skipped when it depends on an ExternalSecret's namespace). */
export type StoreObserved = { login: "ok" | "skipped" } | { login: "failed"; message: string };

/** The plan of one store pass. Pure. */
export function planSecretStore(_store: SecretStore, observed: StoreObserved): Plan {
  if (observed.login === "failed") {
    const message = `cannot log in to Vault: ${observed.message}`;
    return {
      writes: [],
      conditions: [{ type: "Ready", status: "False", reason: StoreReason.ValidationFailed, message }],
      events: [],
      status: { ...STORE_STATUS_FIELDS },
      outcome: { kind: "waiting", reason: StoreReason.ValidationFailed, message, afterMs: LOGIN_RETRY_MS },
    };
  }
  return {
    writes: [],
    conditions: [{ type: "Ready", status: "True", reason: StoreReason.Valid, message: "store validated" }],
    events: [],
    status: { ...STORE_STATUS_FIELDS },
    requeueAfterMs: REVALIDATE_MS,
    outcome: { kind: "ok" },
  };
}
