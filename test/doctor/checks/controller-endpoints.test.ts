import { after, test } from "node:test";
import assert from "node:assert/strict";
import { ageRecipientCheck, sealingCertCheck } from "../../../src/doctor/checks/controller-endpoints.js";
import type { Observed } from "../../../src/doctor/observed.js";
import { opensslCa, opensslLeaf } from "../../support/openssl-certs.js";
import { healthy } from "../observed-builder.js";

const ca = opensslCa("sealed-secrets-controller");
after(() => ca.dispose());
const expired = opensslLeaf(ca, ["old.example.test"], new Date("2020-01-01T00:00:00Z"), new Date("2021-01-01T00:00:00Z"));

test("sealing-cert: a valid certificate, an expired one, not a certificate, HTTP errors, no endpoints", () => {
  const cases: Array<{ what: string; cert: Observed["cert"]; status: string; message: RegExp }> = [
    { what: "valid", cert: { answered: true, status: 200, body: ca.certPem }, status: "ok", message: /CN=sealed-secrets-controller valid until 2099-12-31T00:00:00Z/ },
    { what: "expired", cert: { answered: true, status: 200, body: expired.certPem }, status: "fail", message: /expired at 2021-01-01T00:00:00Z/ },
    { what: "not PEM", cert: { answered: true, status: 200, body: "<html>hello</html>" }, status: "fail", message: /served no certificate/ },
    { what: "503 keys not loaded", cert: { answered: true, status: 503, body: "keys not loaded" }, status: "fail", message: /answered HTTP 503/ },
    { what: "no endpoints", cert: { answered: false, status: 503, message: "no endpoints available" }, status: "fail", message: /no ready controller behind the Service/ },
  ];
  for (const c of cases) {
    const r = sealingCertCheck(healthy({ cert: c.cert }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (r.status === "fail") assert.ok(r.fix, c.what);
  }
});

test("age-recipient: a recipient, no age feature (404), no identity yet (503), an identity served by mistake is not echoed", () => {
  const identity = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS3CUPZM";
  const cases: Array<{ what: string; answer: Observed["ageRecipient"]; status: string; message: RegExp }> = [
    { what: "recipient", answer: { answered: true, status: 200, body: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n" }, status: "ok", message: /age recipient age1ql3z7/ },
    { what: "404", answer: { answered: true, status: 404, body: "not found" }, status: "skip", message: /age feature is not enabled/ },
    { what: "503", answer: { answered: true, status: 503, body: "" }, status: "fail", message: /no age identity yet/ },
    { what: "identity", answer: { answered: true, status: 200, body: identity }, status: "fail", message: /not an age recipient/ },
  ];
  for (const c of cases) {
    const r = ageRecipientCheck(healthy({ ageRecipient: c.answer }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    assert.ok(!JSON.stringify(r).includes(identity), "never echoes an identity");
  }
});
