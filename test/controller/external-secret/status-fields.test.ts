/**
 * ExternalSecret status as ESO writes it, through the kind's status fields and the runtime's one
 * summarizer (as the kit writes it): Ready, refreshTime, syncedResourceVersion and binding;
 * nothing written on an unchanged resync.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ExternalSecret, ExternalSecretStatus } from "../../../src/api/external-secret.js";
import { formatTime } from "../../../src/controller/runtime/conditions.js";
import { statusDiffers, statusStyle, summarizeStatus } from "../../../src/controller/runtime/status-summary.js";
import { externalSecretKind } from "../../../src/controller/external-secret/index.js";
import { esStatus, syncedResourceVersionOf } from "../../../src/controller/external-secret/status-fields.js";
import type { SyncResult } from "../../../src/controller/external-secret/status-fields.js";
import { StoreConnections } from "../../../src/eso/store-connections.js";
import { VaultReader } from "../../../src/eso/vault-reader.js";
import type { KubeClient } from "../../../src/kube/types.js";
import { checkSchema } from "../../harness/kube/schema.js";
import { loadCrd } from "../../api/crd-file.js";
import { externalSecret, homelabSpec } from "../../eso/builders.js";

const t0 = new Date("2026-11-22T00:00:00Z");
const t1 = new Date("2026-11-22T01:00:00Z");
const synced = { ready: true, reason: "SecretSynced", message: "secret synced", synced: true, wrote: true };
const clock = { now: () => t0 };
/** The kind as the controller runs it: its status style is the one under test. */
const kind = externalSecretKind({ reader: new VaultReader(clock), connections: new StoreConnections({} as KubeClient, clock) });
const style = statusStyle(kind.statusShape, kind.observedGenerationIn ? { observedGenerationIn: kind.observedGenerationIn } : {});

/** `status` as the apiserver stores it: pruned to the ExternalSecret CRD's schema (crds/). */
function stored(status: ExternalSecretStatus): ExternalSecretStatus {
  const schema = loadCrd("externalsecrets.external-secrets.io.yaml").spec.versions.find((v) => v.storage)?.schema.openAPIV3Schema.properties?.["status"];
  assert.ok(schema, "the CRD has a status schema");
  return checkSchema(status, schema, { defaults: false }).value as ExternalSecretStatus;
}

/** The status the kit writes for `result`, or null when it would not change. */
function statusPatch(es: ExternalSecret, target: string, result: SyncResult, now: Date): ExternalSecretStatus | null {
  const { ready, fields } = esStatus(es, target, result, now);
  const outcome = result.ready ? ({ kind: "ok" } as const) : ({ kind: "transient", reason: result.reason, message: result.message } as const);
  const desired = summarizeStatus(es, { conditions: [ready], outcome, fields }, style, now);
  return statusDiffers(es, desired) ? (desired as ExternalSecretStatus) : null;
}

describe("ExternalSecret status", () => {
  test("first sync sets Ready, refreshTime, syncedResourceVersion and binding", () => {
    const es = externalSecret(homelabSpec);
    const s = statusPatch(es, "app-credentials", synced, t0);
    assert.ok(s);
    assert.equal(s.refreshTime, formatTime(t0));
    assert.equal(s.syncedResourceVersion, syncedResourceVersionOf(es));
    assert.deepEqual(s.binding, { name: "app-credentials" });
    assert.deepEqual(s.conditions, [{ type: "Ready", status: "True", reason: "SecretSynced", message: "secret synced", lastTransitionTime: formatTime(t0) }], "ESO's conditions have no observedGeneration");
    assert.equal((s as Record<string, unknown>)["observedGeneration"], undefined, "ESO's CRD has no status.observedGeneration");
    assert.deepEqual(stored(s), s, "the apiserver keeps every field written (nothing pruned)");
  });

  test("a fresh controller over the status as the apiserver stored it (pruned to the CRD) writes nothing", () => {
    const es0 = externalSecret(homelabSpec);
    const status = statusPatch(es0, "app-credentials", synced, t0);
    assert.ok(status);
    const es = { ...es0, status: stored(status) };
    assert.equal(statusPatch(es, "app-credentials", { ...synced, wrote: false }, t1), null);
  });

  test("an unchanged resync (no write) changes nothing", () => {
    const es0 = externalSecret(homelabSpec);
    const status = statusPatch(es0, "app-credentials", synced, t0);
    const es = { ...es0, status: status ?? undefined };
    assert.equal(statusPatch(es, "app-credentials", { ...synced, wrote: false }, t1), null);
  });

  test("a write moves refreshTime but keeps lastTransitionTime", () => {
    const es0 = externalSecret(homelabSpec);
    const es = { ...es0, status: statusPatch(es0, "app-credentials", synced, t0) ?? undefined };
    const s = statusPatch(es, "app-credentials", synced, t1);
    assert.equal(s?.refreshTime, formatTime(t1));
    assert.equal(s?.conditions?.[0]?.lastTransitionTime, formatTime(t0));
  });

  test("failure flips Ready to False and keeps refreshTime and syncedResourceVersion", () => {
    const es0 = externalSecret(homelabSpec);
    const es = { ...es0, status: statusPatch(es0, "app-credentials", synced, t0) ?? undefined };
    const s = statusPatch(es, "app-credentials", { ready: false, reason: "SecretSyncedError", message: "Vault is sealed", synced: false, wrote: false }, t1);
    assert.equal(s?.refreshTime, formatTime(t0));
    assert.equal(s?.syncedResourceVersion, es.status?.syncedResourceVersion);
    assert.equal(s?.conditions?.[0]?.status, "False");
    assert.equal(s?.conditions?.[0]?.lastTransitionTime, formatTime(t1));
  });

  test("a force-sync annotation changes syncedResourceVersion", () => {
    const a = externalSecret(homelabSpec);
    const b = externalSecret(homelabSpec, { annotations: { "force-sync": "1700000000" } });
    assert.notEqual(syncedResourceVersionOf(a), syncedResourceVersionOf(b));
    assert.match(syncedResourceVersionOf(a), /^1-[0-9a-f]{32}$/);
  });
});
