import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { HttpServer } from "../../../src/server/http-server.js";
import { registerKeyEndpoints } from "../../../src/controller/sealed-secret/key-endpoints.js";
import { hybridDecrypt, hybridEncrypt } from "../../../src/crypto/hybrid-encryption.js";
import { goGeneratedKey, opensslKey } from "../../support/openssl-keys.js";

const CANARY = "canary-endpoint-91ab";
const go = goGeneratedKey();
const newer = opensslKey();
const goPriv = createPrivateKey(go.privateKeyPem);
const newerPriv = createPrivateKey(newer.privateKeyPem);
const keys = {
  registry: { keys: [ { privateKey: newerPriv, certificatePem: newer.certificatePem }, { privateKey: goPriv, certificatePem: go.certificatePem } ] },
  privateKeys: [newerPriv, goPriv],
  ageRecipient: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
};

function sealed(ns: string, name: string, values: Record<string, string>, key = goPriv, annotations: Record<string, string> = {}) {
  const pub = createPublicKey(key);
  const label = annotations["sealedsecrets.bitnami.com/cluster-wide"] ? "" : `${ns}/${name}`;
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata: { name, namespace: ns, annotations },
    spec: {
      encryptedData: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, hybridEncrypt(pub, label, Buffer.from(v)).toString("base64")])),
      template: { metadata: { name, namespace: ns }, type: "Opaque" },
    },
  };
}

describe("key endpoints", () => {
  const server = new HttpServer();
  let base = "";
  before(async () => {
    registerKeyEndpoints(server, keys, { ratePerSecond: 1000, burst: 1000 });
    const bound = await server.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${bound.port}`;
  });
  after(() => server.close());

  test("GET /v1/cert.pem serves the newest certificate", async () => {
    const res = await fetch(`${base}/v1/cert.pem`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-pem-file");
    assert.equal(await res.text(), newer.certificatePem);
  });

  test("GET /v1/age-recipient serves the recipient", async () => {
    const res = await fetch(`${base}/v1/age-recipient`);
    assert.equal(await res.text(), `${keys.ageRecipient}\n`);
  });

  test("POST /v1/verify: 200 when it opens (old key), 409 when moved or tampered, 400 when malformed", async () => {
    const ok = sealed("prod", "db", { password: CANARY });
    assert.equal((await fetch(`${base}/v1/verify`, { method: "POST", body: JSON.stringify(ok) })).status, 200);
    const moved = { ...ok, metadata: { ...ok.metadata, namespace: "dev" } };
    const movedRes = await fetch(`${base}/v1/verify`, { method: "POST", body: JSON.stringify(moved) });
    assert.equal(movedRes.status, 409);
    assert.doesNotMatch(await movedRes.text(), new RegExp(CANARY));
    assert.equal((await fetch(`${base}/v1/verify`, { method: "POST", body: "{not json" })).status, 400);
    assert.equal((await fetch(`${base}/v1/verify`, { method: "POST", body: JSON.stringify({ kind: "Secret" }) })).status, 400);
    const yamlBody = `apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: db, namespace: prod}\nspec:\n  encryptedData:\n    password: ${ok.spec.encryptedData["password"]}\n`;
    assert.equal((await fetch(`${base}/v1/verify`, { method: "POST", body: yamlBody })).status, 200);
  });

  test("POST /v1/rotate re-seals every value to the newest key, with no plaintext in the answer", async () => {
    const input = sealed("prod", "db", { password: CANARY, user: "admin-canary" });
    const res = await fetch(`${base}/v1/rotate`, { method: "POST", body: JSON.stringify(input) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    const body = await res.text();
    assert.doesNotMatch(body, new RegExp(`${CANARY}|admin-canary|${Buffer.from(CANARY).toString("base64")}`));
    const out = JSON.parse(body) as typeof input;
    assert.deepEqual(out.metadata, input.metadata);
    assert.deepEqual(out.spec.template, input.spec.template);
    const pw = Buffer.from(out.spec.encryptedData["password"] ?? "", "base64");
    assert.equal(hybridDecrypt([newerPriv], "prod/db", pw).toString(), CANARY);
    assert.throws(() => hybridDecrypt([goPriv], "prod/db", pw));
    const moved = { ...input, metadata: { ...input.metadata, name: "other" } };
    assert.equal((await fetch(`${base}/v1/rotate`, { method: "POST", body: JSON.stringify(moved) })).status, 409);
  });

  test("cluster-wide SealedSecrets need no namespace", async () => {
    const cw = sealed("", "", { a: "x" }, goPriv, { "sealedsecrets.bitnami.com/cluster-wide": "true" });
    const body = { ...cw, metadata: { annotations: cw.metadata.annotations }, spec: { encryptedData: cw.spec.encryptedData } };
    assert.equal((await fetch(`${base}/v1/verify`, { method: "POST", body: JSON.stringify(body) })).status, 200);
  });

  test("verify is rate limited (429), refilled over time; rotate is not", async () => {
    let now = 0;
    const limited = new HttpServer();
    registerKeyEndpoints(limited, keys, { ratePerSecond: 2, burst: 2, nowMs: () => now });
    const bound = await limited.listen({ host: "127.0.0.1", port: 0 });
    try {
      const body = JSON.stringify(sealed("prod", "db", { a: "x" }));
      const post = (path: string) => fetch(`http://127.0.0.1:${bound.port}${path}`, { method: "POST", body }).then((r) => r.status);
      assert.deepEqual([await post("/v1/verify"), await post("/v1/verify"), await post("/v1/verify")], [200, 200, 429]);
      assert.deepEqual([await post("/v1/rotate"), await post("/v1/rotate"), await post("/v1/rotate")], [200, 200, 200]);
      now += 500;
      assert.deepEqual([await post("/v1/verify"), await post("/v1/verify")], [200, 429]);
    } finally {
      await limited.close();
    }
  });

  test("no key yet: 503", async () => {
    const empty = new HttpServer();
    registerKeyEndpoints(empty, { registry: { keys: [] }, privateKeys: [], ageRecipient: undefined });
    const bound = await empty.listen({ host: "127.0.0.1", port: 0 });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${bound.port}/v1/cert.pem`)).status, 503);
      assert.equal((await fetch(`http://127.0.0.1:${bound.port}/v1/age-recipient`)).status, 503);
    } finally {
      await empty.close();
    }
  });
});
