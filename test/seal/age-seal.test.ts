import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAgeSecret } from "../../src/api/age-secret.js";
import type { Secret } from "../../src/api/secret.js";
import { generateAgeIdentity } from "../../src/crypto/age-keys.js";
import { DecryptError, InputError } from "../../src/errors.js";
import { sealToAgeSecret, ageSecretToSecret } from "../../src/seal/age-seal.js";

const CANARY = "canary-seal-Pp4w";
const CANARY_B64 = Buffer.from(`${CANARY}-data`).toString("base64");
const owner = await generateAgeIdentity();
const backup = await generateAgeIdentity();
const stranger = await generateAgeIdentity();

function secret(overrides: Partial<Secret> = {}): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "db",
      namespace: "prod",
      labels: { app: "db" },
      annotations: {
        note: "kept",
        "kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"password":"${CANARY}"}}`,
      },
      ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "p", uid: "u" }],
      uid: "123",
      resourceVersion: "9",
    },
    type: "Opaque",
    immutable: true,
    data: { binary: CANARY_B64, shadowed: Buffer.from("old").toString("base64") },
    stringData: { password: CANARY, shadowed: "new" },
    ...overrides,
  };
}

describe("sealToAgeSecret", () => {
  test("builds an AgeSecret with the sealed-secrets metadata rules and no plaintext", async () => {
    const sealed = await sealToAgeSecret(secret(), { recipients: [owner.recipient, backup.recipient], scope: "strict" });
    assert.equal(sealed.apiVersion, "sealbridge.io/v1alpha1");
    assert.equal(sealed.kind, "AgeSecret");
    assert.deepEqual(sealed.metadata, { name: "db", namespace: "prod" });
    assert.deepEqual(Object.keys(sealed.spec.encryptedData), ["binary", "password", "shadowed"]);
    assert.deepEqual(sealed.spec.template, {
      metadata: { name: "db", namespace: "prod", labels: { app: "db" }, annotations: { note: "kept" } },
      type: "Opaque",
      immutable: true,
    });
    const json = JSON.stringify(sealed);
    assert.ok(!json.includes(CANARY) && !json.includes(CANARY_B64), "plaintext in AgeSecret");
    assert.deepEqual(parseAgeSecret(JSON.parse(json), "x"), sealed);
  });

  test("scope annotations are recorded, in the template too, replacing the input's", async () => {
    const ns = await sealToAgeSecret(secret(), { recipients: [owner.recipient], scope: "namespace-wide" });
    assert.deepEqual(ns.metadata.annotations, { "sealedsecrets.bitnami.com/namespace-wide": "true" });
    assert.deepEqual(ns.spec.template?.metadata?.annotations, { note: "kept", "sealedsecrets.bitnami.com/namespace-wide": "true" });
    const input = secret();
    input.metadata = { ...input.metadata, annotations: { "sealedsecrets.bitnami.com/cluster-wide": "true" } };
    const strict = await sealToAgeSecret(input, { recipients: [owner.recipient], scope: "strict" });
    assert.equal(strict.metadata.annotations, undefined);
    assert.equal(strict.spec.template?.metadata?.annotations, undefined);
    const cw = await sealToAgeSecret(secret(), { recipients: [owner.recipient], scope: "cluster-wide" });
    assert.deepEqual(cw.metadata.annotations, { "sealedsecrets.bitnami.com/cluster-wide": "true" });
  });

  test("refuses a Secret without name or namespace (unless cluster-wide); empty data is the caller's call", async () => {
    const opts = { recipients: [owner.recipient], scope: "strict" as const };
    await assert.rejects(sealToAgeSecret(secret({ metadata: { namespace: "prod" } }), opts), InputError);
    await assert.rejects(sealToAgeSecret(secret({ metadata: { name: "db" } }), opts), /no metadata.namespace/);
    const cw = await sealToAgeSecret(secret({ metadata: { name: "db" } }), { ...opts, scope: "cluster-wide" });
    assert.equal(cw.metadata.namespace, undefined);
    const empty = await sealToAgeSecret(secret({ data: {}, stringData: null }), opts);
    assert.deepEqual(empty.spec.encryptedData, {});
    await assert.rejects(sealToAgeSecret(secret({ data: {}, stringData: null }), { ...opts, recipients: [] }), /no age recipient/);
  });
});

describe("ageSecretToSecret", () => {
  test("any recipient opens it back into the Secret (stringData folded into data)", async () => {
    const sealed = await sealToAgeSecret(secret(), { recipients: [owner.recipient, backup.recipient], scope: "strict" });
    for (const id of [owner.identity, backup.identity]) {
      const out = await ageSecretToSecret(JSON.parse(JSON.stringify(sealed)), [id], "s.yaml document 0");
      assert.deepEqual(out, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "db", namespace: "prod", labels: { app: "db" }, annotations: { note: "kept" } },
        type: "Opaque",
        immutable: true,
        data: {
          binary: CANARY_B64,
          password: Buffer.from(CANARY).toString("base64"),
          shadowed: Buffer.from("new").toString("base64"),
        },
      });
    }
  });

  test("moving a strict AgeSecret to another name or namespace is refused, naming the key only", async () => {
    const sealed = await sealToAgeSecret(secret(), { recipients: [owner.recipient], scope: "strict" });
    for (const metadata of [{ name: "other", namespace: "prod" }, { name: "db", namespace: "dev" }]) {
      await assert.rejects(ageSecretToSecret({ ...sealed, metadata }, [owner.identity], "moved.yaml"), (err: unknown) => {
        assert.ok(err instanceof DecryptError);
        assert.equal(err.code, "AgeScopeMismatch");
        assert.match(err.message, /key "binary" \(moved\.yaml\)/);
        assert.ok(!err.message.includes(CANARY));
        return true;
      });
    }
    const nsWide = await sealToAgeSecret(secret(), { recipients: [owner.recipient], scope: "namespace-wide" });
    const renamed = await ageSecretToSecret({ ...nsWide, metadata: { name: "renamed", namespace: "prod" } }, [owner.identity], "x");
    assert.equal(renamed.metadata?.name, "renamed");
  });

  test("a stranger's identity, an invalid object and templated data fail clearly", async () => {
    const sealed = await sealToAgeSecret(secret(), { recipients: [owner.recipient], scope: "strict" });
    await assert.rejects(ageSecretToSecret(sealed, [stranger.identity], "x"), (err: unknown) => err instanceof DecryptError && err.code === "AgeNoIdentityMatched");
    await assert.rejects(ageSecretToSecret({ kind: "AgeSecret" }, [owner.identity], "bad.yaml"), /invalid AgeSecret: bad\.yaml: apiVersion/);
    const notArmored = { ...sealed, spec: { encryptedData: { password: CANARY } } };
    await assert.rejects(ageSecretToSecret(notArmored, [owner.identity], "bad.yaml"), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /spec\.encryptedData\.password: values are ASCII-armored age files/);
      assert.ok(!err.message.includes(CANARY));
      return true;
    });
    const templated = { ...sealed, spec: { ...sealed.spec, template: { data: { url: "x" } } } };
    await assert.rejects(ageSecretToSecret(templated, [owner.identity], "t.yaml"), /spec\.template\.data/);
  });
});
