import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MANAGED_ANNOTATION,
  PATCH_ANNOTATION,
  SKIP_OWNER_REFERENCES_ANNOTATION,
  UNSEALED_HASH_ANNOTATION,
  planSecret,
  planWithoutDecrypting,
} from "../../../src/controller/encrypted-secret/secret-plan.js";
import type { EncryptedSource, SecretPlan, Unsealed } from "../../../src/controller/encrypted-secret/secret-plan.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { writeKind, writtenObject } from "../support/child-writes.js";

const CANARY = "canary-7f3a9-plaintext";

function source(overrides: Partial<EncryptedSource> = {}): EncryptedSource {
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    name: "db",
    namespace: "prod",
    uid: "uid-1",
    encryptedKeys: ["password"],
    encryptedData: { password: "AgB-ciphertext" },
    template: { labels: { app: "db" }, annotations: { note: "n" } },
    scopeAnnotations: {},
    ...overrides,
  };
}

const unsealed: Unsealed = { ok: true, values: new Map([["password", Buffer.from(CANARY)]]) };

function secretFrom(plan: SecretPlan): KubeObject {
  assert.ok(writeKind(plan.writes) !== "none", `expected a write, got ${writeKind(plan.writes)}`);
  const secret = writtenObject(plan.writes);
  return { ...structuredClone(secret), metadata: { ...structuredClone(secret.metadata), resourceVersion: "7", uid: "s-uid" } };
}

function foreignSecret(annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "prod", resourceVersion: "3", annotations, labels: { keep: "me" } },
    type: "Opaque",
    data: { other: Buffer.from("x").toString("base64") },
  };
}

describe("planSecret", () => {
  test("no Secret yet: create it with template metadata, type and a controller owner reference", () => {
    const plan = planSecret(source({ template: { labels: { app: "db" }, type: "kubernetes.io/basic-auth", immutable: true } }), null, unsealed);
    assert.equal(writeKind(plan.writes), "create");
    const s = secretFrom(plan);
    assert.equal(s.metadata.name, "db");
    assert.equal(s.metadata.namespace, "prod");
    assert.deepEqual(s.metadata.labels, { app: "db" });
    assert.equal(s["type"], "kubernetes.io/basic-auth");
    assert.equal(s["immutable"], true);
    assert.deepEqual(s["data"], { password: Buffer.from(CANARY).toString("base64") });
    assert.deepEqual(s.metadata.ownerReferences, [
      { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", name: "db", uid: "uid-1", controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(plan.condition, { status: "True", reason: "Unsealed", message: "" });
    assert.equal(plan.event?.reason, "Unsealed");
  });

  test("skip-set-owner-references: no owner reference", () => {
    const plan = planSecret(source({ template: { annotations: { [SKIP_OWNER_REFERENCES_ANNOTATION]: "true" } } }), null, unsealed);
    assert.equal(secretFrom(plan).metadata.ownerReferences, undefined);
  });

  test("the Secret we wrote, unchanged: no write and no event", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    const again = planSecret(source(), first, unsealed);
    assert.equal(writeKind(again.writes), "none");
    assert.equal(again.event, undefined);
    assert.equal(again.condition.status, "True");
  });

  test("a changed source updates the Secret in place (keeping resourceVersion)", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    const changed = planSecret(source({ template: { labels: { app: "db2" } } }), first, unsealed);
    assert.equal(writeKind(changed.writes), "update");
    const s = secretFrom(changed);
    assert.deepEqual(s.metadata.labels, { app: "db2" });
  });

  test("a pre-existing Secret not ours is left alone with ErrUpdateFailed, before any decryption", () => {
    const plan = planSecret(source(), foreignSecret(), unsealed);
    assert.equal(writeKind(plan.writes), "none");
    assert.deepEqual(plan.condition, {
      status: "False",
      reason: "ErrUpdateFailed",
      message: 'Resource "db" already exists and is not managed by SealedSecret',
    });
    assert.equal(plan.event?.type, "Warning");
    assert.deepEqual(planWithoutDecrypting(source(), foreignSecret()), plan);
  });

  test("managed: replaced and owned, the managed annotation kept", () => {
    const plan = planSecret(source(), foreignSecret({ [MANAGED_ANNOTATION]: "true" }), unsealed);
    assert.equal(writeKind(plan.writes), "update");
    const s = secretFrom(plan);
    assert.deepEqual(Object.keys(s["data"] as object), ["password"]);
    assert.deepEqual(s.metadata.labels, { app: "db" });
    assert.equal(s.metadata.annotations?.[MANAGED_ANNOTATION], "true");
    assert.equal(s.metadata.ownerReferences?.[0]?.uid, "uid-1");
    assert.equal(s.metadata.resourceVersion, "7");
  });

  test("patch: keys, labels and annotations merged, no owner reference taken", () => {
    const plan = planSecret(source(), foreignSecret({ [PATCH_ANNOTATION]: "true" }), unsealed);
    const s = secretFrom(plan);
    assert.deepEqual(Object.keys(s["data"] as object).sort(), ["other", "password"]);
    assert.deepEqual(s.metadata.labels, { keep: "me", app: "db" });
    assert.equal(s.metadata.annotations?.[PATCH_ANNOTATION], "true");
    assert.equal(s.metadata.ownerReferences, undefined);
  });

  test("patch + managed: merged and owned", () => {
    const s = secretFrom(planSecret(source(), foreignSecret({ [PATCH_ANNOTATION]: "true", [MANAGED_ANNOTATION]: "true" }), unsealed));
    assert.deepEqual(Object.keys(s["data"] as object).sort(), ["other", "password"]);
    assert.equal(s.metadata.ownerReferences?.[0]?.kind, "SealedSecret");
  });

  test("decryption failure: Synced=False ErrUnsealFailed, Warning event, the Secret untouched", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    const plan = planSecret(source(), first, { ok: false, message: 'key "password": cannot decrypt' });
    assert.equal(writeKind(plan.writes), "none");
    assert.equal(plan.condition.reason, "ErrUnsealFailed");
    assert.equal(plan.condition.message, 'Failed to unseal: key "password": cannot decrypt');
    assert.equal(plan.event?.type, "Warning");
  });

  test("template.data renders over decrypted values and overrides keys", () => {
    const src = source({ template: { data: { url: "db://u:{{ .password }}@h", password: "x{{ .password }}" } } });
    const s = secretFrom(planSecret(src, null, unsealed));
    const data = s["data"] as Record<string, string>;
    assert.equal(Buffer.from(data["url"] ?? "", "base64").toString(), `db://u:${CANARY}@h`);
    assert.equal(Buffer.from(data["password"] ?? "", "base64").toString(), `x${CANARY}`);
  });

  test("an unsupported template is a clear ErrUnsealFailed without values", () => {
    const plan = planSecret(source({ template: { data: { u: "{{ .password | upper }}" } } }), null, unsealed);
    assert.equal(plan.condition.reason, "ErrUnsealFailed");
    assert.match(plan.condition.message, /unsupported template action/);
  });

  test("an immutable Secret that must change is recreated", () => {
    const first = secretFrom(planSecret(source({ template: { immutable: true } }), null, unsealed));
    const plan = planSecret(source({ template: { immutable: true, labels: { v: "2" } } }), first, unsealed);
    assert.equal(writeKind(plan.writes), "recreate");
  });

  test("no plan, condition or event ever holds the plaintext", () => {
    const plans = [
      planSecret(source(), null, unsealed),
      planSecret(source(), foreignSecret(), unsealed),
      planSecret(source({ template: { data: { u: "{{ .nope }}" } } }), null, unsealed),
    ];
    for (const p of plans) assert.doesNotMatch(JSON.stringify([p.condition, p.event]), new RegExp(CANARY));
  });
});

describe("planWithoutDecrypting", () => {
  test("up to date: answers Synced without decrypting", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    const plan = planWithoutDecrypting(source(), first);
    assert.ok(plan);
    assert.equal(writeKind(plan.writes), "none");
    assert.equal(plan?.condition.status, "True");
  });

  test("no Secret, changed ciphertext, edited data, removed label or owner: decrypt", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    assert.equal(planWithoutDecrypting(source(), null), null);
    assert.equal(planWithoutDecrypting(source({ encryptedData: { password: "AgB-other" } }), first), null);
    const edited = structuredClone(first);
    (edited["data"] as Record<string, string>)["password"] = "ZWRpdGVk";
    assert.equal(planWithoutDecrypting(source(), edited), null);
    const unlabelled = structuredClone(first);
    delete unlabelled.metadata.labels;
    assert.equal(planWithoutDecrypting(source(), unlabelled), null);
    const orphan = structuredClone(first);
    delete orphan.metadata.ownerReferences;
    assert.equal(planWithoutDecrypting(source(), orphan), null);
  });

  test("a recreated source (new uid) needs a new owner reference", () => {
    const first = secretFrom(planSecret(source(), null, unsealed));
    assert.equal(planWithoutDecrypting(source({ uid: "uid-2" }), first), null);
    assert.equal(writeKind(planSecret(source({ uid: "uid-2" }), first, unsealed).writes), "update");
  });

  test("patch mode, up to date: no decrypt even with foreign keys present", () => {
    const s = secretFrom(planSecret(source(), foreignSecret({ [PATCH_ANNOTATION]: "true" }), unsealed));
    const quick = planWithoutDecrypting(source(), s);
    assert.ok(quick);
    assert.equal(writeKind(quick.writes), "none");
  });

  test("the hash annotation is set on what we write", () => {
    const s = secretFrom(planSecret(source(), null, unsealed));
    assert.match(s.metadata.annotations?.[UNSEALED_HASH_ANNOTATION] ?? "", /^[0-9a-f]{64}$/);
  });
});
