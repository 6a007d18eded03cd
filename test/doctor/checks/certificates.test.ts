import { after, test } from "node:test";
import assert from "node:assert/strict";
import { certificatesCheck } from "../../../src/doctor/checks/certificates.js";
import type { CertificateInput } from "../../../src/certs/certificate-report.js";
import type { Observed } from "../../../src/doctor/observed.js";
import { opensslCa, opensslLeaf } from "../../support/openssl-certs.js";
import { NOW, healthy } from "../observed-builder.js";

const ca = opensslCa();
after(() => ca.dispose());
const DAY = 86_400_000;
const at = (days: number): Date => new Date(NOW.getTime() + days * DAY);
/** A 90-day certificate issued `age` days before NOW. */
const secret = (name: string, age: number): CertificateInput => ({ source: { kind: "Secret", namespace: "web", name, key: "tls.crt" }, pem: opensslLeaf(ca, [`${name}.example.test`], at(-age), at(90 - age)).certPem });
const tls = (...inputs: CertificateInput[]): Observed["tlsSecrets"] => ({ ok: true, value: inputs });

test("certificates: within the window, renewal due (normal), overdue, expiring, expired, endpoint from a CertificateCheck, forbidden, none", () => {
  const checks = (state: string): Observed["certificateChecks"] => ({ ok: true, value: [{ kind: "CertificateCheck", namespace: "web", name: "edge", conditions: [], certificates: [{ source: "Endpoint www.example.test:443", state, message: "expires at …" }] }] });
  const cases: Array<{ what: string; o: Partial<Observed>; status: string; message: RegExp }> = [
    { what: "fresh", o: { tlsSecrets: tls(secret("a", 10)) }, status: "ok", message: /1 certificate\(s\) within their renewal window$/ },
    { what: "renewal due", o: { tlsSecrets: tls(secret("a", 61)) }, status: "ok", message: /\(1 renewing now\)/ },
    { what: "overdue", o: { tlsSecrets: tls(secret("a", 10), secret("b", 70)) }, status: "fail", message: /1 certificate\(s\) past renewal; Secret web\/b\[tls\.crt\]: RenewalOverdue/ },
    { what: "expiring", o: { tlsSecrets: tls(secret("a", 85)) }, status: "fail", message: /Expiring/ },
    { what: "expired", o: { tlsSecrets: tls(secret("a", 100)) }, status: "fail", message: /Secret web\/a\[tls\.crt\]: Expired: expired at/ },
    { what: "unparsable", o: { tlsSecrets: tls({ source: { kind: "Secret", namespace: "web", name: "junk", key: "tls.crt" }, pem: "not a pem" }) }, status: "fail", message: /Invalid/ },
    { what: "endpoint from a CertificateCheck", o: { certificateChecks: checks("Expired") }, status: "fail", message: /Endpoint www\.example\.test:443: Expired: expires at … \(from CertificateCheck web\/edge\)/ },
    { what: "stale serving", o: { certificateChecks: checks("StaleServing") }, status: "warn", message: /StaleServing/ },
    { what: "TLS Secrets forbidden", o: { tlsSecrets: { ok: false, status: 403, message: "forbidden" } }, status: "warn", message: /cannot list TLS Secrets \(forbidden to you\)/ },
    { what: "none", o: {}, status: "skip", message: /no certificates found/ },
  ];
  for (const c of cases) {
    const r = certificatesCheck(healthy(c.o));
    assert.equal(r.status, c.status, `${c.what}: ${JSON.stringify(r)}`);
    assert.match(r.message, c.message, c.what);
    if (r.status === "fail") assert.match(r.fix ?? "", /renew/);
  }
});
