import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { hybridDecrypt, hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { generateSealingKey, parsePrivateKeys, parseSealingCertificate } from "../../src/crypto/sealing-key.js";
import { InputError } from "../../src/errors.js";
import { VECTOR_KEY, vectorCertPem, vectorPublicKey } from "../support/sealing-vectors.js";

const fixedNow = new Date("2030-01-02T03:04:05Z");
const clock = { now: () => fixedNow };
const keyPem = readFileSync(VECTOR_KEY, "utf8");

describe("parseSealingCertificate", () => {
  test("reads the Go-generated certificate's RSA key and validity", () => {
    const cert = parseSealingCertificate(vectorCertPem, "tls.crt", clock);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 4096);
    assert.ok(cert.publicKey.equals(vectorPublicKey));
    assert.equal(cert.notAfter.toISOString(), "2036-11-18T23:43:24.000Z");
  });

  test("uses the first of several certificates (as /v1/cert.pem may serve)", async () => {
    const other = await generateSealingKey({ bits: 2048, clock });
    const cert = parseSealingCertificate(`${vectorCertPem}\n${other.certificatePem}`, "bundle", clock);
    assert.ok(cert.publicKey.equals(vectorPublicKey));
  });

  test("refuses an expired certificate as kubeseal does", () => {
    const later = { now: () => new Date("2037-01-01T00:00:00Z") };
    assert.throws(() => parseSealingCertificate(vectorCertPem, "tls.crt", later), /^InputError: failed to encrypt using an expired certificate: tls\.crt/);
  });

  test("refuses text with no certificate, and garbage inside PEM markers", () => {
    assert.throws(() => parseSealingCertificate("hello", "x.pem", clock), (err: unknown) => err instanceof InputError && /x\.pem holds no PEM certificate/.test(err.message));
    assert.throws(() => parseSealingCertificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "y.pem", clock), /y\.pem cannot be parsed/);
  });
});

describe("parsePrivateKeys", () => {
  test("PKCS#1 and PKCS#8 PEM, several blocks", () => {
    const pkcs8 = createPrivateKey(keyPem).export({ type: "pkcs8", format: "pem" }).toString();
    const keys = parsePrivateKeys(`${keyPem}\n${pkcs8}`, "keys.pem");
    assert.equal(keys.length, 2);
    const sealed = hybridEncrypt(vectorPublicKey, "a/b", Buffer.from("v"));
    for (const key of keys) assert.equal(hybridDecrypt([key], "a/b", sealed).toString(), "v");
  });

  test("a key Secret backup in JSON, in YAML, and a v1 List in YAML", () => {
    const secret = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "sealed-secrets-keyabcde" }, data: { "tls.key": Buffer.from(keyPem).toString("base64"), "tls.crt": Buffer.from(vectorCertPem).toString("base64") } };
    assert.equal(parsePrivateKeys(JSON.stringify(secret), "backup.json").length, 1);
    assert.equal(parsePrivateKeys(stringify(secret), "backup.yaml").length, 1);
    const list = { apiVersion: "v1", kind: "List", items: [secret, secret] };
    assert.equal(parsePrivateKeys(stringify(list), "backup.yaml").length, 2);
  });

  test("no key, or an unreadable key, is an InputError naming the file", () => {
    assert.throws(() => parsePrivateKeys("nothing here", "k.pem"), /invalid private key: k\.pem holds no PEM private key/);
    assert.throws(() => parsePrivateKeys("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "bad.pem"), /bad\.pem holds a key that is not a readable RSA key/);
  });
});

describe("generateSealingKey", () => {
  test("makes an RSA key and a 10-year self-signed Encipher-Only CA certificate, like the Go controller", async () => {
    const { privateKeyPem, certificatePem } = await generateSealingKey({ bits: 2048, clock });
    assert.match(privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/); // PKCS#1, as tls.key
    const x509 = new X509Certificate(certificatePem);
    assert.ok(x509.verify(x509.publicKey), "self-signed signature verifies");
    assert.ok(x509.checkPrivateKey(createPrivateKey(privateKeyPem)));
    assert.equal(new Date(x509.validFrom).toISOString(), "2030-01-02T03:04:05.000Z");
    assert.equal(new Date(x509.validTo).getTime() - fixedNow.getTime(), 87600 * 3600 * 1000);
    const text = execFileSync("openssl", ["x509", "-noout", "-text"], { input: certificatePem }).toString();
    assert.match(text, /Key Usage: critical\s+Encipher Only/);
    assert.match(text, /Basic Constraints: critical\s+CA:TRUE/);
    assert.equal(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    // Sealing to the new cert and opening with the new key works end to end.
    const cert = parseSealingCertificate(certificatePem, "new", clock);
    const sealed = hybridEncrypt(cert.publicKey, "ns/n", Buffer.from("CANARY"));
    assert.equal(hybridDecrypt(parsePrivateKeys(privateKeyPem, "new"), "ns/n", sealed).toString(), "CANARY");
    assert.match(x509.serialNumber, /^[1-7][0-9A-F]{31}$/i); // 128-bit, positive
  });

  test("defaults to RSA-4096", async () => {
    const { certificatePem } = await generateSealingKey({ clock });
    assert.equal(createPublicKey(certificatePem).asymmetricKeyDetails?.modulusLength, 4096);
  });
});
