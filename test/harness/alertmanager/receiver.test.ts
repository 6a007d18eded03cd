/**
 * The Alertmanager-compatible receiver: sealbridge's Alertmanager sink fires and resolves into it;
 * GET /api/v2/alerts lists only active alerts; a body off the v2 spec is refused with 400.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Alert } from "../../../src/alerts/alert.js";
import { AlertmanagerSink } from "../../../src/alerts/alertmanager-sink.js";
import { startAlertReceiver, type AlertReceiver } from "./receiver.js";

const alert: Alert = {
  name: "CertificateExpiring",
  labels: { severity: "critical", namespace: "web", name: "www-tls", key: "tls.crt" },
  annotations: { summary: "Secret web/www-tls[tls.crt]: Expiring" },
  startsAt: "2026-12-01T00:00:00Z",
};

describe("Alertmanager-compatible receiver", () => {
  let receiver: AlertReceiver;
  before(async () => {
    receiver = await startAlertReceiver();
  });
  after(() => receiver.close());

  const active = async (): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>> => {
    const res = await fetch(`${receiver.url}/api/v2/alerts`);
    assert.equal(res.status, 200, "the GET answer conforms to gettableAlerts");
    return (await res.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
  };

  test("a fired alert is active and listed; resolving it (endsAt now) removes it from the list", async () => {
    const sink = new AlertmanagerSink({ url: new URL(receiver.url) });
    await sink.fire(alert);
    const [listed] = await active();
    assert.equal(listed?.labels["alertname"], "CertificateExpiring");
    assert.equal(listed?.status.state, "active");
    const seen = receiver.alerts()[0];
    assert.ok(seen && !receiver.isResolved(seen));
    await sink.resolve({ ...alert, endsAt: new Date(Date.now() - 1000).toISOString() });
    assert.deepEqual(await active(), []);
    assert.equal(receiver.alerts().length, 1, "one alert, keyed by its label set");
    const resolved = receiver.alerts()[0];
    assert.ok(resolved && receiver.isResolved(resolved));
    assert.equal(receiver.posts().length, 2);
  });

  test("a body off the spec is refused with 400 and recorded", async () => {
    const res = await fetch(`${receiver.url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ labels: { a: 1 } }]) });
    assert.equal(res.status, 400);
    assert.match(receiver.refused().at(-1) ?? "", /body\[0\]\.labels\.a: not a string/);
    assert.equal((await fetch(`${receiver.url}/-/ready`)).status, 200);
  });
});
