/**
 * observe() + plan() of CertificateCheck over in-memory caches, openssl-made certificates, a real
 * local TLS server and a recording alert sink: StaleServing and its reload, alerts fired once,
 * not re-fired after a "restart" (status read back), resolved on recovery; no key material out.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:tls";
import { Registry } from "prom-client";
import type { Alert } from "../../../src/alerts/alert.js";
import type { AlertSink } from "../../../src/alerts/sink.js";
import { CertificateGauges } from "../../../src/certs/certificate-metrics.js";
import { observeCertificateCheck, type ObserveAdapters } from "../../../src/controller/certificate-check/observe.js";
import { parseCertificateCheck, type ParsedCheck } from "../../../src/controller/certificate-check/parse.js";
import { planCertificateCheck } from "../../../src/controller/certificate-check/plan.js";
import type { ObserveContext } from "../../../src/controller/runtime/kind.js";
import { RELOAD_ANNOTATION } from "../../../src/controller/reload.js";
import type { ObjectCache } from "../../../src/controller/types.js";
import { CONFIGMAPS, SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../../support/openssl-certs.js";

const DAY = 86_400_000;
const CANARY = "CANARY-KEY-d41d8cd98f00";
const now = new Date("2026-11-20T00:00:00Z");

class MapCache implements ObjectCache {
  readonly objects = new Map<string, KubeObject>();
  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }
  list(namespace?: string): KubeObject[] {
    return [...this.objects.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace);
  }
  synced(): Promise<void> {
    return Promise.resolve();
  }
  put(o: KubeObject): void {
    this.objects.set(`${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`, o);
  }
}

class RecordingSink implements AlertSink {
  readonly describe = "recording";
  readonly sent: Array<["fire" | "resolve", Alert]> = [];
  failing = false;
  async fire(alert: Alert): Promise<void> {
    if (this.failing) throw new Error("sink down");
    this.sent.push(["fire", alert]);
  }
  async resolve(alert: Alert): Promise<void> {
    if (this.failing) throw new Error("sink down");
    this.sent.push(["resolve", alert]);
  }
}

function tlsSecret(name: string, leaf: TestLeaf): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "web", resourceVersion: "1" },
    type: "kubernetes.io/tls",
    data: { "tls.crt": Buffer.from(leaf.certPem).toString("base64"), "tls.key": Buffer.from(leaf.keyPem + CANARY).toString("base64") },
  };
}

describe("CertificateCheck observe + plan", () => {
  let ca: TestCa;
  let old: TestLeaf;
  let renewed: TestLeaf;
  let tls: Server;
  let port: number;
  const secrets = new MapCache();
  const configMaps = new MapCache();
  const logs: string[] = [];
  const log = { ...silentLogger, warn: (f: Record<string, unknown>, m: string) => logs.push(JSON.stringify([f, m])), child: () => log };
  let clockNow = now;
  const ctx: ObserveContext = {
    clock: { now: () => clockNow },
    log,
    cache: <T extends KubeObject>(r: ResourceRef) => (r === SECRETS ? secrets : r === CONFIGMAPS ? configMaps : new MapCache()) as unknown as ObjectCache<T>,
    live: { get: async () => null },
  };
  const sink = new RecordingSink();
  const registry = new Registry();
  const adapters: ObserveAdapters = {
    defaultSinks: [{ webhook: { url: "http://127.0.0.1:9/unused" } }],
    buildSink: () => sink,
    gauges: new CertificateGauges(registry),
    listWorkloads: async () => [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "proxy", namespace: "web", annotations: { [RELOAD_ANNOTATION]: "www-tls" } }, spec: { template: { metadata: {}, spec: {} } } },
    ],
  };

  before(async () => {
    ca = opensslCa();
    old = opensslLeaf(ca, ["www.example.test"], new Date(now.getTime() - 80 * DAY), new Date(now.getTime() + 10 * DAY));
    renewed = opensslLeaf(ca, ["www.example.test"], new Date(now.getTime() - DAY), new Date(now.getTime() + 89 * DAY));
    secrets.put(tlsSecret("www-tls", renewed));
    configMaps.put({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "private-ca", namespace: "web" }, data: { "ca.crt": ca.certPem } });
    tls = createServer({ key: old.keyPem, cert: old.certPem });
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    port = (tls.address() as { port: number }).port;
  });
  after(() => {
    tls.close();
    ca.dispose();
  });

  function parsed(status?: Record<string, unknown>): ParsedCheck {
    const r = parseCertificateCheck({
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "CertificateCheck",
      metadata: { name: "www", namespace: "web", generation: 1 },
      spec: {
        secrets: [{ name: "www-tls" }],
        endpoints: [{ address: `127.0.0.1:${port}`, serverName: "www.example.test", secretName: "www-tls" }],
        trustBundle: { configMapRef: { name: "private-ca", key: "ca.crt" } },
      },
      ...(status ? { status } : {}),
    });
    assert.ok(r.ok, r.ok ? "" : r.message);
    return r.value;
  }

  test("an endpoint serving the old certificate is StaleServing; its annotated workload is restarted; the alert fires once", async () => {
    const check = parsed();
    const o = await observeCertificateCheck(ctx, check, adapters);
    const endpoint = o.reports.find((r) => r.source.kind === "Endpoint");
    assert.equal(o.reports.find((r) => r.source.kind === "Secret")?.state, "Valid");
    assert.equal(endpoint?.state, "StaleServing");
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    assert.equal(
      endpoint?.message,
      `renewed in www-tls on ${day(now.getTime() - DAY)} but https://www.example.test still serves the certificate expiring ${day(now.getTime() + 10 * DAY)}; restart the server or annotate it for reload`,
    );
    assert.deepEqual(sink.sent.map(([a, al]) => [a, al.name, al.labels["severity"]]), [["fire", "CertificateStaleServing", "warning"]]);
    const plan = planCertificateCheck(check, o, now);
    assert.deepEqual(plan.writes.map((w) => (w.op === "patch" ? `${w.resource.kind}/${w.name}` : w.op)), ["Deployment/proxy"]);
    assert.equal(plan.conditions[0]?.reason, "StaleServing");
    const metrics = await registry.metrics();
    assert.match(metrics, /sealbridge_certificate_state\{source="Endpoint",namespace="web",name="127\.0\.0\.1:\d+",key="127\.0\.0\.1:\d+",subject="CN=www\.example\.test",check="www",state="StaleServing"\} 1/);
    assert.match(metrics, /sealbridge_certificate_not_after_timestamp_seconds\{source="Secret",namespace="web",name="www-tls",key="tls\.crt"/);

    // A restarted controller reads status back: nothing is sent again.
    const status = JSON.parse(JSON.stringify({ ...plan.status, conditions: plan.conditions.map((c) => ({ ...c })) })) as Record<string, unknown>;
    const o2 = await observeCertificateCheck(ctx, parsed(status), adapters);
    assert.equal(sink.sent.length, 1);
    const plan2 = planCertificateCheck(parsed(status), o2, now);
    assert.deepEqual(plan2.events.filter((e) => e.reason !== "StaleServing"), []);
    assert.deepEqual(plan2.status, plan.status);

    // The server reloads the renewed certificate: the alert resolves, with endsAt.
    tls.setSecureContext({ key: renewed.keyPem, cert: renewed.certPem });
    clockNow = new Date(now.getTime() + 60_000);
    const o3 = await observeCertificateCheck(ctx, parsed(status), adapters);
    assert.equal(o3.reports.find((r) => r.source.kind === "Endpoint")?.state, "Valid");
    assert.deepEqual(sink.sent.map(([a]) => a), ["fire", "resolve"]);
    assert.equal(sink.sent[1]?.[1].endsAt, "2026-11-20T00:01:00Z");
    assert.deepEqual(o3.alerts, []);

    for (const text of [JSON.stringify(plan), JSON.stringify(plan2), JSON.stringify(o3), JSON.stringify(sink.sent), logs.join("\n"), metrics]) {
      assert.ok(!text.includes(CANARY) && !text.includes("PRIVATE KEY"), "no key material in status, Events, alerts, logs or metrics");
    }
  });

  test("a failing sink is a condition, and the alert is retried next pass", async () => {
    const missingObject: KubeObject = {
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "CertificateCheck",
      metadata: { name: "gone", namespace: "web" },
      spec: { secrets: [{ name: "nope" }] },
    };
    const missing = parseCertificateCheck(missingObject);
    assert.ok(missing.ok);
    sink.failing = true;
    const o = await observeCertificateCheck(ctx, missing.value, adapters);
    assert.equal(o.reports[0]?.state, "Invalid");
    assert.equal(o.reports[0]?.message, "Secret web/nope not found (create it or fix the name in the CertificateCheck)");
    assert.deepEqual(o.alerts.map((a) => [a.name, a.sentTo]), [["CertificateInvalid", []]]);
    const p = planCertificateCheck(missing.value, o, now);
    assert.equal(p.conditions[1]?.status, "False");
    assert.equal(p.conditions[1]?.message, "sink down");
    sink.failing = false;
    const before = sink.sent.length;
    const again = parseCertificateCheck({ ...missingObject, status: JSON.parse(JSON.stringify(p.status)) as unknown });
    assert.ok(again.ok);
    await observeCertificateCheck(ctx, again.value, adapters);
    assert.deepEqual(sink.sent.slice(before).map(([a, al]) => [a, al.name]), [["fire", "CertificateInvalid"]]);
  });

  test("ConfigMap bundles: every certificate in the named keys is checked", async () => {
    const r = parseCertificateCheck({
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "CertificateCheck",
      metadata: { name: "bundles", namespace: "web" },
      spec: { configMaps: [{ name: "private-ca", keys: ["ca.crt"] }, { name: "missing-bundle" }] },
    });
    assert.ok(r.ok);
    const o = await observeCertificateCheck(ctx, r.value, { ...adapters, defaultSinks: [] });
    assert.deepEqual(o.reports.map((x) => [x.source.kind, x.source.name, x.source.key ?? "", x.state]), [
      ["ConfigMap", "private-ca", "ca.crt", "Valid"],
      ["ConfigMap", "missing-bundle", "", "Invalid"],
    ]);
    assert.equal(o.reports[0]?.subject, "CN=sealbridge Test CA");
    assert.equal(o.hasSinks, false);
  });
});
