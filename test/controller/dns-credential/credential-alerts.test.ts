/**
 * DnsCredential alerts end to end through the kind (KindDriver) to local receivers: an
 * Alertmanager-shaped server whose every POST /api/v2/alerts body is checked against Alertmanager's
 * v2 OpenAPI spec (test/fixtures/alertmanager/openapi-v2.yaml, `postableAlerts`), and a JSON
 * webhook. Per-object `spec.alertSinks` (with a bearer token from a Secret) win over the
 * controller's defaults, which are used otherwise. DnsCredentialRejected (the proof failed),
 * DnsCredentialRotationDue (past maxAge) and DnsCredentialExpiring/Expired (Cloudflare's
 * expires_on, lifetime-relative) fire on entering, are not repeated each pass nor after a restart
 * (records in status), and resolve with endsAt on leaving; a failed send is retried and named in
 * AlertsDelivered. Canary credentials and the sink token never reach a body, status or log line.
 */
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";
import { buildSink } from "../../../src/alerts/sink-config.js";
import type { CredentialAlerting } from "../../../src/controller/dns-credential/credential-alert-delivery.js";
import { dnsCredentialKind } from "../../../src/controller/dns-credential/index.js";
import type { CredentialDeps } from "../../../src/controller/dns-credential/observe.js";
import type { ControllerLogger } from "../../../src/controller/types.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { schemaProblems, type SchemaNode } from "../../support/openapi-check.js";
import { KindDriver, ManualClock } from "../../support/kind-driver.js";

const spec = parseYaml(readFileSync(new URL("../../fixtures/alertmanager/openapi-v2.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, { post?: { parameters: Array<{ in: string; schema: SchemaNode }> } }>;
  definitions: Record<string, SchemaNode>;
};
const postableAlerts = spec.paths["/alerts"]?.post?.parameters.find((p) => p.in === "body")?.schema;

const GOOD = "cf-canary-good-Ab12Cd34";
const GOOD2 = "cf-canary-good2-Ef56Gh78";
const BAD = "cf-canary-bad-Ij90Kl12";
const SINK_TOKEN = "am-canary-bearer-Mn34Op56";

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}
const amPosts: AmAlert[] = [];
const amAuth: string[] = [];
const hookPosts: Array<{ status: string; alerts: AmAlert[] }> = [];
const raw: string[] = [];
const logged: string[] = [];
let amDown = false;
let server: Server;
let base = "";

const capture: ControllerLogger = {
  debug: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  info: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  warn: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  error: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  child: () => capture,
};

before(async () => {
  assert.ok(postableAlerts, "the spec defines POST /api/v2/alerts");
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      raw.push(text);
      const body = JSON.parse(text) as unknown;
      if (req.url === "/api/v2/alerts") {
        if (amDown) return void res.writeHead(503).end();
        const problems = schemaProblems(body, postableAlerts as SchemaNode, spec.definitions);
        // Alertmanager answers a body outside its spec with 400 (and the test fails on it below).
        if (problems.length > 0) return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: 400, message: problems.join("; ") }));
        amAuth.push(req.headers.authorization ?? "");
        amPosts.push(...(body as AmAlert[]));
        return void res.writeHead(200).end();
      }
      hookPosts.push(body as { status: string; alerts: AmAlert[] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  amPosts.length = 0;
  amAuth.length = 0;
  hookPosts.length = 0;
  amDown = false;
});

const expiries = new Map<string, Date>();
const deps: CredentialDeps = {
  readVault: async () => {
    throw new Error("unused");
  },
  probe: async (_p, _z, value) => (value === BAD ? { ok: false, answer: "HTTP 403", message: "Cloudflare record create refused: HTTP 403 (10000 Authentication error)", steps: ["create"] } : { ok: true, fqdn: "_probe.example.test", steps: ["create", "read", "delete"] }),
  tokenExpiry: async (_p, value) => expiries.get(value),
};
const b64 = (s: string) => Buffer.from(s).toString("base64");
const source = (value: string): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "src", namespace: "web" }, type: "Opaque", data: { token: b64(value) } });
const credential = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "sealbridge.io/v1alpha1",
  kind: "DnsCredential",
  metadata: { name: "cf", namespace: "web", uid: "u-1", generation: 1 },
  spec: { source: { secretRef: { name: "src", key: "token" } }, provider: { cloudflare: {} }, zone: "example.test", targets: [{ name: "out", key: "api-token" }], ...extra },
});

function driver(cred: KubeObject, clock: ManualClock, alerting: CredentialAlerting): KindDriver<unknown, unknown> {
  return new KindDriver(dnsCredentialKind(deps, { alerting }) as never, cred, clock, capture) as KindDriver<unknown, unknown>;
}
const alerting = (clock: ManualClock, defaults: string[] = []): CredentialAlerting => ({
  defaultSinks: defaults.map((url) => ({ webhook: { url } })),
  buildSink: (s, token) => buildSink(s, token, () => clock.now()),
});
const statusAlerts = (d: KindDriver<unknown, unknown>) => ((d.primary["status"] as { alerts?: Array<{ name: string; sentTo: string[]; endsAt?: string }> }).alerts ?? []);
function noCanary(d: KindDriver<unknown, unknown>): void {
  const visible = [raw.join("\n"), logged.join("\n"), JSON.stringify(d.primary["status"]), JSON.stringify(d.passes.map((p) => [p.events, p.conditions, p.outcome]))].join("\n");
  for (const c of [GOOD, GOOD2, BAD, SINK_TOKEN]) assert.ok(!visible.includes(c), `${c} leaked`);
}

describe("DnsCredential alerts", () => {
  test("spec.alertSinks (Alertmanager, bearer token from a Secret): Rejected fires once, survives a restart without re-firing, resolves by endsAt", async () => {
    const clock = new ManualClock(new Date("2026-12-01T10:00:00Z"));
    const cred = credential({ alertSinks: [{ alertmanager: { url: base, tokenSecretRef: { name: "am", key: "token" } } }] });
    let d = driver(cred, clock, alerting(clock, [`${base}/default-hook`]));
    d.put(SECRETS, { apiVersion: "v1", kind: "Secret", metadata: { name: "am", namespace: "web" }, data: { token: b64(SINK_TOKEN) } });
    d.put(SECRETS, source(GOOD));
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Propagated");
    assert.equal(amPosts.length, 0, "nothing to alert");
    assert.equal(d.condition("AlertsDelivered")?.status, "True");

    d.put(SECRETS, source(BAD));
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "CredentialRejected");
    assert.deepEqual(amPosts.map((a) => a.labels["alertname"]), ["DnsCredentialRejected"]);
    assert.deepEqual(amAuth, [`Bearer ${SINK_TOKEN}`]);
    assert.equal(amPosts[0]?.labels["severity"], "critical");
    assert.equal(amPosts[0]?.labels["namespace"], "web");
    assert.match(amPosts[0]?.annotations["summary"] ?? "", /HTTP 403/);
    assert.ok(Date.parse(amPosts[0]?.endsAt ?? "") > clock.now().getTime(), "a firing alert's endsAt is ahead");
    assert.equal(hookPosts.length, 0, "the object's sinks replace the defaults");

    clock.set(new Date(clock.now().getTime() + 60_000));
    await d.pass();
    assert.equal(amPosts.length, 1, "not repeated on the next pass");

    // Restart: a new kind instance over the object as stored.
    d = driver(d.primary, clock, alerting(clock, [`${base}/default-hook`]));
    d.put(SECRETS, { apiVersion: "v1", kind: "Secret", metadata: { name: "am", namespace: "web" }, data: { token: b64(SINK_TOKEN) } });
    d.put(SECRETS, source(BAD));
    clock.set(new Date(clock.now().getTime() + 60_000));
    await d.pass();
    assert.equal(amPosts.length, 1, "a restarted controller does not re-fire");

    d.put(SECRETS, source(GOOD2));
    clock.set(new Date(clock.now().getTime() + 60_000));
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Rotated");
    assert.equal(amPosts.length, 2);
    const resolved = amPosts[1];
    assert.equal(resolved?.labels["alertname"], "DnsCredentialRejected");
    assert.equal(resolved?.endsAt, "2026-12-01T10:03:00Z", "resolved by endsAt = the time it left the state");
    assert.equal(resolved?.startsAt, amPosts[0]?.startsAt, "the same alert (same startsAt)");
    assert.deepEqual(statusAlerts(d), [], "nothing left to remember");
    noCanary(d);
  });

  test("defaults when the object names no sink: RotationDue past maxAge, Expiring → critical → Expired, resolved by a rotation", async () => {
    const clock = new ManualClock(new Date("2026-12-01T00:00:00Z"));
    expiries.set(GOOD, new Date("2027-03-01T00:00:00Z")); // 90 days after the rotation
    expiries.set(GOOD2, new Date("2027-12-01T00:00:00Z"));
    const d = driver(credential({ maxAge: "1440h" }), clock, alerting(clock, [`${base}/default-hook`]));
    d.put(SECRETS, source(GOOD));
    await d.pass();
    assert.equal(hookPosts.length, 0);
    assert.equal((d.primary["status"] as { expiresOn?: string }).expiresOn, "2027-03-01T00:00:00Z");
    const sent = () => hookPosts.map((h) => `${h.status} ${h.alerts[0]?.labels["alertname"] ?? ""}/${h.alerts[0]?.labels["severity"] ?? ""}`);

    clock.set(new Date("2027-01-20T00:00:00Z")); // 40 days left of 90: fine; 50 days old: under maxAge (60d)
    await d.pass();
    assert.deepEqual(sent(), []);

    clock.set(new Date("2027-02-01T00:00:00Z")); // 28 days left (< 1/3), 62 days old (> maxAge)
    const p = await d.pass();
    assert.deepEqual(sent().sort(), ["firing DnsCredentialExpiring/warning", "firing DnsCredentialRotationDue/warning"]);
    assert.equal(d.condition("RotationDue")?.status, "True");
    assert.ok((p.requeueAfterMs ?? Infinity) <= new Date("2027-02-20T00:00:00Z").getTime() - clock.now().getTime(), "comes back when a tenth is left");

    await d.pass();
    assert.equal(hookPosts.length, 2, "steady: nothing sent again");

    clock.set(new Date("2027-02-25T00:00:00Z")); // 4 days left (< 1/10)
    await d.pass();
    assert.deepEqual(sent().slice(2).sort(), ["firing DnsCredentialExpiring/critical", "resolved DnsCredentialExpiring/warning"]);

    clock.set(new Date("2027-03-02T00:00:00Z"));
    await d.pass();
    assert.deepEqual(sent().slice(4).sort(), ["firing DnsCredentialExpired/critical", "resolved DnsCredentialExpiring/critical"]);

    d.put(SECRETS, source(GOOD2));
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Rotated");
    assert.deepEqual(sent().slice(6).sort(), ["resolved DnsCredentialExpired/critical", "resolved DnsCredentialRotationDue/warning"]);
    assert.notEqual(hookPosts.at(-1)?.alerts[0]?.endsAt, "0001-01-01T00:00:00Z");
    assert.deepEqual(statusAlerts(d), []);
    assert.equal((d.primary["status"] as { expiresOn?: string }).expiresOn, "2027-12-01T00:00:00Z");
    noCanary(d);
  });

  test("a sink that is down: AlertsDelivered=False naming it, the fire retried next pass, then delivered once", async () => {
    const clock = new ManualClock(new Date("2026-12-01T10:00:00Z"));
    const d = driver(credential({ alertSinks: [{ alertmanager: { url: base } }] }), clock, alerting(clock));
    d.put(SECRETS, source(BAD));
    amDown = true;
    await d.pass();
    assert.equal(d.condition("AlertsDelivered")?.status, "False");
    assert.match(d.condition("AlertsDelivered")?.message ?? "", /Alertmanager refused the alert: .* answered HTTP 503/);
    assert.deepEqual(statusAlerts(d).map((a) => [a.name, a.sentTo]), [["DnsCredentialRejected", []]]);
    assert.equal(d.passes.at(-1)?.events.filter((e) => e.reason === "AlertSinkFailed").length, 1);
    amDown = false;
    clock.set(new Date(clock.now().getTime() + 60_000));
    await d.pass();
    assert.deepEqual(amPosts.map((a) => a.labels["alertname"]), ["DnsCredentialRejected"]);
    assert.equal(d.condition("AlertsDelivered")?.status, "True");
    await d.pass();
    assert.equal(amPosts.length, 1);
    noCanary(d);
  });

  test("a status from before send tracking (name/labels/annotations/startsAt) counts as sent: no re-fire", async () => {
    const clock = new ManualClock(new Date("2026-12-01T10:00:00Z"));
    const old = { name: "DnsCredentialRejected", labels: { namespace: "web", name: "cf", zone: "example.test", severity: "critical" }, annotations: { summary: "refused" }, startsAt: "2026-12-01T09:30:00Z" };
    const cred = { ...credential({ alertSinks: [{ alertmanager: { url: base } }] }), status: { provenVersion: "x", rejectedTime: "2026-12-01T09:59:00Z", alerts: [old], conditions: [{ type: "Ready", status: "False", reason: "CredentialRejected", message: "new credential failed its DNS-01 round trip (HTTP 403)", lastTransitionTime: "2026-12-01T09:00:00Z" }] } };
    const d = driver(cred, clock, alerting(clock));
    d.put(SECRETS, source(BAD));
    await d.pass();
    assert.equal(amPosts.length, 0);
    assert.deepEqual(statusAlerts(d).map((a) => a.name), ["DnsCredentialRejected"]);
  });
});
