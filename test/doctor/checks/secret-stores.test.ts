import { test } from "node:test";
import assert from "node:assert/strict";
import { secretStoresCheck } from "../../../src/doctor/checks/secret-stores.js";
import type { Observed, VaultHealth } from "../../../src/doctor/observed.js";
import { healthy, store } from "../observed-builder.js";

const SERVER = "http://vault.example.test:8200";
const health = (h: VaultHealth): Observed["vaultHealth"] => ({ [SERVER]: h });
const up: VaultHealth = { reached: true, initialized: true, sealed: false, standby: false };

test("secret-stores: status decides; doctor's own probe adds sealed/uninitialised, and only notes an unreachable Vault", () => {
  const sealedMsg = "cannot log in to Vault: Vault is sealed (HTTP 503): store ClusterSecretStore vault-backend, path auth/token/lookup-self (unseal Vault; sealbridge retries with backoff)";
  const loginMsg = "cannot log in to Vault: Vault login failed (HTTP 403): store SecretStore app/x, path auth/token/lookup-self (check the store's auth settings and the Vault role)";
  const cases: Array<{ what: string; o: Partial<Observed>; status: string; message: RegExp; fix?: RegExp }> = [
    { what: "ready", o: {}, status: "ok", message: /1 store\(s\) ready/ },
    { what: "none", o: { stores: { ok: true, value: [] } }, status: "skip", message: /no SecretStores/ },
    { what: "CRDs absent", o: { stores: { ok: false, status: 404, message: "not found" } }, status: "skip", message: /CRD not installed/ },
    { what: "sealed by status", o: { stores: { ok: true, value: [store("vault-backend", "False", sealedMsg)] }, vaultHealth: health(up) }, status: "fail", message: /ClusterSecretStore vault-backend: ValidationFailed: cannot log in to Vault: Vault is sealed/, fix: /unseal/ },
    { what: "login failed", o: { stores: { ok: true, value: [store("x", "False", loginMsg)] } }, status: "fail", message: /Vault login failed/, fix: /auth/ },
    { what: "unreachable from the controller", o: { stores: { ok: true, value: [store("x", "False", "cannot log in to Vault: Vault is unavailable (ECONNREFUSED): store …")] } }, status: "fail", message: /unavailable/, fix: /reachable from the controller/ },
    { what: "ready, but doctor sees it sealed", o: { vaultHealth: health({ reached: true, initialized: true, sealed: true, standby: false }) }, status: "fail", message: /is sealed \(seen from here\); the store's Ready status predates it/, fix: /unseal/ },
    { what: "ready, doctor sees it uninitialised", o: { vaultHealth: health({ reached: true, initialized: false, sealed: true, standby: false }) }, status: "fail", message: /not initialized/, fix: /vault init/ },
    { what: "ready, doctor cannot reach it", o: { vaultHealth: health({ reached: false, message: "ENOTFOUND" }) }, status: "ok", message: /1 store\(s\) ready/ },
    { what: "not reconciled yet", o: { stores: { ok: true, value: [store("new", null)] } }, status: "warn", message: /no Ready condition yet/ },
    { what: "old generation", o: { stores: { ok: true, value: [store("x", "True", "store validated", { generation: 3, observedGeneration: 2 })] } }, status: "warn", message: /generation 3 not reconciled yet/ },
    { what: "one of two broken", o: { stores: { ok: true, value: [store("good", "True"), store("bad", "False", loginMsg)] } }, status: "fail", message: /^1 of 2 store\(s\) not ready; ClusterSecretStore bad/ },
  ];
  for (const c of cases) {
    const r = secretStoresCheck(healthy(c.o));
    assert.equal(r.status, c.status, `${c.what}: ${JSON.stringify(r)}`);
    assert.match(r.message, c.message, c.what);
    if (c.fix) assert.match(r.fix ?? "", c.fix, c.what);
  }
  const noted = secretStoresCheck(healthy({ vaultHealth: health({ reached: false, message: "ENOTFOUND" }) }));
  assert.match(noted.items?.[0]?.message ?? "", /doctor cannot reach http:\/\/vault\.example\.test:8200 from here: ENOTFOUND; judged by the controller's status/);
});

test("secret-stores: an ExternalSecret's failed sync at the store's Vault counts against the store; other failures do not", () => {
  const es = (name: string, message: string, storeName = "vault-backend", storeKind: "SecretStore" | "ClusterSecretStore" = "ClusterSecretStore", namespace = "app") => ({
    kind: "ExternalSecret",
    namespace,
    name,
    storeKind,
    storeName,
    conditions: [{ type: "Ready", status: "False", reason: "SecretSyncedError", message }],
  });
  const sealed = "Vault is sealed (HTTP 503): store ClusterSecretStore vault-backend, path secret/data/db (unseal Vault; sealbridge retries with backoff)";
  const cases: Array<{ what: string; o: Partial<Observed>; status: string; message: RegExp; fix?: RegExp }> = [
    { what: "sealed at sync", o: { externalSecrets: { ok: true, value: [es("db", sealed)] } }, status: "fail", message: /ClusterSecretStore vault-backend: ExternalSecret app\/db failed to sync through it: Vault is sealed/, fix: /unseal/ },
    { what: "token refused at sync", o: { externalSecrets: { ok: true, value: [es("db", "Vault denied access (HTTP 403): store …")] } }, status: "fail", message: /denied access/, fix: /auth/ },
    { what: "a missing key is the ExternalSecret's problem, not the store's", o: { externalSecrets: { ok: true, value: [es("db", "Vault secret not found (HTTP 404): store …")] } }, status: "ok", message: /1 store\(s\) ready/ },
    { what: "another store's ExternalSecret", o: { externalSecrets: { ok: true, value: [es("db", sealed, "other")] } }, status: "ok", message: /ready/ },
    { what: "a namespaced store of the same name in another namespace", o: { stores: { ok: true, value: [store("s", "True", "store validated", { kind: "SecretStore", namespace: "team-a" })] }, externalSecrets: { ok: true, value: [es("db", sealed, "s", "SecretStore", "team-b")] } }, status: "ok", message: /ready/ },
  ];
  for (const c of cases) {
    const r = secretStoresCheck(healthy(c.o));
    assert.equal(r.status, c.status, `${c.what}: ${JSON.stringify(r)}`);
    assert.match(r.message, c.message, c.what);
    if (c.fix) assert.match(r.fix ?? "", c.fix, c.what);
  }
});
