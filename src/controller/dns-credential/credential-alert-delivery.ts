/**
 * Sends a DnsCredential's alert transitions to its sinks — `spec.alertSinks` (tokens from Secrets
 * in its namespace), else the controller's `--alert-sink` defaults — from observe(), as the
 * CertificateCheck kind does: the kit's plan covers Kubernetes writes only, so the sends happen
 * here and plan() records their outcome in status. The records before the pass come from status,
 * so a restarted controller neither re-fires nor forgets an alert; a failed send is retried.
 */
import { runAlertPass, sinkSet } from "../../alerts/alert-pass.js";
import type { AlertSinkSpec } from "../../alerts/sink-config.js";
import type { AlertSink } from "../../alerts/sink.js";
import type { DnsCredential } from "../../api/dns-credential.js";
import { SECRETS } from "../../kube/resources.js";
import { secretKeyValue } from "../../kube/secret-content.js";
import type { ObserveContext } from "../runtime/kind.js";
import { credentialFacts, desiredCredentialAlerts, previousAlertRecords } from "./credential-alerts.js";
import { rejectionMessage, type CredentialObserved } from "./plan.js";

/** Where the kind's alerts go. */
export interface CredentialAlerting {
  /** Cluster default sinks (`--alert-sink`), used by credentials that name none. */
  defaultSinks: AlertSinkSpec[];
  buildSink?: (spec: AlertSinkSpec, token: string | undefined) => AlertSink;
}

/**
 * One alerting pass for `cred` after `observed` was gathered.
 * @returns the fields of CredentialObserved that carry the alert outcome. Never throws.
 */
export async function sendCredentialAlerts(
  ctx: ObserveContext,
  cred: DnsCredential,
  observed: CredentialObserved,
  alerting: CredentialAlerting,
): Promise<Pick<CredentialObserved, "previousAlerts" | "alerts" | "hasSinks" | "deliveryFailures">> {
  const ns = cred.metadata.namespace ?? "default";
  const key = `${ns}/${cred.metadata.name ?? ""}`;
  const specs = cred.spec.alertSinks && cred.spec.alertSinks.length > 0 ? cred.spec.alertSinks : alerting.defaultSinks;
  const { sinks, problems } = sinkSet(specs, (ref) => secretKeyValue(ctx.cache(SECRETS).get(`${ns}/${ref.name}`), ref.key)?.trim(), ns, alerting.buildSink);
  const previous = previousAlertRecords(cred, [...sinks.keys()]);
  const now = ctx.clock.now();
  const facts = credentialFacts(cred, observed, now);
  const desired = desiredCredentialAlerts(cred, facts, now, facts.state === "rejected" ? rejectionMessage(cred, observed.probe) : undefined, previous);
  const result = await runAlertPass(previous, desired, sinks, now);
  for (const f of result.failed) ctx.log.warn({ dnsCredential: key, sink: f.delivery.sinkId, alert: f.delivery.alert.name, action: f.delivery.action, error: f.message }, "DNS credential alert not delivered");
  const before = previous.filter((r) => r.endsAt === undefined).map((r) => r.name).join();
  const after = desired.map((a) => a.name).join();
  if (before !== after) ctx.log.warn({ dnsCredential: key, firing: desired.map((a) => ({ name: a.name, severity: a.labels["severity"] })), sinks: sinks.size }, "DNS credential alerts changed");
  return { previousAlerts: previous, alerts: result.records, hasSinks: sinks.size > 0, deliveryFailures: [...problems, ...result.failed.map((f) => f.message)] };
}
