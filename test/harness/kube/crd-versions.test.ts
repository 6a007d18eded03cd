// Conformance: custom objects of a CRD whose versions have different schemas, conversion None
// (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/):
// a write is pruned and defaulted by the request version's schema and pruned again by the
// storage version's; a read at another version is pruned by that version's schema, not defaulted
// (as kube-apiserver 1.37.2 does, e.g. with ESO's v1beta1-only SecretStore providers).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

describe("CRD versions with different schemas", () => {
  let server: KubeTestServer;
  let t: Target;
  const G = "/apis/example.test";
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    const spec = (props: Record<string, unknown>) => ({ openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: props } } } });
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "gears.example.test" },
      spec: {
        group: "example.test", scope: "Namespaced", names: { plural: "gears", singular: "gear", kind: "Gear" },
        versions: [
          { name: "v1", served: true, storage: true, schema: spec({ a: { type: "string" } }) },
          { name: "v1beta1", served: true, storage: false, schema: spec({ a: { type: "string" }, old: { type: "string" }, mode: { type: "string", default: "legacy" } }) },
        ],
      },
    };
    assert.equal((await send(t, "POST", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, crd)).status, 201);
  });
  after(() => server.stop());

  test("a v1beta1-only field does not survive the storage version's schema", async () => {
    const r = await send(t, "POST", `${G}/v1beta1/namespaces/default/gears`, { apiVersion: "example.test/v1beta1", kind: "Gear", metadata: { name: "g1" }, spec: { a: "x", old: "y" } });
    assert.equal(r.status, 201);
    // mode's default (v1beta1) is pruned by v1 at storage too.
    assert.deepEqual(r.json.spec, { a: "x" });
    assert.deepEqual((await send(t, "GET", `${G}/v1/namespaces/default/gears/g1`)).json.spec, { a: "x" });
    assert.deepEqual((await send(t, "GET", `${G}/v1beta1/namespaces/default/gears/g1`)).json.spec, { a: "x" });
  });
  test("an object written at v1 and read at v1beta1 does not get v1beta1's defaults", async () => {
    assert.equal((await send(t, "POST", `${G}/v1/namespaces/default/gears`, { apiVersion: "example.test/v1", kind: "Gear", metadata: { name: "g2" }, spec: { a: "x" } })).status, 201);
    assert.deepEqual((await send(t, "GET", `${G}/v1beta1/namespaces/default/gears/g2`)).json.spec, { a: "x" });
  });
});
