// Conformance: MicroTime fields (Lease acquireTime/renewTime, Event eventTime) must have six
// fractional digits, as metav1.MicroTime decodes them; otherwise 400 with Go's time.ParseError text
// (checked against kube-apiserver 1.37.2; k8s.io/apimachinery pkg/apis/meta/v1/micro_time.go).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { microTimeError } from "./micro-time.js";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

const LAYOUT = '"2006-01-02T15:04:05.000000Z07:00"';

describe("MicroTime", () => {
  test("Go's texts for the usual mistakes", () => {
    assert.equal(microTimeError("2026-01-01T00:00:00.000000Z"), undefined);
    assert.equal(microTimeError("2026-01-01T00:00:00.123456+02:00"), undefined);
    assert.equal(microTimeError("2026-01-01T00:00:00Z"), `parsing time "2026-01-01T00:00:00Z" as ${LAYOUT}: cannot parse "Z" as ".000000"`);
    assert.equal(microTimeError("2026-01-01T00:00:00.123Z"), `parsing time "2026-01-01T00:00:00.123Z" as ${LAYOUT}: cannot parse ".123Z" as ".000000"`);
    assert.equal(microTimeError("2026-13-01T00:00:00.000000Z"), 'parsing time "2026-13-01T00:00:00.000000Z": month out of range');
    assert.equal(microTimeError("2026-01-01 00:00:00.000000Z"), `parsing time "2026-01-01 00:00:00.000000Z" as ${LAYOUT}: cannot parse " 00:00:00.000000Z" as "T"`);
    assert.equal(microTimeError("2026-01-01T00:00:00.000000Zjunk"), 'parsing time "2026-01-01T00:00:00.000000Zjunk": extra text: "junk"');
  });
  test("property: toISOString with microseconds parses, the plain millisecond form does not", () => {
    fc.assert(fc.property(fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }), (d) => {
      const iso = d.toISOString();
      return microTimeError(iso.replace(/\.(\d{3})Z$/, ".$1000Z")) === undefined && microTimeError(iso) !== undefined;
    }));
  });
});

describe("MicroTime fields on the test server", () => {
  let server: KubeTestServer;
  let t: Target;
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
  });
  after(() => server.stop());

  test("a Lease renewTime without microseconds is 400, with them 201", async () => {
    const path = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
    const bad = await send(t, "POST", path, { metadata: { name: "l" }, spec: { holderIdentity: "a", renewTime: "2026-01-01T00:00:00Z" } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, `Lease in version "v1" cannot be handled as a Lease: parsing time "2026-01-01T00:00:00Z" as ${LAYOUT}: cannot parse "Z" as ".000000"`);
    const ok = await send(t, "POST", path, { metadata: { name: "l" }, spec: { holderIdentity: "a", renewTime: "2026-01-01T00:00:00.000000Z", acquireTime: null } });
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
  });
});
