import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseCertificateChain } from "../../src/certs/certificate-info.js";
import { verifyChain, verifyHostname } from "../../src/certs/chain.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../support/openssl-certs.js";

const DAY = 86_400_000;
const notBefore = new Date("2026-10-01T00:00:00Z");
const notAfter = new Date("2026-12-30T00:00:00Z");
const now = new Date("2026-11-01T00:00:00Z");

describe("certificate inspection (openssl-made certificates)", () => {
  let ca: TestCa;
  let other: TestCa;
  let leaf: TestLeaf;
  before(() => {
    ca = opensslCa();
    other = opensslCa("Other CA");
    leaf = opensslLeaf(ca, ["www.example.test", "example.test", "*.apps.example.test", "127.0.0.1"], notBefore, notAfter);
  });
  after(() => {
    ca.dispose();
    other.dispose();
  });

  test("reads subject, SANs, issuer and dates; skips the private key block", () => {
    const chain = parseCertificateChain(leaf.keyPem + leaf.certPem + ca.certPem);
    assert.deepEqual(chain.problems, []);
    const info = chain.infos[0];
    assert.ok(info);
    assert.equal(info.subject, "CN=www.example.test");
    assert.equal(info.commonName, "www.example.test");
    assert.equal(info.issuer, "CN=sealbridge Test CA");
    assert.deepEqual(info.dnsNames, ["www.example.test", "example.test", "*.apps.example.test"]);
    assert.deepEqual(info.ipAddresses, ["127.0.0.1"]);
    assert.equal(info.notBefore.toISOString(), notBefore.toISOString());
    assert.equal(info.notAfter.toISOString(), notAfter.toISOString());
    assert.equal(info.isCA, false);
    assert.equal(chain.infos[1]?.isCA, true);
    assert.match(info.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
  test("chain verifies against its CA and not against another", () => {
    const chain = parseCertificateChain(leaf.certPem).x509s();
    const roots = parseCertificateChain(ca.certPem).x509s();
    const others = parseCertificateChain(other.certPem).x509s();
    assert.equal(verifyChain(chain, roots, now), null);
    assert.equal(verifyChain(chain, others, now), 'no issuer of "CN=www.example.test" ("CN=sealbridge Test CA") in the chain or the trust bundle');
    assert.match(verifyChain(chain, roots, new Date(notAfter.getTime() + DAY)) ?? "", /expired at 2026-12-30T00:00:00.000Z/);
  });
  test("a forged issuer with the same name does not verify", () => {
    const forged = opensslCa("sealbridge Test CA");
    try {
      const msg = verifyChain(parseCertificateChain(leaf.certPem).x509s(), parseCertificateChain(forged.certPem).x509s(), now);
      // Same name, other key: either the key identifiers or the signature tell them apart.
      assert.match(msg ?? "", /does not verify with "CN=sealbridge Test CA"|no issuer of "CN=www.example.test"/);
    } finally {
      forged.dispose();
    }
  });
  test("hostname match: exact, wildcard one level, IP; mismatch names what it covers", () => {
    const [cert] = parseCertificateChain(leaf.certPem).x509s();
    assert.ok(cert);
    assert.equal(verifyHostname(cert, "www.example.test"), null);
    assert.equal(verifyHostname(cert, "shop.apps.example.test"), null);
    assert.equal(verifyHostname(cert, "127.0.0.1"), null);
    assert.match(verifyHostname(cert, "a.b.apps.example.test") ?? "", /not valid for "a.b.apps.example.test" \(it covers DNS:www.example.test/);
    assert.notEqual(verifyHostname(cert, "10.0.0.1"), null);
  });
  test("unparsable input gives a finding, not an exception", () => {
    assert.deepEqual(parseCertificateChain("hello").problems, ["no PEM block found"]);
    assert.deepEqual(parseCertificateChain(leaf.keyPem).problems, ["no CERTIFICATE block found"]);
    assert.deepEqual(parseCertificateChain("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n").problems, ["certificate 1 is not a valid X.509 certificate"]);
  });
});
