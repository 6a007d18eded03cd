/**
 * The alert sinks against local HTTP servers: the Alertmanager body is checked against the
 * v2 OpenAPI spec (test/fixtures/alertmanager/openapi-v2.yaml, `postableAlerts`); the webhook
 * body has Alertmanager's webhook shape; ntfy gets its JSON publish fields
 * (https://docs.ntfy.sh/publish/#publish-as-json). Failures are RemoteErrors without secrets.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { parse as parseYaml } from "yaml";
import type { Alert } from "../../src/alerts/alert.js";
import { AlertmanagerSink } from "../../src/alerts/alertmanager-sink.js";
import { NtfySink } from "../../src/alerts/ntfy-sink.js";
import { buildSink, parseSinkFlag } from "../../src/alerts/sink-config.js";
import { WebhookSink } from "../../src/alerts/webhook-sink.js";
import { InputError, RemoteError } from "../../src/errors.js";
import { schemaProblems, type SchemaNode } from "../support/openapi-check.js";

const spec = parseYaml(readFileSync(new URL("../fixtures/alertmanager/openapi-v2.yaml", import.meta.url), "utf8")) as {
  paths: Record<string, { post?: { parameters: Array<{ in: string; schema: SchemaNode }> } }>;
  definitions: Record<string, SchemaNode>;
};
const postAlertsBody = spec.paths["/alerts"]?.post?.parameters.find((p) => p.in === "body")?.schema;
const TOKEN = "tk_CANARYTOKEN0123456789";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}

const alert: Alert = {
  name: "CertificateExpiring",
  labels: { severity: "critical", namespace: "web", name: "www-tls", key: "tls.crt" },
  annotations: { summary: "Secret web/www-tls[tls.crt]: Expiring", description: "expires at 2026-12-30T00:00:00Z; not renewed" },
  startsAt: "2026-12-21T00:00:00Z",
};

describe("alert sinks against local servers", () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let status = 200;
  before(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        const body = JSON.parse(text) as unknown;
        received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        if (req.url === "/api/v2/alerts" && postAlertsBody) {
          const problems = schemaProblems(body, postAlertsBody, spec.definitions);
          if (problems.length > 0) {
            res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: 400, message: problems.join("; ") }));
            return;
          }
        }
        res.writeHead(status).end(status === 200 ? "" : `secret ${TOKEN} echoed`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  test("the OpenAPI spec defines the body of POST /api/v2/alerts", () => {
    assert.deepEqual(postAlertsBody, { $ref: "#/definitions/postableAlerts" });
    assert.ok(schemaProblems([{ labels: { a: 1 } }], postAlertsBody, spec.definitions).length > 0, "the checker rejects a bad body");
  });
  test("Alertmanager: fire posts a spec-valid postableAlert with alertname and an endsAt four refresh intervals ahead", async () => {
    received.length = 0;
    const sink = new AlertmanagerSink({ url: new URL(base), bearerToken: TOKEN, refreshIntervalMs: 3_600_000, now: () => new Date("2026-12-21T00:00:00Z") });
    await sink.fire(alert);
    const r = received[0];
    assert.equal(r?.method, "POST");
    assert.equal(r?.url, "/api/v2/alerts");
    assert.equal(r?.headers.authorization, `Bearer ${TOKEN}`);
    assert.deepEqual(r?.body, [
      {
        labels: { severity: "critical", namespace: "web", name: "www-tls", key: "tls.crt", alertname: "CertificateExpiring" },
        annotations: alert.annotations,
        startsAt: "2026-12-21T00:00:00Z",
        endsAt: "2026-12-21T04:00:00.000Z",
      },
    ]);
    assert.equal(sink.refreshIntervalMs, 3_600_000);
  });
  test("Alertmanager: resolve sends endsAt = the end time; a path prefix is kept", async () => {
    received.length = 0;
    await new AlertmanagerSink({ url: new URL(`${base}/am`) }).resolve({ ...alert, endsAt: "2026-12-22T00:00:00Z" }).catch(() => undefined);
    assert.equal(received[0]?.url, "/am/api/v2/alerts");
    received.length = 0;
    await new AlertmanagerSink({ url: new URL(base) }).resolve({ ...alert, endsAt: "2026-12-22T00:00:00Z" });
    assert.equal((received[0]?.body as Array<{ endsAt: string }>)[0]?.endsAt, "2026-12-22T00:00:00Z");
  });
  test("webhook: Alertmanager's webhook shape, firing then resolved", async () => {
    received.length = 0;
    const sink = new WebhookSink({ url: new URL(`${base}/hook`) });
    await sink.fire(alert);
    await sink.resolve({ ...alert, endsAt: "2026-12-22T00:00:00Z" });
    const [fired, resolved] = received.map((r) => r.body as { version: string; status: string; alerts: Array<{ status: string; endsAt: string; labels: Record<string, string> }> });
    assert.equal(fired?.version, "4");
    assert.equal(fired?.status, "firing");
    assert.equal(fired?.alerts[0]?.labels["alertname"], "CertificateExpiring");
    assert.equal(fired?.alerts[0]?.endsAt, "0001-01-01T00:00:00Z");
    assert.equal(resolved?.status, "resolved");
    assert.equal(resolved?.alerts[0]?.endsAt, "2026-12-22T00:00:00Z");
  });
  test("ntfy: JSON publish to the server root with topic, title, message, priority and tags", async () => {
    received.length = 0;
    const sink = new NtfySink({ url: new URL(base), topic: "homelab-certs", token: TOKEN });
    await sink.fire(alert);
    await sink.resolve({ ...alert, endsAt: "2026-12-22T00:00:00Z" });
    assert.equal(received[0]?.url, "/");
    assert.deepEqual(received[0]?.body, {
      topic: "homelab-certs",
      title: "CertificateExpiring: web/www-tls",
      message: "expires at 2026-12-30T00:00:00Z; not renewed",
      priority: 5,
      tags: ["rotating_light", "sealbridge"],
    });
    assert.equal((received[1]?.body as { priority: number }).priority, 2);
    assert.equal(received[0]?.headers.authorization, `Bearer ${TOKEN}`);
  });
  test("an error status and an unreachable sink are RemoteErrors that name the sink, never the token or body", async () => {
    status = 500;
    try {
      const err = await new AlertmanagerSink({ url: new URL(`http://user:pw@127.0.0.1:${new URL(base).port}`), bearerToken: TOKEN }).fire(alert).then(
        () => assert.fail("no error"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof RemoteError);
      assert.equal(err.status, 500);
      assert.equal(err.message, `Alertmanager refused the alert: ${base}/api/v2/alerts answered HTTP 500 (check the sink URL, topic and credentials)`);
    } finally {
      status = 200;
    }
    const down = await new WebhookSink({ url: new URL("http://127.0.0.1:1/hook"), bearerToken: TOKEN }).fire(alert).then(
      () => assert.fail("no error"),
      (e: unknown) => e as RemoteError,
    );
    assert.equal(down.code, "AlertSinkUnreachable");
    assert.match(down.message, /^Webhook unreachable: http:\/\/127\.0\.0\.1:1\/hook \(ECONNREFUSED/);
    assert.ok(!down.message.includes(TOKEN));
  });
});

describe("sink configuration", () => {
  const table: Array<[string, unknown]> = [
    ["alertmanager=http://am.monitoring:9093", { alertmanager: { url: "http://am.monitoring:9093" } }],
    ["webhook=https://hooks.example.test/x", { webhook: { url: "https://hooks.example.test/x" } }],
    ["ntfy=https://ntfy.sh/homelab-certs", { ntfy: { url: "https://ntfy.sh", topic: "homelab-certs" } }],
  ];
  for (const [flag, want] of table) test(`--alert-sink ${flag}`, () => assert.deepEqual(parseSinkFlag(flag), want));
  for (const bad of ["alertmanager", "pager=http://x", "ntfy=https://ntfy.sh", "webhook=ftp://x"]) {
    test(`rejects --alert-sink ${bad}`, () => assert.throws(() => parseSinkFlag(bad), (e: unknown) => e instanceof InputError && /use alertmanager=URL, webhook=URL or ntfy=URL\/TOPIC/.test(e.message)));
  }
  test("buildSink describes sinks without credentials", () => {
    assert.equal(buildSink({ alertmanager: { url: "http://u:p@am:9093" } }).describe, "alertmanager http://am:9093/");
    assert.equal(buildSink({ ntfy: { url: "https://ntfy.sh", topic: "t" } }, "tk").describe, "ntfy https://ntfy.sh/ topic t");
  });
});
