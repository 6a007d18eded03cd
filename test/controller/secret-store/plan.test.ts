/** planSecretStore, table-driven: ESO's Ready reasons, capabilities ReadOnly, and when to look again. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { secretStoreSchema } from "../../../src/api/secret-store.js";
import { LOGIN_RETRY_MS, planSecretStore, REVALIDATE_MS } from "../../../src/controller/secret-store/plan.js";
import type { StoreObserved } from "../../../src/controller/secret-store/plan.js";

const store = secretStoreSchema.parse({
  apiVersion: "external-secrets.io/v1",
  kind: "SecretStore",
  metadata: { name: "vault", namespace: "app" },
  spec: { provider: { vault: { server: "https://vault:8200", path: "secret", auth: { tokenSecretRef: { name: "t", key: "token" } } } } },
});

const rows: Array<[string, StoreObserved, { status: string; reason: string; outcome: string; afterMs?: number; requeueAfterMs?: number; message: string }]> = [
  ["login works: Valid, validated again in 5 minutes", { login: "ok" }, { status: "True", reason: "Valid", outcome: "ok", requeueAfterMs: REVALIDATE_MS, message: "store validated" }],
  ["login depends on the ExternalSecret's namespace: Valid without a login", { login: "skipped" }, { status: "True", reason: "Valid", outcome: "ok", requeueAfterMs: REVALIDATE_MS, message: "store validated" }],
  ["login failed: ValidationFailed, waiting 30 s", { login: "failed", message: "Vault login failed (HTTP 400): store SecretStore app/vault, path auth/kubernetes/login (check the store's auth settings and the Vault role)" }, { status: "False", reason: "ValidationFailed", outcome: "waiting", afterMs: LOGIN_RETRY_MS, message: "cannot log in to Vault: Vault login failed (HTTP 400): store SecretStore app/vault, path auth/kubernetes/login (check the store's auth settings and the Vault role)" }],
];

describe("planSecretStore", () => {
  for (const [name, observed, want] of rows) {
    test(name, () => {
      const plan = planSecretStore(store, observed);
      assert.deepEqual(plan.writes, []);
      assert.deepEqual(plan.conditions, [{ type: "Ready", status: want.status, reason: want.reason, message: want.message }]);
      assert.deepEqual(plan.status, { capabilities: "ReadOnly" });
      assert.equal(plan.outcome.kind, want.outcome);
      if (plan.outcome.kind === "waiting") {
        assert.equal(plan.outcome.afterMs, want.afterMs);
        assert.equal(plan.outcome.reason, want.reason, "the Event reason is the condition reason");
      }
      assert.equal(plan.requeueAfterMs, want.requeueAfterMs);
    });
  }
});
