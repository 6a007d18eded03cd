import { test } from "node:test";
import assert from "node:assert/strict";
import { dnsCredentialsCheck } from "../../../src/doctor/checks/dns-credentials.js";
import type { Observed, ObservedStatusObject } from "../../../src/doctor/observed.js";
import { healthy } from "../observed-builder.js";

const cred = (name: string, status: string | null, reason = "Propagated", message = "the proven credential is in all 1 target(s)"): ObservedStatusObject => ({
  kind: "DnsCredential",
  namespace: "cert-manager",
  name,
  conditions: status === null ? [] : [{ type: "Ready", status, reason, message }],
});
const list = (...c: ObservedStatusObject[]): Observed["dnsCredentials"] => ({ ok: true, value: c });

test("dns-credentials: proven, rejected, source missing, expired, pending, none, CRD absent", () => {
  const cases: Array<{ what: string; read: Observed["dnsCredentials"]; status: string; message: RegExp; fix?: RegExp }> = [
    { what: "proven", read: list(cred("tsig", "True")), status: "ok", message: /1 DNS credential\(s\) proven/ },
    { what: "rejected", read: list(cred("tsig", "True"), cred("cf", "False", "CredentialRejected", "cloudflare refused the token (HTTP 403)")), status: "fail", message: /1 of 2 DNS credential\(s\) not proven; DnsCredential cert-manager\/cf: CredentialRejected: cloudflare refused/, fix: /provider refused/ },
    { what: "source missing", read: list(cred("tsig", "False", "SourceUnavailable", "Secret cert-manager/tsig-incoming not found")), status: "fail", message: /SourceUnavailable/, fix: /source/ },
    { what: "expired", read: list(cred("cf", "False", "Expired", "token expired")), status: "fail", message: /Expired/, fix: /expired/ },
    { what: "unknown reason", read: list(cred("x", "False", "Weird", "odd")), status: "fail", message: /Weird/, fix: /kubectl describe dnscredential/ },
    { what: "pending", read: list(cred("new", null)), status: "warn", message: /no Ready condition yet/ },
    { what: "none", read: list(), status: "skip", message: /no DnsCredentials/ },
    { what: "CRD absent", read: { ok: false, status: 404, message: "nf" }, status: "skip", message: /CRD not installed/ },
  ];
  for (const c of cases) {
    const r = dnsCredentialsCheck(healthy({ dnsCredentials: c.read }));
    assert.equal(r.status, c.status, c.what);
    assert.match(r.message, c.message, c.what);
    if (c.fix) assert.match(r.fix ?? "", c.fix, c.what);
  }
});
