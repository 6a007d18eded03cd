/**
 * The encrypted kinds' plan (SealedSecret: the sealed-secrets Synced shape; AgeSecret: Synced and
 * Ready), table-driven over what observe saw: the Secret write, conditions, Events and the
 * outcome's class; the same plan whether observe's decision without decrypting is handed over or not.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planEncryptedSecret } from "../../../src/controller/encrypted-secret/kind.js";
import type { EncryptedObserved } from "../../../src/controller/encrypted-secret/kind.js";
import { planSecret, planWithoutDecrypting } from "../../../src/controller/encrypted-secret/secret-plan.js";
import type { EncryptedSource, Unsealed } from "../../../src/controller/encrypted-secret/secret-plan.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { writeKind, writtenObject } from "../support/child-writes.js";

const CANARY = "canary-plan-7c1d";

function source(overrides: Partial<EncryptedSource> = {}): EncryptedSource {
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    name: "db",
    namespace: "prod",
    uid: "uid-1",
    encryptedKeys: ["password"],
    encryptedData: { password: "AgB-ciphertext" },
    template: { labels: { app: "db" } },
    scopeAnnotations: {},
    ...overrides,
  };
}

const values: Unsealed = { ok: true, values: new Map([["password", Buffer.from(CANARY)]]) };
const written = (src: EncryptedSource): KubeObject => {
  const s = writtenObject(planSecret(src, null, values).writes);
  return { ...structuredClone(s), metadata: { ...structuredClone(s.metadata), resourceVersion: "5" } };
};
const foreign: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod", resourceVersion: "2" }, data: {} };

interface Row {
  name: string;
  src: EncryptedSource;
  observed: EncryptedObserved;
  write: ReturnType<typeof writeKind>;
  outcome: string;
  reason: string;
  events: string[];
}

const rows: Row[] = [
  { name: "no Secret yet: create it, Unsealed", src: source(), observed: { existing: null, unsealed: values }, write: "create", outcome: "ok", reason: "Unsealed", events: ["Normal/Unsealed"] },
  { name: "the Secret is current: nothing decrypted, nothing written", src: source(), observed: { existing: written(source()), unsealed: null }, write: "none", outcome: "ok", reason: "Unsealed", events: [] },
  { name: "a changed template: update at the Secret's version", src: source({ template: { labels: { app: "db2" } } }), observed: { existing: written(source()), unsealed: values }, write: "update", outcome: "ok", reason: "Unsealed", events: ["Normal/Unsealed"] },
  { name: "an immutable Secret that must change: replace", src: source({ template: { immutable: true, labels: { v: "2" } } }), observed: { existing: written(source({ template: { immutable: true } })), unsealed: values }, write: "recreate", outcome: "ok", reason: "Unsealed", events: ["Normal/Unsealed"] },
  { name: "a Secret not ours: stalled ErrUpdateFailed, before any decryption", src: source(), observed: { existing: foreign, unsealed: null }, write: "none", outcome: "stalled", reason: "ErrUpdateFailed", events: ["Warning/ErrUpdateFailed"] },
  { name: "decryption failed: stalled ErrUnsealFailed, the Secret untouched", src: source(), observed: { existing: written(source()), unsealed: { ok: false, message: 'key "password": cannot decrypt' } }, write: "none", outcome: "stalled", reason: "ErrUnsealFailed", events: ["Warning/ErrUnsealFailed"] },
  { name: "not decrypted although needed: transient (never a guess)", src: source(), observed: { existing: null, unsealed: null }, write: "none", outcome: "transient", reason: "ErrUnsealFailed", events: [] },
];

for (const shape of ["sealed-secrets", "conditions"] as const) {
  describe(`planEncryptedSecret (${shape})`, () => {
    for (const row of rows) {
      test(row.name, () => {
        const plan = planEncryptedSecret(shape, row.src, row.observed);
        assert.equal(writeKind(plan.writes), row.write);
        assert.equal(plan.outcome.kind, row.outcome);
        if (plan.outcome.kind !== "ok") assert.equal(plan.outcome.reason, row.reason);
        assert.deepEqual(plan.events.map((e) => `${e.type}/${e.reason}`), row.events);
        if (row.outcome !== "transient") {
          const types = shape === "conditions" ? ["Synced", "Ready"] : ["Synced"];
          assert.deepEqual(plan.conditions.map((c) => [c.type, c.status, c.reason]), types.map((t) => [t, row.outcome === "ok" ? "True" : "False", row.reason]));
        }
        for (const e of plan.events) assert.equal(plan.conditions.some((c) => c.reason === e.reason), true, "Event reasons are condition reasons");
        assert.doesNotMatch(JSON.stringify([plan.conditions, plan.events, plan.outcome]), new RegExp(CANARY));
        if (row.observed.unsealed === null) {
          // observe hands over what it decided without decrypting: the plan is the same as deciding again.
          const decided = planWithoutDecrypting(row.src, row.observed.existing, row.observed.keyIds);
          assert.deepEqual(planEncryptedSecret(shape, row.src, { ...row.observed, withoutDecrypting: decided }), plan);
        }
      });
    }
  });
}
