import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { controllerReencryptor, offlineReencryptor } from "../../src/seal/reencryptor.js";
import { RemoteError } from "../../src/errors.js";
import { vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";

const newKey = generateKeyPairSync("rsa", { modulusLength: 2048 });
const sealed = sealSecret({ apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "b" }, stringData: { k: "v" } }, { publicKey: vectorPublicKey, source: "t" });

describe("offlineReencryptor", () => {
  test("re-encrypts values on an old key, and leaves values already on the newest key alone", async () => {
    const reencrypt = offlineReencryptor([vectorPrivateKey, newKey.privateKey], newKey.publicKey);
    const fresh = await reencrypt(sealed, "t");
    assert.ok(fresh);
    assert.notEqual(fresh.spec.encryptedData?.["k"], sealed.spec.encryptedData?.["k"]);
    assert.equal(await reencrypt(fresh, "t"), null);
  });
});

describe("controllerReencryptor", () => {
  test("posts the SealedSecret to /v1/rotate and takes only the new ciphertexts", async () => {
    const calls: Array<{ method: string; path: string; body: unknown }> = [];
    const reencrypt = controllerReencryptor({
      async request(method, path, body) {
        calls.push({ method, path, body: JSON.parse(body ?? "null") });
        const answer = { ...sealed, metadata: { name: "changed-by-server" }, spec: { encryptedData: { k: "NEW" } } };
        return { status: 200, body: Buffer.from(JSON.stringify(answer)) };
      },
    });
    const fresh = await reencrypt(sealed, "t");
    assert.deepEqual(calls.map((c) => [c.method, c.path]), [["POST", "/v1/rotate"]]);
    assert.deepEqual(calls[0]?.body, JSON.parse(JSON.stringify(sealed)));
    assert.deepEqual(fresh?.metadata, sealed.metadata);
    assert.deepEqual(fresh?.spec.encryptedData, { k: "NEW" });
  });

  test("a refusal or a non-SealedSecret answer is a RemoteError", async () => {
    const refusing = controllerReencryptor({ request: async () => ({ status: 409, body: Buffer.from("no key could decrypt secret") }) });
    await assert.rejects(refusing(sealed, "f.yaml"), (e: unknown) => e instanceof RemoteError && /f\.yaml: the controller answered HTTP 409/.test(e.message));
    const nonsense = controllerReencryptor({ request: async () => ({ status: 200, body: Buffer.from("{}") }) });
    await assert.rejects(nonsense(sealed, "f.yaml"), /not a SealedSecret/);
  });
});
