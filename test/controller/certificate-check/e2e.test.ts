/**
 * CertificateCheck end to end with the real runtime (kit) against the Kubernetes test server, a
 * real local TLS server and a recording alert sink: StaleServing in status, Ready, Events, the
 * reload of the annotated Deployment, the gauges; then steady passes write nothing.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:tls";
import { Registry } from "prom-client";
import { parse as parseYaml } from "yaml";
import type { Alert } from "../../../src/alerts/alert.js";
import type { AlertSink } from "../../../src/alerts/sink.js";
import { certificateCheckResource } from "../../../src/api/certificate-check.js";
import { CertificateGauges } from "../../../src/certs/certificate-metrics.js";
import { certificateCheckKind } from "../../../src/controller/certificate-check/index.js";
import { RELOAD_ANNOTATION, RESTARTED_AT_ANNOTATION } from "../../../src/controller/reload.js";
import { kindReconciler } from "../../../src/controller/runtime/kind-reconciler.js";
import { ControllerRuntime } from "../../../src/controller/runtime/runtime.js";
import type { KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { eventually, kubeFixture, NAMESPACES, SECRETS, type KubeFixture } from "../../kube/kube-fixture.js";
import { CRD_RESOURCE } from "../../support/kube-client.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../../support/openssl-certs.js";
import { testRuntimeConfig } from "../support/runtime-config.js";

const DAY = 86_400_000;
const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true };
const CANARY = "CANARY-e2e-key-7f3a";

describe("CertificateCheck end to end", { timeout: 90_000 }, () => {
  let k: KubeFixture;
  let ca: TestCa;
  let old: TestLeaf;
  let renewed: TestLeaf;
  let tls: Server;
  let port: number;
  let runtime: ControllerRuntime;
  const registry = new Registry();
  const sent: Array<[string, Alert]> = [];
  let plans = 0;

  before(async () => {
    k = await kubeFixture();
    await k.kube.create(CRD_RESOURCE, parseYaml(readFileSync(new URL("../../../crds/certificatechecks.sealbridge.io.yaml", import.meta.url), "utf8")) as KubeObject);
    await k.kube.create(NAMESPACES, { metadata: { name: "web" } });
    ca = opensslCa();
    const now = Date.now();
    old = opensslLeaf(ca, ["www.example.test"], new Date(now - 80 * DAY), new Date(now + 10 * DAY));
    renewed = opensslLeaf(ca, ["www.example.test"], new Date(now - DAY), new Date(now + 89 * DAY));
    await k.kube.create(SECRETS, {
      metadata: { name: "www-tls", namespace: "web" },
      type: "kubernetes.io/tls",
      data: { "tls.crt": Buffer.from(renewed.certPem).toString("base64"), "tls.key": Buffer.from(renewed.keyPem + CANARY).toString("base64"), "ca.crt": Buffer.from(ca.certPem).toString("base64") },
    });
    await k.kube.create(DEPLOYMENTS, {
      metadata: { name: "proxy", namespace: "web", annotations: { [RELOAD_ANNOTATION]: "www-tls" } },
      spec: { selector: { matchLabels: { app: "proxy" } }, template: { metadata: { labels: { app: "proxy" } }, spec: { containers: [{ name: "proxy", image: "proxy" }] } } },
    });
    tls = createServer({ key: old.keyPem, cert: old.certPem });
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    port = (tls.address() as { port: number }).port;
    const sink: AlertSink = {
      describe: "recording",
      fire: async (a) => void sent.push(["fire", a]),
      resolve: async (a) => void sent.push(["resolve", a]),
    };
    const kind = certificateCheckKind({ gauges: new CertificateGauges(registry), defaultSinks: [{ webhook: { url: "http://127.0.0.1:9/x" } }], buildSink: () => sink });
    const counted = { ...kind, plan: (...args: Parameters<typeof kind.plan>) => (plans++, kind.plan(...args)) };
    runtime = new ControllerRuntime({
      kube: k.kube,
      reconcilers: [kindReconciler(counted)],
      config: testRuntimeConfig({ resyncPeriodMs: 500, namespace: "sealbridge" }),
      log: silentLogger,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    await runtime.start();
  });
  after(async () => {
    await runtime?.stop({ timeoutMs: 2_000 });
    tls?.close();
    ca?.dispose();
    await k?.close();
  });

  const check = (): KubeObject | undefined => k.server.objects("certificatechecks.sealbridge.io", "web").find((o) => o.metadata.name === "www");

  test("stale serving is found, reported, alerted once, and the annotated Deployment restarted once", async () => {
    await k.kube.create(certificateCheckResource, {
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "CertificateCheck",
      metadata: { name: "www", namespace: "web" },
      spec: { secrets: [{ name: "www-tls" }], endpoints: [{ address: `127.0.0.1:${port}`, serverName: "www.example.test", secretName: "www-tls" }], trustBundle: { secretRef: { name: "www-tls", key: "ca.crt" } } },
    });
    await eventually(() => (check()?.["status"] as { certificates?: unknown[] } | undefined)?.certificates?.length === 2, 20_000, "status.certificates");
    const status = check()?.["status"] as { certificates: Array<{ source: string; state: string; message: string }>; conditions: Array<{ type: string; status: string; reason: string }>; alerts: Array<{ name: string }> };
    assert.deepEqual(status.certificates.map((c) => c.state), ["Valid", "StaleServing"]);
    assert.match(status.certificates[1]?.message ?? "", /^renewed in www-tls on \d{4}-\d{2}-\d{2} but https:\/\/www\.example\.test still serves the certificate expiring \d{4}-\d{2}-\d{2}; restart the server or annotate it for reload$/);
    assert.deepEqual(status.conditions.find((c) => c.type === "Ready"), { ...status.conditions.find((c) => c.type === "Ready"), status: "False", reason: "StaleServing" });
    assert.deepEqual(status.alerts.map((a) => a.name), ["CertificateStaleServing"]);
    await eventually(() => Boolean((k.server.objects("deployments.apps", "web")[0]?.["spec"] as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations?.[RESTARTED_AT_ANNOTATION]), 10_000, "the restart");
    await eventually(() => k.server.objects("events", "web").some((e) => e["reason"] === "StaleServing"), 10_000, "the StaleServing Event");
    assert.match(await registry.metrics(), /sealbridge_certificate_state\{source="Endpoint",namespace="web",name="127\.0\.0\.1:\d+",key="127\.0\.0\.1:\d+",subject="CN=www\.example\.test",check="www",state="StaleServing"\} 1/);

    // Steady: more passes (resync every 500 ms) write nothing and send nothing. First let what the
    // earlier passes started (status, Events, the restart) land: a whole pass with no write.
    let seenWrites = k.server.counters.writes();
    let seenPlans = plans;
    await eventually(() => {
      const now = k.server.counters.writes();
      if (now !== seenWrites) {
        seenWrites = now;
        seenPlans = plans;
        return false;
      }
      return plans >= seenPlans + 2;
    }, 20_000, "a pass with no write");
    const writes = k.server.counters.writes();
    const fired = sent.length;
    const from = plans;
    await eventually(() => plans >= from + 3, 20_000, "three more passes");
    assert.equal(k.server.counters.writes(), writes, "no Kubernetes writes on steady passes");
    assert.equal(sent.length, fired);
    assert.deepEqual(sent.map(([a, al]) => [a, al.name]), [["fire", "CertificateStaleServing"]]);

    // The server reloads: Valid again, the alert resolves.
    tls.setSecureContext({ key: renewed.keyPem, cert: renewed.certPem });
    await eventually(() => sent.some(([a]) => a === "resolve"), 20_000, "the resolve");
    await eventually(() => (check()?.["status"] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.find((c) => c.type === "Ready")?.status === "True", 10_000, "Ready=True");
    const everything = JSON.stringify([k.server.objects("certificatechecks.sealbridge.io", "web"), k.server.objects("events", "web"), sent, await registry.metrics()]);
    assert.ok(!everything.includes(CANARY) && !everything.includes("PRIVATE KEY"), "no key material in status, Events, alerts or metrics");
  });
});
