/**
 * The cluster-wide TLS Secret scan against the Kubernetes test server: a server-side field
 * selector, gauges for every TLS Secret (none for other types), cert-manager's renewalTime and
 * failed issuance applied, gauges removed with the Secret, time-driven rescans without writes;
 * alerts to the cluster default sinks (fire once, resolve when the Secret goes).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import type { Alert } from "../../../src/alerts/alert.js";
import type { AlertSink } from "../../../src/alerts/sink.js";
import { CertificateGauges } from "../../../src/certs/certificate-metrics.js";
import { CERT_MANAGER_CERTIFICATES } from "../../../src/certs/kube-inputs.js";
import { DEFAULT_THRESHOLDS } from "../../../src/certs/thresholds.js";
import { TlsSecretScanner } from "../../../src/controller/certificate-check/tls-secret-scanner.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { KubeClient, KubeObject } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { startKubeServer, type KubeTestServer } from "../../harness/kube/index.js";
import { installCrd, testKubeClient } from "../../support/kube-client.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../../support/openssl-certs.js";

const DAY = 86_400_000;
const start = new Date("2026-10-01T00:00:00Z");

function secret(name: string, leaf: TestLeaf, type = "kubernetes.io/tls"): KubeObject {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "web" }, type, data: { "tls.crt": Buffer.from(leaf.certPem).toString("base64"), "tls.key": Buffer.from(leaf.keyPem).toString("base64") } };
}

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("TlsSecretScanner", () => {
  let ca: TestCa;
  let leaf90: TestLeaf;
  let server: KubeTestServer;
  let kube: KubeClient;
  let close: () => void;
  before(async () => {
    ca = opensslCa();
    leaf90 = opensslLeaf(ca, ["www.example.test"], start, new Date(start.getTime() + 90 * DAY));
    server = await startKubeServer();
    ({ kube, close } = await testKubeClient(server));
    await kube.create({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } });
    await kube.create(SECRETS, secret("www-tls", leaf90));
    await kube.create(SECRETS, secret("api-tls", leaf90));
    await kube.create(SECRETS, secret("opaque", leaf90, "Opaque"));
    await installCrd(kube, new URL("../../fixtures/cert-manager/certificates.cert-manager.io.yaml", import.meta.url));
    await kube.create(CERT_MANAGER_CERTIFICATES, { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "api", namespace: "web" }, spec: { secretName: "api-tls", issuerRef: { name: "le" } } });
    await kube.patchStatus(CERT_MANAGER_CERTIFICATES, "web", "api", {
      renewalTime: new Date(start.getTime() + 40 * DAY).toISOString(),
      lastFailureTime: new Date(start.getTime() + 41 * DAY).toISOString(),
      failedIssuanceAttempts: 1,
      conditions: [{ type: "Issuing", status: "False", reason: "Failed", message: "The certificate request has failed to complete and will be retried: DNS record not yet propagated" }],
    });
  });
  after(async () => {
    close();
    await server.stop();
    ca.dispose();
  });

  test("gauges for TLS Secrets only, cert-manager status applied, Events on worsening, no other writes", async () => {
    let now = new Date(start.getTime() + 10 * DAY);
    const registry = new Registry();
    const events: string[] = [];
    const scanner = new TlsSecretScanner({
      kube,
      log: silentLogger,
      clock: { now: () => now },
      gauges: new CertificateGauges(registry),
      thresholds: DEFAULT_THRESHOLDS,
      event: async (o, type, reason, message) => {
        events.push(`${o.metadata.name ?? ""} ${type} ${reason} ${message}`);
      },
    });
    const writesBefore = server.counters.writes();
    await scanner.start();
    try {
      assert.ok(server.counters.requests("GET", /\/api\/v1\/secrets\?.*fieldSelector=type%3Dkubernetes\.io%2Ftls/) >= 1, "list with the field selector");
      const byName = new Map(scanner.reports().map((r) => [r.source.name, r]));
      assert.deepEqual([...byName.keys()].sort(), ["api-tls", "www-tls"]);
      assert.equal(byName.get("www-tls")?.state, "Valid");
      assert.equal(byName.get("api-tls")?.state, "RenewalOverdue");
      assert.match(byName.get("api-tls")?.message ?? "", /cert-manager issuance failed after 1 failed attempts: Failed: .*DNS record not yet propagated/);
      const text = await registry.metrics();
      assert.ok(text.includes(`sealbridge_certificate_renewal_timestamp_seconds{source="Secret",namespace="web",name="api-tls",key="tls.crt",subject="CN=www.example.test",check=""} ${(start.getTime() + 40 * DAY) / 1000}\n`));
      assert.ok(text.includes(`sealbridge_certificate_not_after_timestamp_seconds{source="Secret",namespace="web",name="www-tls",key="tls.crt",subject="CN=www.example.test",check=""} ${(start.getTime() + 90 * DAY) / 1000}\n`));
      assert.doesNotMatch(text, /name="opaque"/);

      // Time passes: www-tls becomes overdue on a rescan; an Event records it.
      now = new Date(start.getTime() + 64 * DAY);
      scanner.rescan();
      assert.equal(scanner.reports().find((r) => r.source.name === "www-tls")?.state, "RenewalOverdue");
      await until(() => events.length === 1, "the Event");
      assert.match(events[0] ?? "", /^www-tls Warning RenewalOverdue Secret web\/www-tls\[tls\.crt\]: renewal was due at 2026-11-30T00:00:00Z/);
      scanner.rescan();
      scanner.rescan();
      assert.equal(events.length, 1, "a steady rescan records nothing more");
      assert.equal(server.counters.writes(), writesBefore, "the scan itself writes nothing to Kubernetes (Events go through the injected recorder)");

      // The Secret is deleted: its series go.
      await kube.delete(SECRETS, "web", "www-tls");
      await until(async () => !(await registry.metrics()).includes('name="www-tls"'), "the series to be removed");
    } finally {
      await scanner.stop();
    }
  });

  test("alerts go to the cluster default sinks: fire on entering a state, once; resolve when the Secret goes", async () => {
    const sent: Array<[string, Alert]> = [];
    const sink: AlertSink = {
      describe: "recording",
      fire: async (a) => void sent.push(["fire", a]),
      resolve: async (a) => void sent.push(["resolve", a]),
    };
    const scanner = new TlsSecretScanner({
      kube,
      log: silentLogger,
      clock: { now: () => new Date(start.getTime() + 10 * DAY) },
      gauges: new CertificateGauges(new Registry()),
      thresholds: DEFAULT_THRESHOLDS,
      alertSinks: [sink],
    });
    await scanner.start();
    try {
      await scanner.alertsIdle();
      assert.deepEqual(sent.map(([action, a]) => [action, a.name, a.labels["name"]]), [["fire", "CertificateRenewalOverdue", "api-tls"]]);
      assert.deepEqual(sent[0]?.[1].labels, { severity: "warning", source: "Secret", namespace: "web", name: "api-tls", key: "tls.crt" });
      assert.match(sent[0]?.[1].annotations["description"] ?? "", /cert-manager issuance failed/);
      scanner.rescan();
      scanner.rescan();
      await scanner.alertsIdle();
      assert.equal(sent.length, 1, "steady rescans send nothing");
      await kube.delete(SECRETS, "web", "api-tls");
      await until(() => sent.length === 2, "the resolve");
      assert.deepEqual(sent.map(([action, a]) => [action, a.name, a.endsAt !== undefined]), [["fire", "CertificateRenewalOverdue", false], ["resolve", "CertificateRenewalOverdue", true]]);
      const text = JSON.stringify(sent);
      assert.ok(!text.includes("PRIVATE KEY"), "no key material in alerts");
    } finally {
      await scanner.stop();
    }
  });

  test("without cert-manager's CRDs the scan runs on the Secrets alone", async () => {
    const bare = await startKubeServer();
    const client = await testKubeClient(bare);
    try {
      await client.kube.create({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } });
      await client.kube.create(SECRETS, secret("www-tls", leaf90));
      const scanner = new TlsSecretScanner({ kube: client.kube, log: silentLogger, clock: { now: () => new Date(start.getTime() + DAY) }, gauges: new CertificateGauges(new Registry()), thresholds: DEFAULT_THRESHOLDS });
      await scanner.start();
      try {
        assert.deepEqual(scanner.reports().map((r) => [r.source.name, r.state]), [["www-tls", "Valid"]]);
      } finally {
        await scanner.stop();
      }
    } finally {
      client.close();
      await bare.stop();
    }
  });
});
