/**
 * Real tier: the Alertmanager sink against a real Alertmanager (built from its Go module by
 * test/harness/realstack/build-alertmanager.ts), routing to a local webhook receiver. Fired
 * once, refreshed without a second notification, resolved by endsAt. Then a DnsCredential's own
 * `spec.alertSinks` Alertmanager through the kind: DnsCredentialRejected (the proof failed) fires
 * on entering, is not sent again on the next pass nor after a controller restart (records in
 * status), and resolves (endsAt) when a good credential is proven.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../../src/alerts/alert.js";
import { AlertmanagerSink } from "../../src/alerts/alertmanager-sink.js";
import { buildSink } from "../../src/alerts/sink-config.js";
import { dnsCredentialKind } from "../../src/controller/dns-credential/index.js";
import type { CredentialDeps } from "../../src/controller/dns-credential/observe.js";
import { SECRETS } from "../../src/kube/resources.js";
import { KindDriver, ManualClock } from "../support/kind-driver.js";
import { alertmanagerBinary } from "../harness/realstack/build-alertmanager.js";
import { REALSTACK_VERSIONS } from "../harness/realstack/versions.js";

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, log: () => string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return assert.fail(`timed out waiting for ${what}\n${log()}`);
}

interface Notification {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; endsAt: string }>;
}

describe(`real Alertmanager ${REALSTACK_VERSIONS.alertmanager}`, () => {
  const binary = alertmanagerBinary();
  let dir: string;
  let am: ChildProcess;
  let amLog = "";
  let url: string;
  let receiver: Server;
  const notifications: Notification[] = [];

  before(async () => {
    assert.ok(existsSync(binary), `Alertmanager is not built at ${binary} (run: node --import tsx test/harness/realstack/build-alertmanager.ts, or npm run test:real)`);
    receiver = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        notifications.push(JSON.parse(text) as Notification);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    dir = mkdtempSync(join(tmpdir(), "sb-am-"));
    writeFileSync(
      join(dir, "alertmanager.yml"),
      [
        "route:",
        "  receiver: hook",
        "  group_by: [alertname, namespace, name]",
        "  group_wait: 0s",
        "  group_interval: 1s",
        "  repeat_interval: 1h",
        "receivers:",
        "  - name: hook",
        "    webhook_configs:",
        `      - url: ${hook}`,
        "        send_resolved: true",
        "",
      ].join("\n"),
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    am = spawn(binary, [`--config.file=${join(dir, "alertmanager.yml")}`, `--storage.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    am.stdout?.on("data", (d: Buffer) => (amLog += d.toString()));
    am.stderr?.on("data", (d: Buffer) => (amLog += d.toString()));
    await until(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), "Alertmanager to be ready", () => amLog);
  });
  after(async () => {
    // Alertmanager writes its snapshots into --storage.path while it shuts down: remove the
    // directory only once it has exited (removing it earlier raced that write: ENOTEMPTY).
    if (am && am.exitCode === null && am.signalCode === null) {
      const exited = new Promise<void>((resolve) => am.once("exit", () => resolve()));
      am.kill("SIGTERM");
      await exited;
    }
    receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("fire → active alert and one firing notification; refresh → no second; resolve by endsAt → resolved notification", async () => {
    let now = new Date();
    const sink = new AlertmanagerSink({ url: new URL(url), refreshIntervalMs: 3_600_000, now: () => now });
    const alert: Alert = {
      name: "CertificateExpiring",
      labels: { severity: "critical", namespace: "web", name: "www-tls", key: "tls.crt" },
      annotations: { summary: "Secret web/www-tls[tls.crt]: Expiring", description: "expires soon; not renewed" },
      startsAt: now.toISOString(),
    };
    await sink.fire(alert);
    const active = await until(
      async () => {
        const list = (await (await fetch(`${url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string>; endsAt: string; status: { state: string } }>;
        return list.length > 0 ? list : undefined;
      },
      "the alert in GET /api/v2/alerts",
      () => amLog,
    );
    assert.equal(active[0]?.labels["alertname"], "CertificateExpiring");
    assert.equal(active[0]?.labels["name"], "www-tls");
    assert.equal(active[0]?.status.state, "active");
    assert.ok(Date.parse(active[0]?.endsAt ?? "") > Date.now() + 3 * 3_600_000, "endsAt is kept ahead while firing");
    await until(async () => (notifications.length >= 1 ? true : undefined), "the firing notification", () => amLog);
    assert.equal(notifications[0]?.status, "firing");

    now = new Date();
    await sink.fire(alert); // a refresh, as the controller sends every refresh interval
    now = new Date();
    await sink.resolve({ ...alert, endsAt: now.toISOString() });
    await until(async () => (notifications.some((n) => n.status === "resolved") ? true : undefined), "the resolved notification", () => amLog);
    assert.deepEqual(notifications.map((n) => n.status), ["firing", "resolved"]);
    assert.equal(notifications[1]?.alerts[0]?.labels["alertname"], "CertificateExpiring");
    const after = (await (await fetch(`${url}/api/v2/alerts`)).json()) as unknown[];
    assert.deepEqual(after, [], "a resolved alert leaves the active list");
  });

  test("DnsCredential spec.alertSinks: Rejected fires once, survives a restart without a second send, resolves by endsAt", async () => {
    const GOOD = "cf-canary-real-good-Tt55";
    const BAD = "cf-canary-real-bad-Uu66";
    const clock = new ManualClock(new Date());
    const tick = () => clock.set(new Date());
    let posts = 0;
    const deps: CredentialDeps = {
      readVault: async () => {
        throw new Error("unused");
      },
      probe: async (_p, _z, value) => (value === GOOD ? { ok: true, fqdn: "_probe.example.test", steps: ["create", "read", "delete"] } : { ok: false, answer: "HTTP 403", message: "Cloudflare record create refused: HTTP 403 (10000 Authentication error)", steps: ["create"] }),
      tokenExpiry: async () => undefined,
    };
    const alerting = {
      defaultSinks: [],
      buildSink: (spec: Parameters<typeof buildSink>[0], token: string | undefined) => {
        const sink = buildSink(spec, token, () => clock.now());
        return { describe: sink.describe, refreshIntervalMs: sink.refreshIntervalMs, fire: (a: Alert) => (posts++, sink.fire(a)), resolve: (a: Alert) => (posts++, sink.resolve(a)) };
      },
    };
    const source = (value: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "src", namespace: "dns" }, type: "Opaque", data: { token: Buffer.from(value).toString("base64") } });
    const cred = { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "cf", namespace: "dns", uid: "u-real", generation: 1 }, spec: { source: { secretRef: { name: "src", key: "token" } }, provider: { cloudflare: {} }, zone: "example.test", targets: [{ name: "out", key: "api-token" }], alertSinks: [{ alertmanager: { url } }] } };
    const mine = () => notifications.filter((n) => n.alerts.some((a) => a.labels["alertname"] === "DnsCredentialRejected"));
    const active = async () => ((await (await fetch(`${url}/api/v2/alerts?active=true&silenced=false&inhibited=false`)).json()) as Array<{ labels: Record<string, string>; startsAt: string; status: { state: string } }>).filter((a) => a.labels["alertname"] === "DnsCredentialRejected");

    let d = new KindDriver(dnsCredentialKind(deps, { alerting }) as never, cred, clock) as KindDriver<unknown, unknown>;
    d.put(SECRETS, source(GOOD));
    tick();
    await d.pass();
    d.put(SECRETS, source(BAD));
    tick();
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "CredentialRejected");
    assert.equal(posts, 1);
    const firing = await until(async () => ((await active()).length > 0 ? await active() : undefined), "DnsCredentialRejected active in Alertmanager", () => amLog);
    assert.deepEqual([firing[0]?.labels["namespace"], firing[0]?.labels["name"], firing[0]?.labels["zone"], firing[0]?.labels["severity"], firing[0]?.status.state], ["dns", "cf", "example.test", "critical", "active"]);
    await until(async () => (mine().length >= 1 ? true : undefined), "the firing notification", () => amLog);

    tick();
    await d.pass();
    assert.equal(posts, 1, "the next pass sends nothing");
    // A restarted controller: new kind and driver over the object as stored.
    d = new KindDriver(dnsCredentialKind(deps, { alerting }) as never, d.primary, clock) as KindDriver<unknown, unknown>;
    d.put(SECRETS, source(BAD));
    tick();
    await d.pass();
    assert.equal(posts, 1, "a restart sends nothing");
    assert.equal((await active())[0]?.startsAt, firing[0]?.startsAt, "the same alert, still active");

    d.put(SECRETS, source(GOOD));
    tick();
    await d.pass();
    assert.equal(d.condition("Ready")?.reason, "Propagated", "back to the proven credential");
    assert.equal(posts, 2);
    await until(async () => (mine().some((n) => n.status === "resolved") ? true : undefined), "the resolved notification", () => amLog);
    assert.deepEqual(mine().map((n) => n.status), ["firing", "resolved"]);
    assert.deepEqual(await active(), [], "resolved: no longer active");
    const visible = JSON.stringify([notifications, d.primary["status"]]);
    assert.ok(!visible.includes(GOOD) && !visible.includes(BAD), "no credential in any alert or status");
  });
});
