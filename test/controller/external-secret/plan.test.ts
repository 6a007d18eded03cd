import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { VaultError, VaultFailure } from "../../../src/vault/errors.js";
import { planSync } from "../../../src/controller/external-secret/plan.js";
import { planReads, readId, type ReadResult } from "../../../src/eso/source-data.js";
import { ANNOTATION_DATA_HASH, LABEL_CREATED_BY, LABEL_MANAGED, type SecretObject } from "../../../src/controller/external-secret/target-secret.js";
import { b64, externalSecret, homelabSpec } from "../../eso/builders.js";
import { writeKind, writtenObject, writtenPatch } from "../support/child-writes.js";

const kv = { path: "secret", version: "v2" as const };
const CANARY = "postgres://canary-user:canary-pass@db/app";

function results(map: Record<string, ReadResult>): Map<string, ReadResult> {
  return new Map(Object.entries(map));
}
const ok = (data: Record<string, unknown>): ReadResult => ({ data: data as never });

describe("planSync", () => {
  test("the homelab manifest creates an owned Secret with ESO's labels and data-hash", () => {
    const es = externalSecret(homelabSpec);
    assert.deepEqual(planReads(es.spec, kv), [{ path: "secret/data/my-app" }]);
    const plan = planSync(es, "vault-backend", kv, results({ "secret/data/my-app": ok({ database_url: CANARY }) }), null);
    assert.equal(writeKind(plan.write), "create");
    const s = (writtenObject(plan.write) as SecretObject);
    assert.equal(s.metadata.name, "app-credentials");
    assert.equal(s.metadata.namespace, "my-app");
    assert.deepEqual(s.data, { DATABASE_URL: b64(CANARY) });
    assert.equal(s.type, "Opaque");
    assert.equal(s.metadata.labels?.[LABEL_MANAGED], "true");
    assert.equal(s.metadata.labels?.[LABEL_CREATED_BY], "app-credentials");
    assert.ok(s.metadata.annotations?.[ANNOTATION_DATA_HASH]);
    assert.deepEqual(s.metadata.ownerReferences, [
      { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", name: "app-credentials", uid: "uid-es-1", controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(plan.result.ready, true);
    assert.equal(plan.result.reason, "SecretSynced");
  });

  test("an unchanged resync plans no write", () => {
    const es = externalSecret(homelabSpec);
    const r = results({ "secret/data/my-app": ok({ database_url: CANARY }) });
    const first = planSync(es, "vault-backend", kv, r, null);
    assert.equal(writeKind(first.write), "create");
    const existing: SecretObject = { ...(writtenObject(first.write) as SecretObject), metadata: { ...(writtenObject(first.write) as SecretObject).metadata, resourceVersion: "7", labels: { ...(writtenObject(first.write) as SecretObject).metadata.labels, extra: "kept" } } };
    const again = planSync(es, "vault-backend", kv, r, existing);
    assert.equal(writeKind(again.write), "none");
    assert.equal(again.result.wrote, false);
  });

  test("a changed value patches only data and the hash; stale owned keys are removed", () => {
    const es = externalSecret(homelabSpec);
    const existing: SecretObject = {
      apiVersion: "v1", kind: "Secret",
      metadata: { name: "app-credentials", namespace: "my-app", labels: { [LABEL_MANAGED]: "true", [LABEL_CREATED_BY]: "app-credentials" }, annotations: { [ANNOTATION_DATA_HASH]: "old" }, ownerReferences: [{ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", name: "app-credentials", uid: "uid-es-1", controller: true }] },
      type: "Opaque", data: { DATABASE_URL: b64("old"), STALE: b64("x") },
    };
    const plan = planSync(es, "vault-backend", kv, results({ "secret/data/my-app": ok({ database_url: "new" }) }), existing);
    assert.equal(writeKind(plan.write), "patch");
    assert.deepEqual(writtenPatch(plan.write).data, { DATABASE_URL: b64("new"), STALE: null });
  });

  test("Owner refuses a Secret controlled by something else", () => {
    const es = externalSecret(homelabSpec);
    const existing: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "app-credentials", namespace: "my-app", ownerReferences: [{ apiVersion: "x/v1", kind: "Other", name: "o", uid: "u2", controller: true }] }, data: {} };
    const plan = planSync(es, "vault-backend", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), existing);
    assert.equal(writeKind(plan.write), "none");
    assert.equal(plan.result.ready, false);
    assert.match(plan.result.message, /owned by Other o/);
  });

  test("Orphan creates without owner reference or created-by label", () => {
    const es = externalSecret({ ...homelabSpec, target: { name: "t", creationPolicy: "Orphan" } });
    const plan = planSync(es, "s", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), null);
    assert.equal(writeKind(plan.write), "create");
    assert.equal((writtenObject(plan.write) as SecretObject).metadata.ownerReferences, undefined);
    assert.equal((writtenObject(plan.write) as SecretObject).metadata.labels?.[LABEL_CREATED_BY], undefined);
    assert.equal((writtenObject(plan.write) as SecretObject).metadata.labels?.[LABEL_MANAGED], "true");
  });

  test("Merge: missing Secret is SecretMissing; existing Secret gets only our keys", () => {
    const es = externalSecret({ ...homelabSpec, target: { name: "t", creationPolicy: "Merge" } });
    const r = results({ "secret/data/my-app": ok({ database_url: "v" }) });
    const missing = planSync(es, "s", kv, r, null);
    assert.equal(missing.result.reason, "SecretMissing");
    assert.equal(writeKind(missing.write), "none");
    const existing: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "t", namespace: "my-app", labels: { app: "x" } }, type: "kubernetes.io/tls", data: { "tls.crt": b64("c"), other: b64("o") } };
    const plan = planSync(es, "s", kv, r, existing);
    assert.equal(writeKind(plan.write), "patch");
    assert.deepEqual(writtenPatch(plan.write).data, { DATABASE_URL: b64("v") });
    assert.equal(writtenPatch(plan.write).type, undefined);
    const merged: SecretObject = { ...existing, metadata: { ...existing.metadata, annotations: (writtenPatch(plan.write).metadata as { annotations: Record<string, string> }).annotations }, data: { ...existing.data, DATABASE_URL: b64("v") } };
    assert.equal(writeKind(planSync(es, "s", kv, r, merged).write), "none");
  });

  test("None fetches but writes nothing and is Ready", () => {
    const es = externalSecret({ ...homelabSpec, target: { creationPolicy: "None" } });
    const plan = planSync(es, "s", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), null);
    assert.equal(writeKind(plan.write), "none");
    assert.equal(plan.result.ready, true);
  });

  test("missing property: clear condition naming store, key and property, never the value", () => {
    const es = externalSecret(homelabSpec);
    const plan = planSync(es, "vault-backend", kv, results({ "secret/data/my-app": ok({ other: CANARY }) }), null);
    assert.equal(plan.result.ready, false);
    assert.equal(plan.result.reason, "SecretSyncedError");
    assert.match(plan.result.message, /property not found: store vault-backend, key secret\/data\/my-app, property database_url/);
    assert.ok(!plan.result.message.includes(CANARY));
  });

  test("read error keeps the last good Secret (no write) and reports it", () => {
    const es = externalSecret(homelabSpec);
    const plan = planSync(es, "vault-backend", kv, results({ "secret/data/my-app": { error: new VaultError(VaultFailure.Sealed, "vault-backend", "secret/data/my-app", 503) } }), null);
    assert.equal(writeKind(plan.write), "none");
    assert.match(plan.result.message, /Vault is sealed \(HTTP 503\): store vault-backend, path secret\/data\/my-app/);
  });

  test("deletionPolicy: Retain reports a missing source; Delete deletes our Secret; Merge removes our keys", () => {
    const gone = results({ "secret/data/my-app": { data: null } });
    const owned: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "app-credentials", namespace: "my-app", labels: { [LABEL_MANAGED]: "true" } }, data: { DATABASE_URL: b64("v") } };
    const retain = planSync(externalSecret(homelabSpec), "s", kv, gone, owned);
    assert.equal(writeKind(retain.write), "none");
    assert.match(retain.result.message, /secret not found: store s, path secret\/data\/my-app/);
    const del = planSync(externalSecret({ ...homelabSpec, target: { name: "app-credentials", deletionPolicy: "Delete" } }), "s", kv, gone, owned);
    assert.equal(writeKind(del.write), "delete");
    assert.equal(del.result.reason, "SecretDeleted");
    const merge = planSync(externalSecret({ ...homelabSpec, target: { name: "app-credentials", deletionPolicy: "Merge" } }), "s", kv, gone, owned);
    assert.equal(writeKind(merge.write), "patch");
    assert.deepEqual(writtenPatch(merge.write), { data: { DATABASE_URL: null }, metadata: { annotations: { "sealbridge.io/external-secret-keys": null } } });
  });

  test("dataFrom extract + data + template (type, metadata, data) + version", () => {
    const es = externalSecret({
      secretStoreRef: { name: "vault-backend" },
      target: {
        template: {
          type: "kubernetes.io/basic-auth",
          metadata: { labels: { app: "{{ .username }}" }, annotations: { note: "static" } },
          data: { username: "{{ .username }}", password: "{{ .pw | upper }}", url: 'https://{{ .username }}@{{ index . "host-name" }}' },
        },
      },
      dataFrom: [{ extract: { key: "creds" } }],
      data: [{ secretKey: "pw", remoteRef: { key: "pw", property: "value", version: "2" } }],
    });
    const reads = planReads(es.spec, kv);
    assert.deepEqual(reads, [{ path: "secret/data/creds" }, { path: "secret/data/pw", version: "2" }]);
    const r = results({ [readId(reads[0]!)]: ok({ username: "bob", "host-name": "h" }), [readId(reads[1]!)]: ok({ value: "x" }) });
    const plan = planSync(es, "vault-backend", kv, r, null);
    assert.equal(writeKind(plan.write), "create");
    assert.equal((writtenObject(plan.write) as SecretObject).type, "kubernetes.io/basic-auth");
    assert.deepEqual((writtenObject(plan.write) as SecretObject).data, { username: b64("bob"), password: b64("X"), url: b64("https://bob@h") });
    assert.equal((writtenObject(plan.write) as SecretObject).metadata.labels?.app, "bob");
    assert.equal((writtenObject(plan.write) as SecretObject).metadata.annotations?.note, "static");
  });

  test("KV v1 ignores versions and prepends the store path only", () => {
    const es = externalSecret({ secretStoreRef: { name: "s" }, data: [{ secretKey: "a", remoteRef: { key: "foo", property: "p", version: "3" } }] });
    assert.deepEqual(planReads(es.spec, { path: "kv", version: "v1" }), [{ path: "kv/foo" }]);
  });

  test("a template error is a SecretSyncedError naming the template", () => {
    const es = externalSecret({ ...homelabSpec, target: { template: { data: { x: "{{ .nope }}" } } } });
    const plan = planSync(es, "s", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), null);
    assert.equal(plan.result.ready, false);
    assert.match(plan.result.message, /target\.template\.data\.x/);
  });

  test("type change recreates; immutable change recreates", () => {
    const es = externalSecret({ ...homelabSpec, target: { name: "app-credentials", template: { type: "kubernetes.io/tls" } } });
    const existing: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "app-credentials", namespace: "my-app" }, type: "Opaque", data: {} };
    const plan = planSync(es, "s", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), existing);
    assert.equal(writeKind(plan.write), "recreate");
    const imm = externalSecret({ ...homelabSpec, target: { name: "app-credentials", immutable: true } });
    const existingImm: SecretObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "app-credentials", namespace: "my-app" }, type: "Opaque", immutable: true, data: { DATABASE_URL: b64("old") } };
    assert.equal(writeKind(planSync(imm, "s", kv, results({ "secret/data/my-app": ok({ database_url: "v" }) }), existingImm).write), "recreate");
  });
});
