import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import type { SealedSecret } from "../../../src/api/sealed-secret.js";
import { hybridDecrypt, hybridEncrypt } from "../../../src/crypto/hybrid-encryption.js";
import { openSealedSecretValues } from "../../../src/controller/sealed-secret/observe.js";
import { sealedSecretSource } from "../../../src/controller/sealed-secret/plan.js";
import { planSecret } from "../../../src/controller/encrypted-secret/secret-plan.js";
import { writeKind, writtenObject } from "../support/child-writes.js";
import { goGeneratedKey, opensslKey } from "../../support/openssl-keys.js";

interface Vector {
  description: string;
  scope: string;
  namespace: string;
  name: string;
  plaintext_b64: string;
  ciphertext_b64: string;
}
const vectors = (JSON.parse(readFileSync(new URL("../../fixtures/sealed-secrets/kubeseal-raw.json", import.meta.url), "utf8")) as { vectors: Vector[] }).vectors;
const goKey = createPrivateKey(goGeneratedKey().privateKeyPem);
const otherKey = createPrivateKey(opensslKey().privateKeyPem);

function scopeAnnotations(scope: string): Record<string, string> {
  if (scope === "cluster-wide") return { "sealedsecrets.bitnami.com/cluster-wide": "true" };
  if (scope === "namespace-wide") return { "sealedsecrets.bitnami.com/namespace-wide": "true" };
  return {};
}

function sealedSecret(encryptedData: Record<string, string>, annotations: Record<string, string> = {}): SealedSecret {
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata: { name: "my-secret", namespace: "my-namespace", annotations },
    spec: { encryptedData },
  };
}

describe("openSealedSecretValues", () => {
  test("opens every kubeseal-made vector under the scope its annotations select", async () => {
    for (const scope of ["strict", "namespace-wide", "cluster-wide"]) {
      const vs = vectors.filter((v) => v.scope === scope);
      const ss = sealedSecret(Object.fromEntries(vs.map((v) => [v.description, v.ciphertext_b64])), scopeAnnotations(scope));
      const got = await openSealedSecretValues(ss, "my-namespace", "my-secret", [otherKey, goKey], hybridDecrypt);
      assert.ok(got.ok, `scope ${scope}`);
      for (const v of vs) assert.equal(got.values.get(v.description)?.toString("base64"), v.plaintext_b64, `${scope} ${v.description}`);
    }
  });

  const refusals: Array<[string, string, string, Record<string, string>]> = [
    ["strict value moved to another name", "my-namespace", "other", {}],
    ["strict value moved to another namespace", "elsewhere", "my-secret", {}],
    ["namespace-wide value moved to another namespace", "elsewhere", "my-secret", scopeAnnotations("namespace-wide")],
    ["strict value relabelled cluster-wide", "my-namespace", "my-secret", scopeAnnotations("cluster-wide")],
  ];
  for (const [name, ns, n, ann] of refusals) {
    test(`refuses a ${name}`, async () => {
      const v = vectors.find((x) => x.scope === (Object.keys(ann).length && name.startsWith("namespace") ? "namespace-wide" : "strict") && x.description === "ascii");
      const got = await openSealedSecretValues(sealedSecret({ password: v?.ciphertext_b64 ?? "" }, ann), ns, n, [goKey], hybridDecrypt);
      assert.equal(got.ok, false);
      assert.match(!got.ok ? got.message : "", /^key "password": cannot decrypt/);
    });
  }

  test("refuses a tampered ciphertext and a non-base64 one, naming only the key", async () => {
    const v = vectors.find((x) => x.scope === "strict" && x.description === "ascii");
    const bytes = Buffer.from(v?.ciphertext_b64 ?? "", "base64");
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1;
    const tampered = await openSealedSecretValues(sealedSecret({ a: bytes.toString("base64") }), "my-namespace", "my-secret", [goKey], hybridDecrypt);
    assert.equal(tampered.ok, false);
    const junk = await openSealedSecretValues(sealedSecret({ b: "%%%" }), "my-namespace", "my-secret", [goKey], hybridDecrypt);
    assert.deepEqual(junk, { ok: false, message: 'key "b": the value is not base64' });
  });

  test("no keys, and the deprecated spec.data, are clear failures", async () => {
    const none = await openSealedSecretValues(sealedSecret({ a: "AAAA" }), "my-namespace", "my-secret", [], hybridDecrypt);
    assert.match(!none.ok ? none.message : "", /no sealing key/);
    const v1: SealedSecret = { ...sealedSecret({}), spec: { data: "AAAA" } };
    const old = await openSealedSecretValues(v1, "my-namespace", "my-secret", [goKey], hybridDecrypt);
    assert.match(!old.ok ? old.message : "", /deprecated v1 format/);
  });

  test("end to end through the planner: sealed with our hybridEncrypt → Secret data", async () => {
    const pub = createPublicKey(goKey);
    const ct = hybridEncrypt(pub, "prod/db", Buffer.from("s3cr3t")).toString("base64");
    const ss: SealedSecret = { ...sealedSecret({ password: ct }), metadata: { name: "db", namespace: "prod" } };
    const unsealed = await openSealedSecretValues(ss, "prod", "db", [goKey], hybridDecrypt);
    const plan = planSecret(sealedSecretSource(ss, "prod", "db", "u1"), null, unsealed);
    assert.equal(writeKind(plan.writes), "create");
    const data = writtenObject(plan.writes)["data"] as Record<string, string>;
    assert.equal(Buffer.from(data["password"] ?? "", "base64").toString(), "s3cr3t");
  });
});
