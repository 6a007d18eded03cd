import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import type { SealedSecret } from "../../src/api/sealed-secret.js";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { DecryptError, InputError } from "../../src/errors.js";
import { sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { reencryptSealedSecret, sealedSecretToSecret } from "../../src/seal/sealed-secret-opener.js";
import { rawVectors, referenceDecrypt, vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";

const CANARY = "CANARY-opener-51c2";
const newKey = generateKeyPairSync("rsa", { modulusLength: 2048 });

function sealed(): SealedSecret {
  return sealSecret(
    { apiVersion: "v1", kind: "Secret", metadata: { name: "app", namespace: "web", labels: { a: "b" } }, type: "Opaque", stringData: { token: CANARY } },
    { publicKey: vectorPublicKey, source: "t" },
  );
}

describe("sealedSecretToSecret", () => {
  test("gives back the Secret: name, namespace, template metadata, type, data", () => {
    const secret = sealedSecretToSecret(sealed(), [vectorPrivateKey], "t");
    assert.deepEqual(secret, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "app", namespace: "web", labels: { a: "b" } },
      type: "Opaque",
      data: { token: Buffer.from(CANARY).toString("base64") },
    });
  });

  test("opens genuine kubeseal values placed in a SealedSecret of each scope", () => {
    for (const v of rawVectors.filter((x) => x.description === "utf8")) {
      const annotations = v.scope === "strict" ? undefined : { [`sealedsecrets.bitnami.com/${v.scope}`]: "true" };
      const obj = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: v.name ?? "any", namespace: v.namespace ?? "any", annotations }, spec: { encryptedData: { k: v.ciphertext_b64 } } } as SealedSecret;
      assert.equal(sealedSecretToSecret(obj, [vectorPrivateKey], "t").data?.["k"], v.plaintext_b64);
    }
  });

  test("the deprecated v1 spec.data (whole Secret as one blob) is opened too", () => {
    const blob = hybridEncrypt(vectorPublicKey, "web/app", Buffer.from(JSON.stringify({ data: { legacy: Buffer.from(CANARY).toString("base64") } })));
    const obj = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "app", namespace: "web" }, spec: { data: blob.toString("base64") } } as SealedSecret;
    assert.equal(Buffer.from(sealedSecretToSecret(obj, [vectorPrivateKey], "t").data?.["legacy"] ?? "", "base64").toString(), CANARY);
  });

  test("errors name the key, never the value; templates are refused offline", () => {
    const wrong = { ...sealed(), metadata: { name: "app", namespace: "other" } };
    assert.throws(() => sealedSecretToSecret(wrong, [vectorPrivateKey], "f.yaml"), (e: unknown) => e instanceof DecryptError && /f\.yaml, key "token"/.test(e.message) && !e.message.includes(CANARY));
    const notB64 = { ...sealed(), spec: { encryptedData: { token: "%%%" } } };
    assert.throws(() => sealedSecretToSecret(notB64, [vectorPrivateKey], "f.yaml"), /is not base64/);
    const templated = { ...sealed(), spec: { ...sealed().spec, template: { data: { url: "https://{{ .token }}@x" } } } };
    assert.throws(() => sealedSecretToSecret(templated, [vectorPrivateKey], "f.yaml"), InputError);
  });
});

describe("reencryptSealedSecret (offline)", () => {
  test("re-seals every value to the new key under the same label and keeps everything else", () => {
    const before = sealed();
    const after = reencryptSealedSecret(before, [vectorPrivateKey], newKey.publicKey, "t");
    assert.deepEqual(after.metadata, before.metadata);
    assert.deepEqual(after.spec.template, before.spec.template);
    const ct = Buffer.from(after.spec.encryptedData?.["token"] ?? "", "base64");
    assert.equal(referenceDecrypt(newKey.privateKey, "web/app", ct).toString(), CANARY);
    assert.throws(() => sealedSecretToSecret(after, [vectorPrivateKey], "t"), DecryptError);
  });

  test("fails without a key that opens the values", () => {
    assert.throws(() => reencryptSealedSecret(sealed(), [newKey.privateKey], newKey.publicKey, "t"), DecryptError);
  });
});
