import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { statusPatch, syncedResourceVersionOf } from "../../src/eso/es-status.js";
import { externalSecret, homelabSpec } from "./builders.js";

const t0 = new Date("2026-11-22T00:00:00Z");
const t1 = new Date("2026-11-22T01:00:00Z");
const synced = { ready: true, reason: "SecretSynced", message: "secret synced", synced: true, wrote: true };

describe("statusPatch", () => {
  test("first sync sets Ready, refreshTime, syncedResourceVersion and binding", () => {
    const es = externalSecret(homelabSpec);
    const s = statusPatch(es, "app-credentials", synced, t0);
    assert.ok(s);
    assert.equal(s.refreshTime, t0.toISOString());
    assert.equal(s.syncedResourceVersion, syncedResourceVersionOf(es));
    assert.deepEqual(s.binding, { name: "app-credentials" });
    assert.deepEqual(s.conditions, [{ type: "Ready", status: "True", reason: "SecretSynced", message: "secret synced", lastTransitionTime: t0.toISOString() }]);
  });

  test("an unchanged resync (no write) changes nothing", () => {
    const es0 = externalSecret(homelabSpec);
    const status = statusPatch(es0, "app-credentials", synced, t0);
    const es = { ...es0, status: status ?? undefined };
    assert.equal(statusPatch(es, "app-credentials", { ...synced, wrote: false }, t1), null);
  });

  test("a write moves refreshTime but keeps lastTransitionTime", () => {
    const es0 = externalSecret(homelabSpec);
    const es = { ...es0, status: statusPatch(es0, "app-credentials", synced, t0) ?? undefined };
    const s = statusPatch(es, "app-credentials", synced, t1);
    assert.equal(s?.refreshTime, t1.toISOString());
    assert.equal(s?.conditions?.[0]?.lastTransitionTime, t0.toISOString());
  });

  test("failure flips Ready to False and keeps refreshTime and syncedResourceVersion", () => {
    const es0 = externalSecret(homelabSpec);
    const es = { ...es0, status: statusPatch(es0, "app-credentials", synced, t0) ?? undefined };
    const s = statusPatch(es, "app-credentials", { ready: false, reason: "SecretSyncedError", message: "Vault is sealed", synced: false, wrote: false }, t1);
    assert.equal(s?.refreshTime, t0.toISOString());
    assert.equal(s?.syncedResourceVersion, es.status?.syncedResourceVersion);
    assert.equal(s?.conditions?.[0]?.status, "False");
    assert.equal(s?.conditions?.[0]?.lastTransitionTime, t1.toISOString());
  });

  test("a force-sync annotation changes syncedResourceVersion", () => {
    const a = externalSecret(homelabSpec);
    const b = externalSecret(homelabSpec, { annotations: { "force-sync": "1700000000" } });
    assert.notEqual(syncedResourceVersionOf(a), syncedResourceVersionOf(b));
    assert.match(syncedResourceVersionOf(a), /^1-[0-9a-f]{32}$/);
  });
});
