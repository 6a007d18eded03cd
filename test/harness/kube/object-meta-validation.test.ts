// Conformance: ObjectMeta rules with kube-apiserver 1.37.2's texts (apimachinery
// pkg/api/validation/objectmeta.go, pkg/apis/core/validation validateKubeFinalizerName): label
// value length, finalizer names (built-in kinds refuse unqualified non-standard ones, custom
// resources do not), ownerReference required fields and a single controller.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

describe("ObjectMeta validation", () => {
  let server: KubeTestServer;
  let t: Target;
  const CM = "/api/v1/namespaces/default/configmaps?dryRun=All";
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
  });
  after(() => server.stop());
  const msg = async (meta: Record<string, unknown>) => {
    const r = await send(t, "POST", CM, { metadata: { name: "c", ...meta } });
    return r.status === 201 ? "created" : String(r.json.message);
  };

  test("a label value of 64 bytes", async () => {
    assert.equal(await msg({ labels: { a: "x".repeat(64) } }), `ConfigMap "c" is invalid: metadata.labels: Invalid value: "${"x".repeat(64)}": must be no more than 63 bytes`);
  });
  test("finalizers: standard names and qualified names pass, others are refused on built-in kinds", async () => {
    assert.equal(await msg({ finalizers: ["kubernetes", "orphan", "foregroundDeletion", "example.test/keep"] }), "created");
    assert.equal(await msg({ finalizers: ["nodomain"] }), 'ConfigMap "c" is invalid: metadata.finalizers[0]: Invalid value: "nodomain": name is neither a standard finalizer name nor is it fully qualified');
  });
  test("ownerReferences: required fields, one controller", async () => {
    assert.equal(await msg({ ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "x" }] }), 'ConfigMap "c" is invalid: metadata.ownerReferences[0].uid: Required value: must not be empty');
    const two = [{ apiVersion: "v1", kind: "ConfigMap", name: "x", uid: "1", controller: true }, { apiVersion: "v1", kind: "ConfigMap", name: "y", uid: "2", controller: true }];
    assert.equal(await msg({ ownerReferences: two }), `ConfigMap "c" is invalid: metadata.ownerReferences: Invalid value: ${JSON.stringify(two)}: Only one reference can have Controller set to true. Found "true" in references for ConfigMap/x and ConfigMap/y`);
  });
});
