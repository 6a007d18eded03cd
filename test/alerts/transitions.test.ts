import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { alertTransitions, settleAlertRecords, type AlertRecord, type DesiredAlert } from "../../src/alerts/transitions.js";
import { alertKey } from "../../src/alerts/alert.js";

const t0 = new Date("2026-12-01T10:00:00Z");
const later = (ms: number): Date => new Date(t0.getTime() + ms);
const expiring: DesiredAlert = {
  name: "CertificateExpiring",
  labels: { namespace: "web", name: "www-tls", severity: "warning" },
  annotations: { summary: "www-tls expires in 20 days" },
};
const sinks = [{ id: "am", refreshIntervalMs: 3_600_000 }, { id: "hook" }];

describe("alertTransitions", () => {
  test("fires to every sink on entering a state", () => {
    const t = alertTransitions([], [expiring], sinks, t0);
    assert.deepEqual(
      t.deliveries.map((d) => [d.sinkId, d.action, d.alert.startsAt, d.alert.endsAt]),
      [
        ["am", "fire", "2026-12-01T10:00:00Z", undefined],
        ["hook", "fire", "2026-12-01T10:00:00Z", undefined],
      ],
    );
    assert.deepEqual(t.next[0]?.sentTo, ["am", "hook"]);
  });
  test("does not repeat on the next scan (state read back from status)", () => {
    const first = alertTransitions([], [expiring], sinks, t0).next;
    const roundTripped = JSON.parse(JSON.stringify(first)) as AlertRecord[];
    const t = alertTransitions(roundTripped, [expiring], sinks, later(60_000));
    assert.deepEqual(t.deliveries, []);
    assert.deepEqual(t.next, first);
  });
  test("refreshes only sinks that need it, after their interval", () => {
    const first = alertTransitions([], [expiring], sinks, t0).next;
    const t = alertTransitions(first, [expiring], sinks, later(3_600_000));
    assert.deepEqual(t.deliveries.map((d) => [d.sinkId, d.action]), [["am", "refresh"]]);
    assert.equal(t.next[0]?.startsAt, "2026-12-01T10:00:00Z");
    assert.equal(t.next[0]?.lastSentAt, "2026-12-01T11:00:00Z");
  });
  test("resolves on leaving the state, with endsAt, then forgets", () => {
    const first = alertTransitions([], [expiring], sinks, t0).next;
    const t = alertTransitions(first, [], sinks, later(120_000));
    assert.deepEqual(t.deliveries.map((d) => [d.sinkId, d.action, d.alert.endsAt]), [
      ["am", "resolve", "2026-12-01T10:02:00Z"],
      ["hook", "resolve", "2026-12-01T10:02:00Z"],
    ]);
    assert.deepEqual(t.next, []);
  });
  test("moving from warning to critical resolves one alert and fires the other", () => {
    const first = alertTransitions([], [expiring], sinks, t0).next;
    const critical = { ...expiring, name: "CertificateExpiringCritical", labels: { ...expiring.labels, severity: "critical" } };
    const t = alertTransitions(first, [critical], sinks, later(1000));
    assert.deepEqual(t.deliveries.map((d) => [d.alert.name, d.action]), [
      ["CertificateExpiringCritical", "fire"],
      ["CertificateExpiringCritical", "fire"],
      ["CertificateExpiring", "resolve"],
      ["CertificateExpiring", "resolve"],
    ]);
  });
  test("a failed fire is retried next pass to that sink only", () => {
    const t = alertTransitions([], [expiring], sinks, t0);
    const failed = t.deliveries.filter((d) => d.sinkId === "hook");
    const kept = settleAlertRecords(t, [], failed);
    assert.deepEqual(kept[0]?.sentTo, ["am"]);
    const retry = alertTransitions(kept, [expiring], sinks, later(1000));
    assert.deepEqual(retry.deliveries.map((d) => [d.sinkId, d.action]), [["hook", "fire"]]);
  });
  test("a failed resolve keeps the ended record and retries the resolve", () => {
    const first = alertTransitions([], [expiring], sinks, t0).next;
    const t = alertTransitions(first, [], sinks, later(1000));
    const failed = t.deliveries.filter((d) => d.sinkId === "am");
    const kept = settleAlertRecords(t, first, failed);
    assert.equal(kept.length, 1);
    assert.deepEqual(kept[0]?.sentTo, ["am"]);
    assert.equal(kept[0]?.endsAt, "2026-12-01T10:00:01Z");
    const retry = alertTransitions(kept, [], sinks, later(2000));
    assert.deepEqual(retry.deliveries.map((d) => [d.sinkId, d.action, d.alert.endsAt]), [["am", "resolve", "2026-12-01T10:00:01Z"]]);
  });
  test("alertKey ignores label order and annotations", () => {
    assert.equal(alertKey({ name: "A", labels: { b: "1", a: "2" } }), alertKey({ name: "A", labels: { a: "2", b: "1" } }));
  });
});
