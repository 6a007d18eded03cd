// OpenAPI documents. What kubectl reads from them: shared/reference/kubectl-requests.md §3.1
// (root serverRelativeURL, the PATCH operation with x-kubernetes-group-version-kind and a
// fieldValidation query parameter, component schemas tagged with the GVK; /openapi/v2 must be
// protobuf when asked as protobuf), §4 (a new CRD's group-version must appear in the root).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { openapiResponse } from "./openapi.js";
import { patchMetaAt } from "./openapi-schemas.js";
import { BUILTIN_RESOURCE_TYPES, type ResourceType } from "./resource-types.js";

const widget: ResourceType = {
  group: "example.test",
  version: "v1",
  kind: "Widget",
  listKind: "WidgetList",
  plural: "widgets",
  singular: "widget",
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: ["status"],
  custom: true,
  storage: true,
};
const widgetSchema = { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } }, status: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } };
const schemaOf = (t: ResourceType) => (t.kind === "Widget" ? widgetSchema : undefined);

function get(path: string, types: readonly ResourceType[] = BUILTIN_RESOURCE_TYPES): Record<string, any> {
  const r = openapiResponse(path, "application/json", types, schemaOf);
  assert.ok(r !== null, path);
  assert.equal(r.status, 200, path);
  assert.equal(r.contentType, "application/json");
  return r.body as Record<string, any>;
}

/** kubectl's check (query_param_verifier_v3): a PATCH op for the GVK with fieldValidation in query. */
function supportsFieldValidation(doc: Record<string, any>, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values<any>(doc["paths"])) {
    const op = item.patch;
    if (!op) continue;
    const g = op["x-kubernetes-group-version-kind"];
    if (g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return op.parameters.some((p: any) => p.name === "fieldValidation" && p.in === "query");
  }
  return false;
}

function schemaFor(doc: Record<string, any>, gvk: { group: string; version: string; kind: string }): Record<string, any> | undefined {
  return Object.values<any>(doc["components"].schemas).find((s) =>
    (s["x-kubernetes-group-version-kind"] ?? []).some((g: any) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind),
  );
}

function deref(doc: Record<string, any>, s: Record<string, any>): Record<string, any> {
  const r = s["allOf"]?.[0]?.["$ref"] ?? s["$ref"];
  if (typeof r !== "string") return s;
  const target = doc["components"].schemas[r.replace("#/components/schemas/", "")];
  assert.ok(target, `unresolved ${r}`);
  return target;
}

describe("openapiResponse", () => {
  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3
  test("the v3 root lists every group-version with a hashed serverRelativeURL", () => {
    const root = get("/openapi/v3?timeout=32s");
    for (const key of ["api/v1", "apis/apps/v1", "apis/rbac.authorization.k8s.io/v1", "apis/apiextensions.k8s.io/v1", "apis/authentication.k8s.io/v1"]) {
      assert.match(root["paths"][key].serverRelativeURL, new RegExp(`^/openapi/v3/${key.replace(/\./g, "\\.")}\\?hash=[0-9A-F]{128}$`), key);
    }
    assert.equal(root["paths"]["apis/example.test/v1"], undefined);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#publish-validation-schema-in-openapi
  test("a CRD's group-version appears, and its hash changes with its schema", () => {
    const types = [...BUILTIN_RESOURCE_TYPES, widget];
    const before = get("/openapi/v3", types)["paths"]["apis/example.test/v1"].serverRelativeURL;
    assert.ok(before);
    const other = openapiResponse("/openapi/v3", undefined, types, () => ({ type: "object" }))?.body as any;
    assert.notEqual(other.paths["apis/example.test/v1"].serverRelativeURL, before);
    assert.equal(other.paths["api/v1"].serverRelativeURL, get("/openapi/v3", types)["paths"]["api/v1"].serverRelativeURL);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
  test("every built-in kind with a patch verb advertises fieldValidation and has a GVK schema", () => {
    const docs = new Map<string, Record<string, any>>();
    for (const t of BUILTIN_RESOURCE_TYPES) {
      const key = t.group === "" ? `api/${t.version}` : `apis/${t.group}/${t.version}`;
      const doc = docs.get(key) ?? get(`/openapi/v3/${key}?hash=ignored&timeout=32s`);
      docs.set(key, doc);
      const gvk = { group: t.group, version: t.version, kind: t.kind };
      if (t.verbs.includes("patch")) assert.ok(supportsFieldValidation(doc, gvk), `${t.kind} fieldValidation`);
      assert.ok(schemaFor(doc, gvk), `${t.kind} schema`);
      for (const m of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc["components"].schemas[m[1] as string], `${key}: ${m[1]}`);
    }
  });

  // https://kubernetes.io/docs/reference/kubectl/generated/kubectl_patch/ ("Strategic merge patch is not supported for custom resources")
  test("built-in patch ops accept strategic merge patch; custom resources' do not", () => {
    const v1 = get("/openapi/v3/api/v1");
    const secretItem = v1["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"];
    assert.ok(secretItem.patch.requestBody.content["application/strategic-merge-patch+json"]);
    assert.equal(secretItem.patch["x-kubernetes-action"], "patch");
    assert.ok(v1["paths"]["/api/v1/namespaces/{name}"].get, "cluster-scoped item path");
    assert.ok(v1["paths"]["/api/v1/secrets"].get, "all-namespaces list");

    const ex = get("/openapi/v3/apis/example.test/v1", [...BUILTIN_RESOURCE_TYPES, widget]);
    const item = ex["paths"]["/apis/example.test/v1/namespaces/{namespace}/widgets/{name}"];
    assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]);
    assert.ok(supportsFieldValidation(ex, { group: "example.test", version: "v1", kind: "Widget" }));
    assert.ok(ex["paths"]["/apis/example.test/v1/namespaces/{namespace}/widgets/{name}/status"].patch);
    const s = schemaFor(ex, { group: "example.test", version: "v1", kind: "Widget" });
    assert.equal(s?.["properties"].spec.properties.size.type, "integer");
    assert.ok(s?.["properties"].metadata, "metadata added to the CRD schema");
    assert.ok(schemaFor(ex, { group: "example.test", version: "v1", kind: "WidgetList" }));
  });

  // https://github.com/kubernetes/community/blob/master/contributors/devel/sig-api-machinery/strategic-merge-patch.md
  test("patch metadata kubectl apply needs: merge keys on containers, env, volumes, ownerReferences", () => {
    const apps = get("/openapi/v3/apis/apps/v1");
    const deploy = schemaFor(apps, { group: "apps", version: "v1", kind: "Deployment" }) as Record<string, any>;
    const template = deploy["properties"].spec.properties.template;
    const podSpec = deref(apps, template.properties.spec);
    assert.equal(podSpec["properties"].containers["x-kubernetes-patch-merge-key"], "name");
    assert.equal(podSpec["properties"].containers["x-kubernetes-patch-strategy"], "merge");
    assert.equal(podSpec["properties"].volumes["x-kubernetes-patch-strategy"], "merge,retainKeys");
    const container = deref(apps, podSpec["properties"].containers.items);
    assert.equal(container["properties"].env["x-kubernetes-patch-merge-key"], "name");
    assert.equal(container["properties"].volumeMounts["x-kubernetes-patch-merge-key"], "mountPath");
    assert.equal(container["properties"].ports["x-kubernetes-patch-merge-key"], "containerPort");
    const meta = deref(apps, deploy["properties"].metadata);
    assert.equal(meta["properties"].ownerReferences["x-kubernetes-patch-merge-key"], "uid");
    assert.equal(meta["properties"].finalizers["x-kubernetes-patch-strategy"], "merge");
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v2
  test("/openapi/v2 is an empty Swagger 2.0 document, as gnostic protobuf when kubectl asks for it", () => {
    const pb = openapiResponse("/openapi/v2?timeout=32s", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", BUILTIN_RESOURCE_TYPES, schemaOf);
    assert.equal(pb?.status, 200);
    assert.equal(pb?.contentType, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", "no '@': Go's mime parser rejects it");
    const body = pb?.body as Buffer;
    assert.ok(Buffer.isBuffer(body));
    // field 1 (swagger) = "2.0", then field 2 (info) = {1: "Kubernetes", 2: "v1.32.4"}
    assert.equal(body.subarray(0, 5).toString("hex"), "0a03322e30");
    assert.ok(body.includes(Buffer.from("v1.32.4")));
    const json = openapiResponse("/openapi/v2", "application/json", BUILTIN_RESOURCE_TYPES, schemaOf);
    assert.deepEqual(json?.body, { swagger: "2.0", info: { title: "Kubernetes", version: "v1.32.4" }, paths: {}, definitions: {} });
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#openapi-v3
  test("unknown documents answer 404; other paths are not OpenAPI", () => {
    for (const p of ["/openapi/v3/apis/nosuch.example/v1", "/openapi/v3/apis/example.test/v1", "/openapi/v4"]) {
      const r = openapiResponse(p, "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", BUILTIN_RESOURCE_TYPES, schemaOf);
      assert.equal(r?.status, 404, p);
      assert.equal((r?.body as any).reason, "NotFound");
    }
    assert.equal(openapiResponse("/api/v1", undefined, BUILTIN_RESOURCE_TYPES, schemaOf), null);
    assert.equal(openapiResponse("/version", undefined, BUILTIN_RESOURCE_TYPES, schemaOf), null);
  });

  // https://github.com/kubernetes/apimachinery/blob/master/pkg/util/strategicpatch/patch.go
  test("patchMetaAt reads the same merge keys for a server-side strategic merge patch", () => {
    assert.deepEqual(patchMetaAt("apps", "v1", "Deployment", ["spec", "template", "spec", "containers"]), { mergeKey: "name", strategy: "merge" });
    assert.deepEqual(patchMetaAt("apps", "v1", "Deployment", ["spec", "template", "spec", "containers", "ports"]), { mergeKey: "containerPort", strategy: "merge" });
    assert.deepEqual(patchMetaAt("", "v1", "Service", ["spec", "ports"]), { mergeKey: "port", strategy: "merge" });
    assert.deepEqual(patchMetaAt("", "v1", "ServiceAccount", ["imagePullSecrets"]), {}, "atomic on ServiceAccount");
    assert.deepEqual(patchMetaAt("", "v1", "Pod", ["spec", "imagePullSecrets"]), { mergeKey: "name", strategy: "merge" }, "merged in a PodSpec");
    assert.deepEqual(patchMetaAt("", "v1", "Secret", ["metadata", "finalizers"]), { strategy: "merge" });
    assert.deepEqual(patchMetaAt("apps", "v1", "Deployment", ["spec", "strategy"]), { strategy: "retainKeys" });
    assert.equal(patchMetaAt("", "v1", "Secret", ["nosuch"]), null);
    assert.equal(patchMetaAt("example.test", "v1", "Widget", ["spec"]), null);
  });
});
