import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import fc from "fast-check";
import { certificateInfo } from "../../src/certs/certificate-info.js";
import { readDerCertificate } from "../../src/certs/der.js";
import { parsePem } from "../../src/certs/pem.js";
import { opensslCa, opensslLeaf, type TestCa } from "../support/openssl-certs.js";

function derOf(pem: string): Buffer {
  const block = parsePem(pem).blocks[0];
  assert.ok(block);
  return block.der;
}

describe("readDerCertificate agrees with node:crypto X509Certificate", () => {
  let ca: TestCa;
  const ders: Buffer[] = [];
  before(() => {
    ca = opensslCa();
    const day = 86_400_000;
    ders.push(derOf(ca.certPem));
    ders.push(derOf(opensslLeaf(ca, ["www.example.test", "example.test", "*.apps.example.test"], new Date("2026-10-01T00:00:00Z"), new Date("2026-12-30T00:00:00Z")).certPem));
    ders.push(derOf(opensslLeaf(ca, ["10.0.0.1", "host.example.test"], new Date("1999-01-01T00:00:00Z"), new Date("2051-06-01T12:34:56Z")).certPem));
    ders.push(derOf(opensslLeaf(ca, ["short.example.test"], new Date(Date.now() - day), new Date(Date.now() + 45 * day)).certPem));
  });
  after(() => ca.dispose());

  test("subject, issuer, SANs, validity (UTCTime and GeneralizedTime), serial, CA flag, fingerprint", () => {
    for (const der of ders) {
      const fast = readDerCertificate(der);
      assert.ok(fast, "read");
      const slow = certificateInfo(new X509Certificate(der));
      assert.equal(fast.subject.split("\n").join(", "), slow.subject);
      assert.equal(fast.issuer.split("\n").join(", "), slow.issuer);
      assert.deepEqual(fast.dnsNames, slow.dnsNames);
      assert.deepEqual(fast.ipAddresses, slow.ipAddresses);
      assert.equal(fast.notBefore.toISOString(), slow.notBefore.toISOString());
      assert.equal(fast.notAfter.toISOString(), slow.notAfter.toISOString());
      assert.equal(fast.serialNumber, slow.serialNumber);
      assert.equal(fast.isCA, slow.isCA);
      assert.equal(fast.fingerprint256, slow.fingerprint256);
    }
  });
  test("property: truncated or corrupted DER returns null or a result, never throws", () => {
    const base = ders[1] as Buffer;
    fc.assert(
      fc.property(fc.nat({ max: base.length }), fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (cut, at, byte) => {
        const truncated = base.subarray(0, cut);
        const corrupted = Buffer.from(base);
        corrupted[at] = byte;
        readDerCertificate(truncated);
        readDerCertificate(corrupted);
        return cut === base.length || readDerCertificate(truncated) === null;
      }),
    );
  });
  test("property: arbitrary bytes never throw", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => readDerCertificate(bytes) === null || typeof readDerCertificate(bytes) === "object"));
  });
});
