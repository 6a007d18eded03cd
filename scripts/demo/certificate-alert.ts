/**
 * Demo step 9: a 90-day certificate with 5 days left (made with openssl) in a kubernetes.io/tls
 * Secret, a CertificateCheck watching it, and the alert arriving at a local Alertmanager-compatible
 * receiver (`POST /api/v2/alerts`, every body checked against Alertmanager's v2 OpenAPI spec).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAlertReceiver, type AlertReceiver, type ReceivedAlert } from "../../test/harness/alertmanager/receiver.js";
import { opensslCa, opensslLeaf } from "../../test/support/openssl-certs.js";
import type { DemoSession } from "./session.js";

const DAY = 86_400_000;

/** The labels the expiry alert of Secret web/www-tls carries. */
export const EXPIRY_ALERT_LABELS = { alertname: "CertificateExpiring", severity: "critical", certificatecheck: "www", source: "Secret", namespace: "web", name: "www-tls", key: "tls.crt" };

/** The receiver's latest version of the expiry alert, if it has one. */
export function expiryAlert(receiver: AlertReceiver): ReceivedAlert | undefined {
  return receiver.alerts().find((a) => Object.entries(EXPIRY_ALERT_LABELS).every(([k, v]) => a.labels[k] === v));
}

/** The state CertificateCheck web/www reports for its first certificate, read in-process. */
export function checkState(demo: DemoSession): string | undefined {
  return (demo.stored("certificatechecks.sealbridge.io", "web", "www")?.["status"] as { certificates?: Array<{ state?: string }> } | undefined)?.certificates?.[0]?.state;
}

/** Runs the step; returns the receiver (the ACME step watches the alert resolve). */
export async function certificateAlert(demo: DemoSession): Promise<AlertReceiver> {
  demo.say("A certificate close to expiry raises an alert (to a local Alertmanager API v2 receiver)");
  const receiver = await startAlertReceiver();
  demo.onStop(() => receiver.close());
  demo.note(`an Alertmanager-compatible receiver listens at ${receiver.url}: POST and GET /api/v2/alerts`);
  const ca = opensslCa("demo private CA");
  const now = Date.now();
  const leaf = opensslLeaf(ca, ["www.example.test"], new Date(now - 85 * DAY), new Date(now + 5 * DAY));
  ca.dispose();
  writeFileSync(join(demo.dir, "www-old.crt"), leaf.certPem);
  writeFileSync(join(demo.dir, "www-old.key"), leaf.keyPem, { mode: 0o600 });
  demo.note("openssl made a 90-day certificate for www.example.test with 5 days left");
  await demo.kubectl(["create", "namespace", "web"]);
  await demo.kubectl(["create", "secret", "tls", "www-tls", "-n", "web", `--cert=${join(demo.dir, "www-old.crt")}`, `--key=${join(demo.dir, "www-old.key")}`]);
  await demo.kubectl(["apply", "-f", "-"], {
    input: `apiVersion: sealbridge.io/v1alpha1
kind: CertificateCheck
metadata: { name: www, namespace: web }
spec:
  secrets: [{ name: www-tls }]
  alertSinks:
    - alertmanager: { url: "${receiver.url}" }
`,
  });
  const fired = await demo.eventually(() => expiryAlert(receiver), "the CertificateExpiring alert at the receiver");
  demo.check(!receiver.isResolved(fired), `alert received and firing: ${Object.entries(EXPIRY_ALERT_LABELS).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  demo.check(/^expires at \S+; not renewed$/.test(fired.annotations["description"] ?? ""), `its description says when: "${fired.annotations["description"] ?? ""}"`);
  const listed = (await (await fetch(`${receiver.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
  demo.check(listed.some((a) => a.labels["alertname"] === "CertificateExpiring"), "the receiver lists it as active (GET /api/v2/alerts)");
  demo.check(receiver.refused().length === 0, "every alert body conformed to Alertmanager's v2 OpenAPI spec (postableAlerts)");
  await demo.eventually(() => checkState(demo) !== undefined, "the CertificateCheck status");
  demo.check((await demo.field("certificatecheck", "www", "web", "{.status.certificates[0].state}")) === "Expiring", "CertificateCheck web/www reports the Secret as Expiring");
  demo.keepNotes.push(`curl ${receiver.url}/api/v2/alerts   # the alert receiver (Alertmanager API v2)`, "kubectl get certificatecheck,acmecertificate -n web -o yaml");
  return receiver;
}
