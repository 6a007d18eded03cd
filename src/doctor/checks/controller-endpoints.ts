/**
 * What sealing needs from the controller, fetched the way `sealbridge seal` and kubeseal do it
 * (the API server's service proxy): the sealing certificate at `/v1/cert.pem` and the cluster's
 * age recipient at `/v1/age-recipient`.
 */
import { parseCertificateChain } from "../../certs/certificate-info.js";
import { parseRecipient } from "../../crypto/age-keys.js";
import type { CheckResult } from "../check-result.js";
import type { Observed } from "../observed.js";
import { proxyFailure } from "./controller.js";

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** `/v1/cert.pem` answers with a certificate that is valid now. Pure. */
export function sealingCertCheck(o: Observed): CheckResult {
  const name = "sealing-cert";
  const ns = o.target.namespace;
  const r = o.cert;
  if (r === undefined) return { name, status: "skip", message: "not observed" };
  if (!r.answered) return proxyFailure(name, "GET /v1/cert.pem", ns, r);
  if (r.status !== 200) {
    return { name, status: "fail", message: `GET /v1/cert.pem answered HTTP ${r.status}`, fix: `the controller has not loaded its sealing keys (it needs the sealing feature): kubectl -n ${ns} logs -l app.kubernetes.io/name=sealbridge` };
  }
  const chain = parseCertificateChain(r.body);
  const leaf = chain.infos[0];
  if (leaf === undefined) {
    return { name, status: "fail", message: `GET /v1/cert.pem served no certificate${chain.problems.length > 0 ? ` (${chain.problems[0]})` : ""}`, fix: "check --service-name points at a sealbridge (or sealed-secrets) controller" };
  }
  if (leaf.notAfter.getTime() <= o.now.getTime()) {
    return { name, status: "fail", message: `the sealing certificate expired at ${iso(leaf.notAfter)}`, fix: `the controller makes a new sealing key every --key-renew-period (default 720h; 0 disables it): set it, then kubectl -n ${ns} rollout restart deployment -l app.kubernetes.io/name=sealbridge` };
  }
  return { name, status: "ok", message: `sealing certificate ${leaf.commonName !== undefined ? `CN=${leaf.commonName} ` : ""}valid until ${iso(leaf.notAfter)}` };
}

/** `/v1/age-recipient` answers with an age recipient. Pure. */
export function ageRecipientCheck(o: Observed): CheckResult {
  const name = "age-recipient";
  const ns = o.target.namespace;
  const r = o.ageRecipient;
  if (r === undefined) return { name, status: "skip", message: "not observed" };
  if (!r.answered) return proxyFailure(name, "GET /v1/age-recipient", ns, r);
  if (r.status === 404) return { name, status: "skip", message: "the controller serves no /v1/age-recipient (the age feature is not enabled)" };
  if (r.status === 503) return { name, status: "fail", message: "the controller has no age identity yet (HTTP 503)", fix: `it creates one at start-up: kubectl -n ${ns} logs -l app.kubernetes.io/name=sealbridge` };
  if (r.status !== 200) return { name, status: "fail", message: `GET /v1/age-recipient answered HTTP ${r.status}`, fix: `kubectl -n ${ns} logs -l app.kubernetes.io/name=sealbridge` };
  try {
    const recipient = parseRecipient(r.body, "the age recipient");
    return { name, status: "ok", message: `age recipient ${recipient}` };
  } catch {
    return { name, status: "fail", message: "GET /v1/age-recipient served something that is not an age recipient", fix: "check --service-name points at a sealbridge controller" };
  }
}
