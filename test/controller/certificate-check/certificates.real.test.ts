/**
 * Certificate checks on real servers: cert-manager's published Certificate CRD (v1.21.1, no
 * cert-manager controller runs; the test writes a Certificate's status through the status
 * subresource) and sealbridge's CRDs applied with `kubectl apply --server-side`; openssl-made TLS
 * Secrets; `sealbridge controller` as its own process under the ServiceAccount of deploy/rbac.yaml.
 * The cluster-wide TLS Secret scan and the cert-manager read show in /metrics, a CertificateCheck
 * gets its status, the scan's alert reaches the `--alert-sink` webhook once — also across a
 * controller restart (the alert state kept in the ConfigMap sealbridge-alert-state under the
 * Role of deploy/rbac.yaml), with the resolve arriving after it — and the logs hold no 403 and no
 * key material.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../../../src/kube/types.js";
import { realFixture, until, CRDS_DIR, FIXTURES, REPO } from "../../harness/realstack/real-fixture.js";
import type { RealFixture } from "../../harness/realstack/real-fixture.js";
import { startController } from "../../support/controller-process.js";
import { startWebhookRecorder, type WebhookRecorder } from "../../support/webhook-recorder.js";
import type { ControllerProcess } from "../../support/controller-process.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../../support/openssl-certs.js";
import { waitEstablished } from "../../support/crd-wait.js";

const DAY = 86_400_000;
const CERT_MANAGER_CRD = join(FIXTURES, "cert-manager", "cert-manager.io_certificates.v1.21.1.yaml");
const CANARY = "CANARY-real-certs-9b1e";

const tlsSecret = (name: string, leaf: TestLeaf): KubeObject => ({
  apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name, namespace: "web" },
  data: { "tls.crt": Buffer.from(leaf.certPem).toString("base64"), "tls.key": Buffer.from(leaf.keyPem + CANARY).toString("base64") },
});

/** The value of the one series of `metric` whose labels include every `labels` pair. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${metric}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("certificate checks on a real API server under the controller's RBAC", { timeout: 600_000 }, () => {
  let f: RealFixture;
  let ca: TestCa;
  let controller: ControllerProcess | undefined;
  let metricsPort = 0;
  let hook: WebhookRecorder;
  const posted = (): string[] => hook.posted;
  const now = Date.now();
  const renewalTime = new Date(Math.floor((now - DAY) / 1000) * 1000);
  const apiNotAfter = new Date(Math.floor((now + 80 * DAY) / 1000) * 1000);
  const wwwNotAfter = new Date(Math.floor((now + 85 * DAY) / 1000) * 1000);

  before(async () => {
    ca = opensslCa();
    hook = await startWebhookRecorder();
    f = await realFixture();
  });
  after(async () => {
    await controller?.stop();
    await f?.close();
    await hook?.close();
    ca?.dispose();
  });

  const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  test("crds/ and cert-manager's published Certificate CRD apply server-side and become Established", async () => {
    const files = [...readdirSync(CRDS_DIR).filter((x) => x.endsWith(".yaml")).map((x) => join(CRDS_DIR, x)), CERT_MANAGER_CRD];
    for (const file of files) {
      const r = await f.ws.kubectl(["apply", "--server-side", "-f", file]);
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
    }
    const established = await waitEstablished((a) => f.ws.kubectl(a), ["crd/certificatechecks.sealbridge.io", "crd/certificates.cert-manager.io"]);
    assert.equal(established.code, 0, established.stderr);
  });

  test("openssl TLS Secrets and a Certificate whose status the test writes (renewalTime passed, Issuing failed)", async () => {
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "web" } });
    const www = opensslLeaf(ca, ["www.example.test"], new Date(now - 5 * DAY), wwwNotAfter);
    const api = opensslLeaf(ca, ["api.example.test"], new Date(now - 10 * DAY), apiNotAfter);
    await f.apply([
      tlsSecret("www-tls", www),
      tlsSecret("api-tls", api),
      { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "api", namespace: "web" }, spec: { secretName: "api-tls", dnsNames: ["api.example.test"], issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" } } },
    ]);
    await f.admin.must(
      "PATCH",
      "/apis/cert-manager.io/v1/namespaces/web/certificates/api/status",
      {
        status: {
          notBefore: new Date(now - 10 * DAY).toISOString().replace(/\.\d{3}Z$/, "Z"),
          notAfter: apiNotAfter.toISOString().replace(/\.\d{3}Z$/, "Z"),
          renewalTime: renewalTime.toISOString().replace(/\.\d{3}Z$/, "Z"),
          lastFailureTime: new Date(now - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          failedIssuanceAttempts: 2,
          conditions: [
            { type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired", lastTransitionTime: new Date(now - 10 * DAY).toISOString().replace(/\.\d{3}Z$/, "Z") },
            { type: "Issuing", status: "False", reason: "Failed", message: "The certificate request has failed to complete and will be retried: DNS record not yet propagated", lastTransitionTime: new Date(now - 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z") },
          ],
        },
      },
      { contentType: "application/merge-patch+json" },
    );
    const cert = (await f.admin.get("/apis/cert-manager.io/v1/namespaces/web/certificates/api")) as { status?: { renewalTime?: string; conditions?: unknown[] } };
    assert.equal(cert.status?.renewalTime, renewalTime.toISOString().replace(/\.\d{3}Z$/, "Z"), "the status subresource kept what the test wrote");
    assert.equal(cert.status?.conditions?.length, 2);
  });

  test("the controller under deploy/rbac.yaml scans the TLS Secrets and reads the Certificate (/metrics)", async () => {
    assert.equal((await f.ws.kubectl(["create", "namespace", "sealbridge"])).code, 0);
    const applied = await f.ws.kubectl(["apply", "-f", join(REPO, "deploy", "rbac.yaml")]);
    assert.equal(applied.code, 0, applied.stderr);
    const ctl = f.workspaceFor(await f.admin.serviceAccountToken("sealbridge", "sealbridge"));
    for (const verb of ["list", "watch"]) {
      assert.equal((await ctl.kubectl(["auth", "can-i", verb, "certificates.cert-manager.io", "--all-namespaces"])).stdout.trim(), "yes", `${verb} Certificates`);
    }
    for (const verb of ["create", "update", "patch", "delete"]) {
      assert.equal((await ctl.kubectl(["auth", "can-i", verb, "certificates.cert-manager.io", "--all-namespaces"])).stdout.trim(), "no", `no ${verb} on Certificates (read only)`);
    }
    controller = await startController(ctl, ["--namespace", "sealbridge", "--resync-period", "5s", "--key-renew-period", "0", "--alert-sink", `webhook=${hook.url}`], 120_000);
    metricsPort = await until("the metrics server", () => {
      for (const line of controller!.output().split("\n")) {
        if (!line.includes('"metrics server listening"')) continue;
        const port = (JSON.parse(line) as { port?: number }).port;
        if (typeof port === "number") return port;
      }
      return undefined;
    });
    const secretSeries = (name: string) => ({ source: "Secret", namespace: "web", name, key: "tls.crt", check: "" });
    const text = await until("both TLS Secrets in /metrics", async () => {
      const t = await metrics();
      return sample(t, "sealbridge_certificate_not_after_timestamp_seconds", secretSeries("www-tls")) !== undefined &&
        sample(t, "sealbridge_certificate_not_after_timestamp_seconds", secretSeries("api-tls")) !== undefined ? t : undefined;
    }, 120_000);
    assert.equal(sample(text, "sealbridge_certificate_not_after_timestamp_seconds", secretSeries("www-tls")), wwwNotAfter.getTime() / 1000);
    assert.equal(sample(text, "sealbridge_certificate_not_after_timestamp_seconds", secretSeries("api-tls")), apiNotAfter.getTime() / 1000);
    assert.equal(sample(text, "sealbridge_certificate_state", { ...secretSeries("www-tls"), state: "Valid" }), 1);
    // Only the Certificate's renewalTime makes api-tls (10 days into 90) overdue: it was read.
    assert.equal(sample(text, "sealbridge_certificate_renewal_timestamp_seconds", secretSeries("api-tls")), renewalTime.getTime() / 1000);
    assert.equal(sample(text, "sealbridge_certificate_state", { ...secretSeries("api-tls"), state: "RenewalOverdue" }), 1);
    assert.equal(sample(text, "sealbridge_certificate_state", { ...secretSeries("api-tls"), state: "Valid" }) ?? 0, 0);
  });

  test("the scan's alert goes to the --alert-sink default, once", async () => {
    await until("the webhook alert", () => posted().some((b) => b.includes("CertificateRenewalOverdue") && b.includes("api-tls")), 60_000);
    assert.equal(posted().filter((b) => b.includes("CertificateRenewalOverdue")).length, 1);
    assert.ok(!posted().some((b) => b.includes("www-tls")), "no alert for the Valid Secret");
  });

  test("a CertificateCheck of the Secrets gets its status", async () => {
    await f.apply([{ apiVersion: "sealbridge.io/v1alpha1", kind: "CertificateCheck", metadata: { name: "web", namespace: "web" }, spec: { secrets: [{ name: "www-tls" }, { name: "api-tls" }] } }]);
    type Status = { certificates?: Array<{ source: string; state: string; message: string }>; conditions?: Array<{ type: string; status: string; reason: string }> };
    const status = await until("CertificateCheck status.certificates", async () => {
      const s = ((await f.admin.get("/apis/sealbridge.io/v1alpha1/namespaces/web/certificatechecks/web")) as { status?: Status } | undefined)?.status;
      return (s?.certificates?.length ?? 0) === 2 ? s : undefined;
    }, 60_000);
    assert.deepEqual(status.certificates?.map((c) => c.state).sort(), ["Valid", "Valid"], "a check of Secrets alone judges by the certificates' own dates");
    assert.equal(status.conditions?.find((c) => c.type === "Ready")?.status, "True");
    const text = await metrics();
    assert.equal(sample(text, "sealbridge_certificate_state", { source: "Secret", namespace: "web", name: "www-tls", check: "web", state: "Valid" }), 1);
  });

  test("a restarted controller does not fire the scan's alert again; the resolve after the restart arrives", async () => {
    const cm = await until("the alert state ConfigMap", async () => (await f.admin.get("/api/v1/namespaces/sealbridge/configmaps/sealbridge-alert-state")) as { binaryData?: Record<string, string> } | undefined);
    assert.ok(cm.binaryData?.["tls-secret-scan.json.gz"], "the records are kept in the controller's namespace");
    const first = controller!.output();
    assert.doesNotMatch(first, /\b403\b|forbidden/i, "the first controller's requests were allowed");
    assert.equal(await controller!.stop(), 0);
    const ctl = f.workspaceFor(await f.admin.serviceAccountToken("sealbridge", "sealbridge"));
    controller = await startController(ctl, ["--namespace", "sealbridge", "--resync-period", "5s", "--key-renew-period", "0", "--alert-sink", `webhook=${hook.url}`], 120_000);
    metricsPort = await until("the restarted controller's metrics server", () => {
      for (const line of controller!.output().split("\n")) {
        if (!line.includes('"metrics server listening"')) continue;
        const port = (JSON.parse(line) as { port?: number }).port;
        if (typeof port === "number") return port;
      }
      return undefined;
    }, 60_000);
    // Passes run in order: a re-fire at start would arrive before the resolve of this delete.
    assert.equal((await f.ws.kubectl(["delete", "secret", "-n", "web", "api-tls"])).code, 0);
    await until("the resolve", () => posted().some((b) => b.includes('"status":"resolved"') && b.includes("api-tls")) || undefined, 120_000);
    const about = posted().filter((b) => b.includes("CertificateRenewalOverdue") && b.includes("api-tls")).map((b) => (JSON.parse(b) as { status: string }).status);
    assert.deepEqual(about, ["firing", "resolved"], "fired once before the restart, resolved after it");
  });

  test("no 403 and no key material in the controller's logs, Events or status", async () => {
    const out = controller!.output();
    assert.doesNotMatch(out, /\b403\b|forbidden/i, "every request was allowed by the RBAC");
    assert.doesNotMatch(out, /not readable here/, "the Certificates were readable");
    const everything = [out, JSON.stringify(await f.admin.must("GET", "/api/v1/events")), JSON.stringify(await f.admin.must("GET", "/apis/sealbridge.io/v1alpha1/certificatechecks")), await metrics(), ...posted()].join("\n");
    assert.ok(!everything.includes(CANARY) && !everything.includes("PRIVATE KEY"), "no key material");
  });
});
