/**
 * DnsCredential alerts reach a real HTTP receiver through the project's webhook sink: a refused
 * candidate fires DnsCredentialRejected once (not again on the next pass, nor after a controller
 * restart, since the firing set is read back from status), and the alert resolves once a good
 * credential is proven. The credential values are canaries: never in any alert body.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebhookSink } from "../../../src/alerts/webhook-sink.js";
import { sinkNotifier } from "../../../src/controller/dns-credential/alert-notifier.js";
import { dnsCredentialKind } from "../../../src/controller/dns-credential/index.js";
import type { CredentialDeps } from "../../../src/controller/dns-credential/observe.js";
import type { StructuredLogger } from "../../../src/log.js";
import { SECRETS } from "../../../src/kube/resources.js";
import { KindDriver, ManualClock } from "../../support/kind-driver.js";

const GOOD = "canary-good-7f3a9c";
const BAD = "canary-bad-1e5d2b";
const bodies: Array<{ status: string; alerts: Array<{ labels: Record<string, string>; endsAt: string }> }> = [];
const raw: string[] = [];
const logged: string[] = [];
const capture: StructuredLogger = {
  debug: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  info: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  warn: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  error: (...a: unknown[]) => void logged.push(JSON.stringify(a)),
  child: () => capture,
};
let server: Server;
let url: URL;

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      raw.push(body);
      bodies.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
});
after(() => new Promise<void>((r) => server.close(() => r())));

test("Rejected fires on entering, is not re-fired on the next pass or after a restart, resolves on leaving", async () => {
  const clock = new ManualClock(new Date("2026-12-01T10:00:00Z"));
  const deps: CredentialDeps = {
    readVault: async () => {
      throw new Error("unused");
    },
    probe: async (_p, _z, value) => (value === GOOD ? { ok: true, fqdn: "_probe.example.test", steps: ["create", "read", "delete"] } : { ok: false, answer: "REFUSED", message: "update refused", steps: ["create"] }),
    tokenExpiry: async () => undefined,
  };
  const source = (value: string) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "src", namespace: "ns" }, type: "Opaque", data: { v: Buffer.from(value).toString("base64") } });
  const notifier = () => sinkNotifier([new WebhookSink({ url })], clock, capture);
  let n = notifier();
  const cred = { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "c", namespace: "ns", uid: "u1", generation: 1 }, spec: { source: { secretRef: { name: "src", key: "v" } }, provider: { cloudflare: {} }, zone: "example.test", targets: [{ name: "out", key: "token" }] } };
  let d = new KindDriver(dnsCredentialKind(deps, { alerts: n }) as never, cred, clock) as KindDriver<unknown, unknown>;
  d.put(SECRETS, source(BAD));

  await d.pass();
  await n.idle();
  assert.deepEqual(bodies.map((b) => `${b.status} ${b.alerts[0]?.labels["alertname"]}`), ["firing DnsCredentialRejected"]);

  clock.set(new Date(clock.now().getTime() + 60_000));
  await d.pass();
  await n.idle();
  assert.equal(bodies.length, 1, "a steady alert is not sent again");

  // A restarted controller: new notifier and kind, the status read back from the object.
  n = notifier();
  const primary = d.primary;
  d = new KindDriver(dnsCredentialKind(deps, { alerts: n }) as never, primary, clock) as KindDriver<unknown, unknown>;
  d.put(SECRETS, source(BAD));
  await d.pass();
  await n.idle();
  assert.equal(bodies.length, 1, "a restart does not re-fire");

  d.put(SECRETS, source(GOOD));
  await d.pass();
  await n.idle();
  assert.equal(d.condition("Ready")?.reason, "Propagated");
  assert.deepEqual(bodies.map((b) => `${b.status} ${b.alerts[0]?.labels["alertname"]}`), ["firing DnsCredentialRejected", "resolved DnsCredentialRejected"]);
  assert.notEqual(bodies[1]?.alerts[0]?.endsAt, "0001-01-01T00:00:00Z");
  assert.ok(logged.some((l) => l.includes("DnsCredentialRejected")), "alert changes are logged");
  for (const canary of [GOOD, BAD]) assert.ok(!raw.join("\n").includes(canary) && !logged.join("\n").includes(canary), "no credential in any alert or log line");
  assert.ok(!JSON.stringify(d.primary["status"]).includes(GOOD) && !JSON.stringify(d.primary["status"]).includes(BAD));
});
