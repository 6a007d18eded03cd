import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventRecorder } from "../../../src/controller/runtime/events.js";
import { silentLogger } from "../../../src/log.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { kubeFixture, NAMESPACES, SECRETS } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";

type Event = KubeObject & { count: number; reason: string; message: string; type: string; firstTimestamp: string; lastTimestamp: string; involvedObject: { kind: string; name: string; uid: string } };

describe("EventRecorder against the Kubernetes test server", { timeout: 20_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "ev" } });
  });
  after(async () => f.close());

  test("creates an Event, aggregates repeats into count/lastTimestamp, and scrubs secrets", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const recorder = new EventRecorder({ kube: f.kube, clock: { now: () => now }, log: silentLogger, instance: "pod-1", minUpdateIntervalMs: 30_000, windowMs: 600_000 });
    const regarding = await f.kube.create<KubeObject>(SECRETS, { metadata: { name: "target", namespace: "ev" } });
    const message = "decrypt failed: ev/target (token hvs.CANARYCANARYCANARYCANARY99 was rejected)";
    await recorder.record(regarding, "Warning", "DecryptFailed", message);
    await recorder.record(regarding, "Warning", "DecryptFailed", message);
    await recorder.record(regarding, "Warning", "DecryptFailed", message);
    let events = f.server.objects("events", "ev") as Event[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.count, 1, "repeats inside the update interval are only counted locally");
    assert.equal(events[0]!.involvedObject.kind, "Secret");
    assert.equal(events[0]!.involvedObject.uid, regarding.metadata.uid);
    assert.equal(events[0]!.type, "Warning");
    assert.doesNotMatch(events[0]!.message, /CANARY/);
    now = new Date("2026-01-01T00:00:31Z");
    await recorder.record(regarding, "Warning", "DecryptFailed", message);
    events = f.server.objects("events", "ev") as Event[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.count, 4);
    assert.equal(events[0]!.lastTimestamp, "2026-01-01T00:00:31Z");
    assert.equal(events[0]!.firstTimestamp, "2026-01-01T00:00:00Z");
    // A different reason is a different Event; after the window a new Event starts.
    await recorder.record(regarding, "Normal", "Decrypted", "ok");
    now = new Date("2026-01-01T00:20:00Z");
    await recorder.record(regarding, "Warning", "DecryptFailed", message);
    events = f.server.objects("events", "ev") as Event[];
    assert.equal(events.length, 3);
  });

  test("failures to record are swallowed", async () => {
    const recorder = new EventRecorder({ kube: f.kube, clock: { now: () => new Date() }, log: silentLogger, instance: "pod-1" });
    f.server.faults.failRate(/\/events/, 500, { rate: 1 });
    try {
      await recorder.record({ metadata: { name: "x", namespace: "ev" } }, "Normal", "R", "m");
    } finally {
      f.server.faults.clear();
    }
  });
});
