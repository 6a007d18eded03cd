import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Secret } from "../../src/api/secret.js";
import type { SealedSecret } from "../../src/api/sealed-secret.js";
import { mergeSealedSecret, sealRawValue, sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { sealedSecretToSecret } from "../../src/seal/sealed-secret-opener.js";
import { DecryptError, InputError } from "../../src/errors.js";
import { referenceDecrypt, vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";

const CANARY = "CANARY-7f3a9-builder";

function secret(overrides: Partial<Secret> = {}): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "prod", labels: { app: "db" }, annotations: { note: "kept" } },
    type: "Opaque",
    data: { user: Buffer.from("admin").toString("base64") },
    stringData: { password: CANARY },
    ...overrides,
  };
}

function seal(s: Secret, extra: Partial<Parameters<typeof sealSecret>[1]> = {}): SealedSecret {
  return sealSecret(s, { publicKey: vectorPublicKey, source: "test", ...extra });
}

function moved(sealed: SealedSecret, namespace: string | undefined, name: string | undefined): SealedSecret {
  return { ...sealed, metadata: { ...sealed.metadata, namespace, name } };
}

function open(sealed: SealedSecret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sealedSecretToSecret(sealed, [vectorPrivateKey], "test").data ?? {})) out[k] = Buffer.from(v, "base64").toString();
  return out;
}

describe("sealSecret", () => {
  test("seals data and stringData per key with the strict label; an independent decrypt opens them", () => {
    const sealed = seal(secret());
    assert.equal(sealed.apiVersion, "bitnami.com/v1alpha1");
    assert.equal(sealed.kind, "SealedSecret");
    assert.deepEqual(sealed.metadata, { name: "db", namespace: "prod" });
    assert.deepEqual(Object.keys(sealed.spec.encryptedData ?? {}), ["password", "user"]);
    const ct = Buffer.from(sealed.spec.encryptedData?.["password"] ?? "", "base64");
    assert.equal(referenceDecrypt(vectorPrivateKey, "prod/db", ct).toString(), CANARY);
    assert.doesNotMatch(JSON.stringify(sealed), new RegExp(CANARY));
  });

  test("stringData wins over data for the same key, as in Kubernetes", () => {
    const sealed = seal(secret({ data: { password: Buffer.from("old").toString("base64") }, stringData: { password: "new" } }));
    assert.deepEqual(open(sealed), { password: "new" });
  });

  test("copies metadata into the template, minus last-applied-configuration, ownerReferences and server fields", () => {
    const input = secret({
      metadata: {
        name: "db",
        namespace: "prod",
        uid: "123",
        resourceVersion: "9",
        creationTimestamp: "2020-01-01T00:00:00Z",
        ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "1" }],
        labels: { app: "db" },
        annotations: {
          "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { password: CANARY } }),
          "kubecfg.ksonnet.io/last-applied-configuration": CANARY,
          note: "kept",
        },
      },
      immutable: true,
      type: "kubernetes.io/basic-auth",
    });
    const sealed = seal(input);
    assert.deepEqual(sealed.spec.template, {
      metadata: { name: "db", namespace: "prod", labels: { app: "db" }, annotations: { note: "kept" } },
      type: "kubernetes.io/basic-auth",
      immutable: true,
    });
    assert.doesNotMatch(JSON.stringify(sealed), new RegExp(CANARY));
  });

  test("strict: a value moved to another name or namespace does not decrypt", () => {
    const sealed = seal(secret());
    assert.equal(open(sealed)["password"], CANARY);
    assert.throws(() => open(moved(sealed, "prod", "other")), DecryptError);
    assert.throws(() => open(moved(sealed, "staging", "db")), DecryptError);
  });

  test("namespace-wide (flag or annotation): renames within the namespace work, other namespaces fail", () => {
    for (const sealed of [
      seal(secret(), { scope: "namespace-wide" }),
      seal(secret({ metadata: { name: "db", namespace: "prod", annotations: { "sealedsecrets.bitnami.com/namespace-wide": "true" } } })),
    ]) {
      assert.deepEqual(sealed.metadata?.annotations, { "sealedsecrets.bitnami.com/namespace-wide": "true" });
      assert.equal(sealed.spec.template?.metadata?.annotations?.["sealedsecrets.bitnami.com/namespace-wide"], "true");
      assert.equal(open(moved(sealed, "prod", "renamed"))["password"], CANARY);
      assert.throws(() => open(moved(sealed, "staging", "db")), DecryptError);
    }
  });

  test("cluster-wide: opens under any name and namespace; wins over namespace-wide", () => {
    const sealed = seal(secret({ metadata: { name: "db", namespace: "prod", annotations: { "sealedsecrets.bitnami.com/namespace-wide": "true", "sealedsecrets.bitnami.com/cluster-wide": "true" } } }));
    assert.deepEqual(sealed.metadata?.annotations, { "sealedsecrets.bitnami.com/cluster-wide": "true" });
    assert.equal(open(moved(sealed, "elsewhere", "anything"))["password"], CANARY);
    assert.equal(open(moved(sealed, undefined, "x"))["password"], CANARY);
  });

  test("--scope overrides annotations; --name/--namespace override metadata; a missing namespace takes the default", () => {
    const sealed = seal(secret({ metadata: { name: "db", annotations: { "sealedsecrets.bitnami.com/cluster-wide": "true" } } }), { scope: "strict", name: "other", defaultNamespace: "dflt" });
    assert.deepEqual(sealed.metadata, { name: "other", namespace: "dflt" });
    assert.equal(sealed.spec.template?.metadata?.annotations, undefined);
    assert.equal(open(sealed)["password"], CANARY);
  });

  test("refuses empty data unless allowed, and a strict Secret without name or namespace", () => {
    assert.throws(() => seal(secret({ data: {}, stringData: undefined })), (e: unknown) => e instanceof InputError && /no data or stringData/.test(e.message));
    assert.deepEqual(seal(secret({ data: {}, stringData: undefined }), { allowEmptyData: true }).spec.encryptedData, {});
    assert.throws(() => seal(secret({ metadata: { namespace: "prod" } })), /has no metadata.name/);
    assert.throws(() => seal(secret({ metadata: { name: "db" } })), /has no namespace/);
  });
});

describe("sealRawValue", () => {
  test("binds to the scope's label and needs what the scope needs", () => {
    const value = Buffer.from(CANARY);
    const strict = Buffer.from(sealRawValue(value, { publicKey: vectorPublicKey, scope: "strict", namespace: "n", name: "m" }), "base64");
    assert.equal(referenceDecrypt(vectorPrivateKey, "n/m", strict).toString(), CANARY);
    const nsWide = Buffer.from(sealRawValue(value, { publicKey: vectorPublicKey, scope: "namespace-wide", namespace: "n" }), "base64");
    assert.equal(referenceDecrypt(vectorPrivateKey, "n", nsWide).toString(), CANARY);
    const cluster = Buffer.from(sealRawValue(value, { publicKey: vectorPublicKey, scope: "cluster-wide" }), "base64");
    assert.equal(referenceDecrypt(vectorPrivateKey, "", cluster).toString(), CANARY);
    assert.throws(() => sealRawValue(value, { publicKey: vectorPublicKey, scope: "strict", namespace: "n" }), /needs --name and --namespace/);
    assert.throws(() => sealRawValue(value, { publicKey: vectorPublicKey, scope: "namespace-wide" }), /needs --namespace/);
  });
});

describe("mergeSealedSecret", () => {
  test("adds and replaces keys and template labels/annotations, keeps the rest", () => {
    const existing = seal(secret({ stringData: { a: "1", b: "2" }, data: undefined }));
    const update = seal(secret({ metadata: { name: "db", namespace: "prod", labels: { tier: "x" } }, stringData: { b: "two", c: "3" }, data: undefined }));
    const merged = mergeSealedSecret(existing, update);
    assert.deepEqual(open(merged), { a: "1", b: "two", c: "3" });
    assert.equal(merged.spec.encryptedData?.["a"], existing.spec.encryptedData?.["a"]);
    assert.deepEqual(merged.spec.template?.metadata?.labels, { app: "db", tier: "x" });
    assert.equal(merged.spec.template?.type, "Opaque");
  });
});
