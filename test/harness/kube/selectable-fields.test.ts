// Conformance: a CRD version's selectableFields are field selectors on its objects (ESO's
// ExternalSecret selects on spec.secretStoreRef.name and others), other fields are 400; checked
// against kube-apiserver 1.37.2
// (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#crd-selectable-fields).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

describe("CRD selectableFields", () => {
  let server: KubeTestServer;
  let t: Target;
  const ES = "/apis/external-secrets.io/v1/namespaces/apps/externalsecrets";
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    const crd = parseYaml(readFileSync(fileURLToPath(new URL("../../../crds/externalsecrets.external-secrets.io.yaml", import.meta.url)), "utf8"));
    assert.equal((await send(t, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).status, 201);
    assert.equal((await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "apps" } })).status, 201);
    for (const [name, store] of [["a", "s1"], ["b", "s2"]]) {
      const es = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name }, spec: { secretStoreRef: { name: store }, data: [{ secretKey: "k", remoteRef: { key: "x" } }] } };
      assert.equal((await send(t, "POST", ES, es)).status, 201);
    }
  });
  after(() => server.stop());
  const names = async (sel: string) => {
    const r = await send(t, "GET", `${ES}?fieldSelector=${encodeURIComponent(sel)}`);
    return r.status === 200 ? (r.json.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name) : `${r.status} ${String(r.json.message)}`;
  };

  test("=, != and defaulted or absent values", async () => {
    assert.deepEqual(await names("spec.secretStoreRef.name=s1"), ["a"]);
    assert.deepEqual(await names("spec.secretStoreRef.name!=s1"), ["b"]);
    assert.deepEqual(await names("spec.refreshInterval=1h0m0s"), ["a", "b"]);
    assert.deepEqual(await names("spec.target.name="), ["a", "b"]);
    assert.deepEqual(await names("spec.secretStoreRef.kind=SecretStore"), []);
  });
  test("a field that is not selectable is 400", async () => {
    assert.equal(await names("spec.nope=x"), "400 field label not supported: spec.nope");
  });
});
