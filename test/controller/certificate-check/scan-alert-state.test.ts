/**
 * The TLS Secret scan's alert records survive a controller restart: kept in the ConfigMap
 * `sealbridge-alert-state` of the controller's namespace (gzip JSON in binaryData, no secret
 * values), written only when they change. Fire with one scanner; a new scanner instance over the
 * same Kubernetes test server (a restarted controller) does not fire again; a Secret that goes
 * after the restart is resolved; an unreadable state starts empty with a warning.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Registry } from "prom-client";
import type { Alert } from "../../../src/alerts/alert.js";
import type { AlertSink } from "../../../src/alerts/sink.js";
import { CertificateGauges } from "../../../src/certs/certificate-metrics.js";
import { DEFAULT_THRESHOLDS } from "../../../src/certs/thresholds.js";
import { ALERT_STATE_CONFIGMAP, ConfigMapAlertState, SCAN_ALERTS_KEY } from "../../../src/controller/certificate-check/scan-alert-state.js";
import { TlsSecretScanner } from "../../../src/controller/certificate-check/tls-secret-scanner.js";
import type { ControllerLogger } from "../../../src/controller/types.js";
import { CONFIGMAPS, NAMESPACES, SECRETS } from "../../../src/kube/resources.js";
import type { KubeClient, KubeObject } from "../../../src/kube/types.js";
import { startKubeServer, type KubeTestServer } from "../../harness/kube/index.js";
import { testKubeClient } from "../../support/kube-client.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../../support/openssl-certs.js";

const DAY = 86_400_000;
const start = new Date("2026-10-01T00:00:00Z");
const warnings: string[] = [];
const log: ControllerLogger = { debug() {}, info() {}, warn: (...a: unknown[]) => void warnings.push(JSON.stringify(a)), error() {}, child: () => log };

function tls(name: string, leaf: TestLeaf): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "web" }, type: "kubernetes.io/tls", data: { "tls.crt": Buffer.from(leaf.certPem).toString("base64"), "tls.key": Buffer.from(leaf.keyPem).toString("base64") } };
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("TLS Secret scan alerts across a restart", () => {
  let ca: TestCa;
  let leaf: TestLeaf;
  let server: KubeTestServer;
  let kube: KubeClient;
  let close: () => void;
  const sent: Array<[string, Alert]> = [];
  // The same sink configuration on both runs (the same --alert-sink flags): the same sink id.
  const sink: AlertSink = { describe: "alertmanager http://am.monitoring:9093/", refreshIntervalMs: 3_600_000, fire: async (a) => void sent.push(["fire", a]), resolve: async (a) => void sent.push(["resolve", a]) };
  let now = new Date(start.getTime() + 80 * DAY);
  const scanner = () =>
    new TlsSecretScanner({ kube, log, clock: { now: () => now }, gauges: new CertificateGauges(new Registry()), thresholds: DEFAULT_THRESHOLDS, certManager: false, alertSinks: [sink], alertState: new ConfigMapAlertState(kube, "sealbridge", log) });
  const stored = async () => {
    const cm = await kube.get<KubeObject & { binaryData?: Record<string, string> }>(CONFIGMAPS, "sealbridge", ALERT_STATE_CONFIGMAP);
    const packed = cm?.binaryData?.[SCAN_ALERTS_KEY];
    return { cm, text: packed === undefined ? undefined : gunzipSync(Buffer.from(packed, "base64")).toString("utf8") };
  };
  const configMapWrites = () => server.counters.requests("PUT", /\/namespaces\/sealbridge\/configmaps\//) + server.counters.requests("POST", /\/namespaces\/sealbridge\/configmaps/);

  before(async () => {
    ca = opensslCa();
    leaf = opensslLeaf(ca, ["www.example.test"], start, new Date(start.getTime() + 90 * DAY));
    server = await startKubeServer();
    ({ kube, close } = await testKubeClient(server));
    for (const name of ["web", "sealbridge"]) await kube.create(NAMESPACES, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    await kube.create(SECRETS, tls("www-tls", leaf));
    await kube.create(SECRETS, tls("api-tls", leaf));
  });
  after(async () => {
    close();
    await server.stop();
    ca.dispose();
  });

  test("fire, restart (a new scanner over the same server): no re-fire; a resolve after the restart works", async () => {
    const first = scanner();
    await first.start();
    await first.alertsIdle();
    assert.deepEqual(sent.map(([action, a]) => `${action} ${a.name} ${a.labels["name"]}`).sort(), ["fire CertificateRenewalOverdue api-tls", "fire CertificateRenewalOverdue www-tls"]);
    const saved = await stored();
    assert.ok(saved.cm, "the ConfigMap was created");
    assert.equal(saved.cm?.metadata.labels?.["app.kubernetes.io/managed-by"], "sealbridge");
    const records = JSON.parse(saved.text ?? "[]") as Array<{ name: string; labels: Record<string, string>; sentTo: string[] }>;
    assert.deepEqual(records.map((r) => [r.name, r.labels["name"], r.sentTo]).sort(), [["CertificateRenewalOverdue", "api-tls", [sink.describe]], ["CertificateRenewalOverdue", "www-tls", [sink.describe]]]);
    for (const secret of [leaf.keyPem, leaf.certPem, Buffer.from(leaf.keyPem).toString("base64")]) assert.ok(!(saved.text ?? "").includes(secret.trim().split("\n")[1] ?? secret), "no certificate or key material in the state");
    assert.ok(!(saved.text ?? "").includes("PRIVATE KEY"));

    // Steady rescans change nothing: no ConfigMap write.
    const writes = configMapWrites();
    first.rescan();
    first.rescan();
    await first.alertsIdle();
    assert.equal(configMapWrites(), writes, "written only when the records change");
    await first.stop();

    // The restart.
    now = new Date(now.getTime() + 60_000);
    const second = scanner();
    await second.start();
    await second.alertsIdle();
    assert.equal(sent.length, 2, "a restarted controller does not fire again");
    assert.equal(configMapWrites(), writes, "nor rewrites the state");

    await kube.delete(SECRETS, "web", "api-tls");
    await until(() => sent.length === 3, "the resolve after the restart");
    assert.deepEqual(sent.slice(2).map(([action, a]) => [action, a.name, a.labels["name"], a.startsAt === sent.find(([, b]) => b.labels["name"] === "api-tls")?.[1].startsAt, a.endsAt !== undefined]), [["resolve", "CertificateRenewalOverdue", "api-tls", true, true]]);
    await until(async () => !((await stored()).text ?? "").includes("api-tls"), "the resolved record to leave the state");

    // Another restart after the refresh interval: Alertmanager gets the refresh it needs, once.
    await second.stop();
    now = new Date(now.getTime() + 2 * 3_600_000);
    const third = scanner();
    await third.start();
    await third.alertsIdle();
    third.rescan();
    await third.alertsIdle();
    assert.deepEqual(sent.slice(3).map(([action, a]) => `${action} ${a.name} ${a.labels["name"]}`), ["fire CertificateRenewalOverdue www-tls"], "one refresh of the firing alert (Alertmanager expires what is not re-sent)");
    await third.stop();
  });

  test("an unreadable state: a warning, the scan alerts from an empty state (fires once), the state is rewritten", async () => {
    await kube.replace(CONFIGMAPS, { ...((await kube.get(CONFIGMAPS, "sealbridge", ALERT_STATE_CONFIGMAP)) as KubeObject), binaryData: { [SCAN_ALERTS_KEY]: Buffer.from("not gzip").toString("base64") } });
    sent.length = 0;
    warnings.length = 0;
    const s = scanner();
    await s.start();
    await s.alertsIdle();
    assert.ok(warnings.some((w) => w.includes("alert state unreadable")), warnings.join("\n"));
    assert.deepEqual(sent.map(([action, a]) => `${action} ${a.labels["name"]}`), ["fire www-tls"]);
    assert.match((await stored()).text ?? "", /www-tls/);
    await s.stop();
  });
});
