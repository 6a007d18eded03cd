/**
 * planExternalSecret, table-driven over what observe saw: the Secret write, the Ready condition
 * with ESO's reasons, the status fields and the outcome's class (waiting while a store is
 * missing or backing off, transient for read failures, ok with the next refresh).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planExternalSecret, planExternalSecretWriteFailure, STORE_MISSING_RETRY_MS } from "../../../src/controller/external-secret/plan.js";
import type { ExternalSecretObserved, ParsedExternalSecret } from "../../../src/controller/external-secret/plan.js";
import { syncedResourceVersionOf } from "../../../src/controller/external-secret/status-fields.js";
import { formatTime } from "../../../src/controller/runtime/conditions.js";
import type { ReadResult } from "../../../src/eso/source-data.js";
import { VaultError, VaultFailure } from "../../../src/vault/errors.js";
import { externalSecret, homelabSpec } from "../../eso/builders.js";
import { writeKind } from "../support/child-writes.js";

const NOW = new Date("2026-11-22T10:20:00Z");
const HOUR = 3_600_000;
const kv = { path: "secret", version: "v2" as const };
const parsed = (spec: Record<string, unknown> = homelabSpec): ParsedExternalSecret => {
  const es = externalSecret(spec);
  return { es, target: "app-credentials", intervalMs: HOUR, syncedResourceVersion: syncedResourceVersionOf(es) };
};
const read = (result: ReadResult, extra: Partial<Extract<ExternalSecretObserved, { kind: "read" }>> = {}): ExternalSecretObserved => ({
  kind: "read",
  storeName: "ClusterSecretStore vault-backend",
  kv,
  results: new Map([["secret/data/my-app", result]]),
  existing: null,
  backoffMs: 0,
  jitter: 0.5,
  ...extra,
});
const ok = { data: { database_url: "postgres://x" } } as ReadResult;

interface Row {
  name: string;
  p?: ParsedExternalSecret;
  observed: ExternalSecretObserved;
  write: ReturnType<typeof writeKind>;
  outcome: string;
  reason: string | undefined;
  afterMs?: number;
  requeueAfterMs?: number;
}

const rows: Row[] = [
  // Next window starts at 11:00 (40 min away), plus half the jitter span (30 s max → 15 s).
  { name: "synced: create the Secret, Ready=True, refresh at the next window", observed: read(ok), write: "create", outcome: "ok", reason: "SecretSynced", requeueAfterMs: 40 * 60_000 + 15_000 },
  { name: "store missing or refused: waiting", observed: { kind: "store-failed", message: "ClusterSecretStore vault-backend not found (create it or fix secretStoreRef)" }, write: "none", outcome: "waiting", reason: "SecretSyncedError", afterMs: STORE_MISSING_RETRY_MS },
  { name: "a read failed while the store backs off: waiting for the backoff", observed: read({ error: new VaultError(VaultFailure.Sealed, "s", "secret/data/my-app", 503) }, { backoffMs: 4000 }), write: "none", outcome: "waiting", reason: "SecretSyncedError", afterMs: 4000 },
  { name: "a read failed: transient, the last good Secret stays", observed: read({ error: new VaultError(VaultFailure.Forbidden, "s", "secret/data/my-app", 403) }), write: "none", outcome: "transient", reason: "SecretSyncedError" },
  { name: "Merge with no target Secret: waiting (SecretMissing)", p: parsed({ ...homelabSpec, target: { name: "app-credentials", creationPolicy: "Merge" } }), observed: read(ok), write: "none", outcome: "waiting", reason: "SecretMissing", afterMs: STORE_MISSING_RETRY_MS },
  { name: "refreshInterval 0 and fetched once: nothing, status kept", observed: { kind: "once" }, write: "none", outcome: "ok", reason: undefined },
];

describe("planExternalSecret", () => {
  for (const row of rows) {
    test(row.name, () => {
      const p = row.p ?? parsed();
      const plan = planExternalSecret(p, row.observed, NOW);
      assert.equal(writeKind(plan.writes), row.write);
      assert.equal(plan.outcome.kind, row.outcome);
      if (plan.outcome.kind !== "ok") assert.equal(plan.outcome.reason, row.reason);
      if (plan.outcome.kind === "waiting") assert.equal(plan.outcome.afterMs, row.afterMs);
      assert.equal(plan.requeueAfterMs, row.requeueAfterMs);
      if (row.observed.kind === "once") {
        assert.equal(plan.keepStatus, true);
        return;
      }
      const ready = plan.conditions.find((c) => c.type === "Ready");
      assert.equal(ready?.reason, row.reason);
      assert.equal(ready?.status, row.outcome === "ok" ? "True" : "False");
      assert.deepEqual(plan.status?.["binding"], { name: "app-credentials" });
      assert.equal(plan.status?.["refreshTime"], row.outcome === "ok" ? formatTime(NOW) : undefined, "refreshTime moves on a sync only");
      assert.doesNotMatch(JSON.stringify(plan.conditions), /postgres:\/\/x/);
    });
  }

  test("a failed Secret write: transient, Ready=False naming the Secret", () => {
    const plan = planExternalSecretWriteFailure(parsed(), "kubernetes create failed with 500 InternalError", NOW);
    assert.equal(plan.outcome.kind, "transient");
    assert.equal(plan.conditions[0]?.reason, "SecretSyncedError");
    assert.equal(plan.conditions[0]?.message, "writing Secret my-app/app-credentials failed: kubernetes create failed with 500 InternalError");
    assert.equal(plan.outcome.kind === "transient" && plan.outcome.reason, plan.conditions[0]?.reason, "the Event reason is the condition reason");
  });
});
