// Conformance: the test server refuses CustomResourceDefinitions the real apiextensions-apiserver
// refuses (structural schemas, properties vs additionalProperties, metadata restrictions, printer
// columns, storage/stored versions), with its 422 texts (k8s.io/apiextensions-apiserver v0.37.2
// pkg/apis/apiextensions/validation/validation.go, pkg/apiserver/schema/validation.go), and
// accepts every CRD this project ships plus the upstream ESO and sealed-secrets CRDs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { validateCrd } from "./crd.js";
import { startKubeServer, type KubeTestServer } from "./index.js";
import { send, type Target } from "./test-client.js";

const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const yamlFiles = (dir: string) => readdirSync(root(dir)).filter((f) => f.endsWith(".yaml")).map((f) => `${dir}${f}`);

type Json = Record<string, unknown>;

function crd(schema: Json, extra: { versions?: Json[]; columns?: Json[]; status?: boolean } = {}): Json {
  const version: Json = { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: schema } };
  if (extra.columns) version["additionalPrinterColumns"] = extra.columns;
  if (extra.status) version["subresources"] = { status: {} };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "gadgets.example.test" },
    spec: { group: "example.test", scope: "Namespaced", names: { plural: "gadgets", singular: "gadget", kind: "Gadget" }, versions: extra.versions ?? [version] },
  };
}
const obj = (properties: Json): Json => ({ type: "object", properties });

describe("CRD validation", () => {
  let server: KubeTestServer;
  let t: Target;
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
  });
  after(() => server.stop());

  /** POSTs a CRD expected to be refused; returns the 422 message. */
  async function refused(body: Json): Promise<string> {
    const r = await send(t, "POST", CRDS, body);
    assert.equal(r.status, 422, JSON.stringify(r.json));
    assert.equal(r.json.reason, "Invalid");
    assert.equal(r.json.details.kind, "CustomResourceDefinition");
    assert.equal(r.json.details.group, "apiextensions.k8s.io");
    return String(r.json.message);
  }
  // One version (or all alike): the v1 → internal conversion moves the schema to spec.validation.
  const S = "spec.validation.openAPIV3Schema";
  const prefix = 'CustomResourceDefinition.apiextensions.k8s.io "gadgets.example.test" is invalid: ';

  test("every CRD in crds/ and the upstream ESO and sealed-secrets CRDs are valid", () => {
    const files = [...yamlFiles("crds/"), ...yamlFiles("test/fixtures/eso/crds/"), ...yamlFiles("test/fixtures/sealed-secrets/crd/")];
    assert.ok(files.length >= 9);
    for (const f of files) assert.deepEqual(validateCrd(parseYaml(readFileSync(root(f), "utf8")) as KubeObject), [], f);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
  test("a field without a type is refused (structural schema)", async () => {
    const m = await refused(crd(obj({ spec: obj({ size: { description: "no type" } }) })));
    assert.equal(m, `${prefix}${S}.properties[spec].properties[size].type: Required value: must not be empty for specified object fields`);
  });
  test("array items without a type, an array without items, a root that is not an object", async () => {
    assert.equal(await refused(crd(obj({ tags: { type: "array", items: {} } }))), `${prefix}${S}.properties[tags].items.type: Required value: must not be empty for specified array items`);
    assert.equal(await refused(crd(obj({ tags: { type: "array" } }))), `${prefix}${S}.properties[tags].items: Required value: must be specified`);
    assert.equal(await refused(crd({ type: "string" })), `${prefix}${S}.type: Invalid value: "string": must be object at the root`);
  });
  test("properties and additionalProperties together are refused; additionalProperties at the root too", async () => {
    const m = await refused(crd(obj({ spec: { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } } })));
    assert.equal(m, `${prefix}${S}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`);
    const r = await refused(crd({ type: "object", additionalProperties: { type: "string" } }));
    assert.equal(r, `${prefix}${S}.additionalProperties: Forbidden: must not be used at the root`);
  });
  test("metadata may only restrict name and generateName", async () => {
    const m = await refused(crd(obj({ metadata: obj({ namespace: { type: "string" } }) })));
    assert.equal(m, `${prefix}${S}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`);
    const ok = await send(t, "POST", CRDS, crd(obj({ metadata: obj({ name: { type: "string", maxLength: 20 } }), spec: { type: "object" } })));
    assert.equal(ok.status, 201, JSON.stringify(ok.json));
    assert.equal((await send(t, "DELETE", `${CRDS}/gadgets.example.test`)).status, 200);
  });
  test("types outside OpenAPI's, type inside anyOf, uniqueItems are refused", async () => {
    assert.equal(
      await refused(crd(obj({ n: { type: "float" } }))),
      `${prefix}${S}.properties[n].type: Unsupported value: "float": supported values: "array", "boolean", "integer", "number", "object", "string"`,
    );
    assert.equal(
      await refused(crd(obj({ n: { type: "string", anyOf: [{ type: "string" }, { pattern: "^a" }] } }))),
      `${prefix}${S}.properties[n].anyOf[0].type: Forbidden: must be empty to be structural`,
    );
    assert.equal(await refused(crd(obj({ l: { type: "array", items: { type: "string" }, uniqueItems: true } }))), `${prefix}${S}.properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`);
  });
  test("printer columns: a JSONPath not starting with '.', an unknown type", async () => {
    const schema = obj({ spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } });
    const m = await refused(crd(schema, { columns: [{ name: "Size", type: "integer", jsonPath: "spec.size" }] }));
    assert.equal(m, `${prefix}spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.size": must be a simple json path starting with .`);
    const n = await refused(crd(schema, { columns: [{ name: "Size", type: "int", jsonPath: ".spec.size" }] }));
    assert.equal(n, `${prefix}spec.additionalPrinterColumns[0].type: Invalid value: "int": must be one of boolean,date,integer,number,string`);
  });
  test("versions with different schemas or columns are checked one by one, at spec.versions[i]", async () => {
    const pres = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
    const good = { openAPIV3Schema: obj({ spec: pres }) };
    const bad = { openAPIV3Schema: obj({ n: { description: "x" } }) };
    const two = (a: Json, b: Json) => crd({}, { versions: [{ name: "v1beta1", served: true, storage: true, ...a }, { name: "v1", served: true, storage: false, ...b }] });
    assert.equal(await refused(two({ schema: good }, { schema: bad })), `${prefix}spec.versions[1].schema.openAPIV3Schema.properties[n].type: Required value: must not be empty for specified object fields`);
    const cols = await refused(two({ schema: good, additionalPrinterColumns: [{ name: "A", type: "string", jsonPath: "a" }] }, { schema: good }));
    assert.equal(cols, `${prefix}spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "a": must be a simple json path starting with .`);
    const warn = await refused(two({ schema: good, deprecationWarning: "old" }, { schema: good }));
    assert.equal(warn, `${prefix}spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions`);
  });
  test("exactly one storage version", async () => {
    const schema = { openAPIV3Schema: obj({ spec: { type: "object" } }) };
    const m = await refused(crd({}, { versions: [{ name: "v1", served: true, storage: true, schema }, { name: "v2", served: true, storage: true, schema }] }));
    // The bad value is the internal Go struct's JSON (the shared schema moved out: null).
    const v = (name: string) => `{"Name":"${name}","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}`;
    assert.equal(m, `${prefix}[spec.versions: Invalid value: [${v("v1")},${v("v2")}]: must have exactly one version marked as storage version, status.storedVersions: Invalid value: ["v1"]: must have the storage version v2]`);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#upgrade-existing-objects-to-a-new-stored-version
  test("a version in status.storedVersions cannot leave spec.versions until the status drops it", async () => {
    const schema = { openAPIV3Schema: obj({ spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true } }) };
    const v1beta1 = { name: "v1beta1", served: true, storage: true, schema };
    const v1 = { name: "v1", served: true, storage: false, schema };
    assert.equal((await send(t, "POST", CRDS, crd({}, { versions: [v1beta1, v1] }))).status, 201);
    const path = `${CRDS}/gadgets.example.test`;
    const move = await send(t, "PATCH", path, { spec: { versions: [{ ...v1beta1, storage: false }, { ...v1, storage: true }] } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(move.status, 200, JSON.stringify(move.json));
    assert.deepEqual(move.json.status.storedVersions, ["v1beta1", "v1"]);
    const drop = await send(t, "PATCH", path, { spec: { versions: [{ ...v1, storage: true }] } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(drop.status, 422);
    assert.equal(
      drop.json.message,
      `${prefix}status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions`,
    );
    // After a storage migration the status drops v1beta1 (through /status, which checks nothing:
    // an emptied list is defaulted to the storage version); then v1beta1 may go.
    const cur = (await send(t, "GET", path)).json;
    const emptied = await send(t, "PUT", `${path}/status`, { ...cur, status: { ...cur.status, storedVersions: [] } });
    assert.equal(emptied.status, 200, JSON.stringify(emptied.json));
    assert.deepEqual(emptied.json.status.storedVersions, ["v1"]);
    const again = await send(t, "PATCH", path, { spec: { versions: [{ ...v1, storage: true }] } }, { "Content-Type": "application/merge-patch+json" });
    assert.equal(again.status, 200, JSON.stringify(again.json));
    assert.deepEqual(again.json.status.storedVersions, ["v1"]);
  });
});
