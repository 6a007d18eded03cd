// Discovery documents. Shapes and Accept/Content-Type values from
// shared/reference/kubectl-requests.md §0.1 (/version), §0.5 (aggregated vs legacy), §4 (CRD
// entries), §7.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { discoveryResponse, sortVersionsByPriority } from "./discovery.js";
import { BUILTIN_RESOURCE_TYPES, type ResourceType } from "./resource-types.js";

const AGG =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const JSON_ANY = "application/json, */*";

const widget = (version: string): ResourceType => ({
  group: "example.test",
  version,
  kind: "Widget",
  listKind: "WidgetList",
  plural: "widgets",
  singular: "widget",
  namespaced: true,
  shortNames: ["wd"],
  categories: ["all"],
  verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
  subresources: ["status"],
  custom: true,
  storage: version === "v1",
});
const TYPES = [...BUILTIN_RESOURCE_TYPES, widget("v1alpha1"), widget("v1")];

function body(path: string, accept?: string): Record<string, any> {
  const r = discoveryResponse(path, accept, TYPES);
  assert.ok(r !== null, path);
  assert.equal(r.status, 200, path);
  return r.body as Record<string, any>;
}

describe("discoveryResponse", () => {
  // https://kubernetes.io/docs/reference/using-api/health-checks/ lists /version; the value is what
  // kubectl-requests.md §0.1 recorded this machine's kubectl dispatcher needing.
  test("/version says minor 32 so the kubectl dispatcher runs kubectl 1.32", () => {
    const v = body("/version?timeout=5s");
    assert.equal(v["major"], "1");
    assert.equal(v["minor"], "32");
    assert.equal(v["gitVersion"], "v1.32.4");
    assert.equal(v["platform"], "linux/amd64");
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#aggregated-discovery (Accept with g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList)
  test("/api and /apis answer aggregated v2 with the parameterised content type when asked", () => {
    const api = discoveryResponse("/api?timeout=32s", AGG, TYPES);
    assert.equal(api?.contentType, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const core = (api?.body as any).items;
    assert.equal(core.length, 1);
    assert.equal(core[0].metadata.name, "");
    const secrets = core[0].versions[0].resources.find((r: any) => r.resource === "secrets");
    assert.deepEqual(secrets.responseKind, { group: "", version: "v1", kind: "Secret" });
    assert.equal(secrets.scope, "Namespaced");
    assert.equal(secrets.singularResource, "secret");
    const sa = core[0].versions[0].resources.find((r: any) => r.resource === "serviceaccounts");
    assert.deepEqual(sa.shortNames, ["sa"]);
    assert.deepEqual(sa.subresources, [{ subresource: "token", responseKind: { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" }, verbs: ["create"] }]);

    const apis = body("/apis", AGG);
    assert.equal(apis["kind"], "APIGroupDiscoveryList");
    assert.equal(apis["apiVersion"], "apidiscovery.k8s.io/v2");
    const groups = apis["items"].map((g: any) => g.metadata.name);
    for (const g of ["apps", "rbac.authorization.k8s.io", "authentication.k8s.io", "apiextensions.k8s.io", "example.test"]) assert.ok(groups.includes(g), g);
    const ex = apis["items"].find((g: any) => g.metadata.name === "example.test");
    assert.deepEqual(ex.versions.map((v: any) => v.version), ["v1", "v1alpha1"], "preferred (GA) version first");
    assert.equal(ex.versions[0].freshness, "Current");
    assert.deepEqual(ex.versions[0].resources[0].subresources, [
      { subresource: "status", responseKind: { group: "example.test", version: "v1", kind: "Widget" }, verbs: ["get", "patch", "update"] },
    ]);
    const tr = apis["items"].find((g: any) => g.metadata.name === "authentication.k8s.io").versions[0].resources[0];
    assert.deepEqual([tr.resource, tr.scope, tr.verbs], ["tokenreviews", "Cluster", ["create"]]);
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#aggregated-discovery and #unaggregated-discovery (the legacy documents)
  test("v2beta1 only when it comes first; plain JSON gets the legacy documents", () => {
    const beta = discoveryResponse("/apis", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", TYPES);
    assert.equal(beta?.contentType, "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
    assert.equal((beta?.body as any).apiVersion, "apidiscovery.k8s.io/v2beta1");

    const api = discoveryResponse("/api", JSON_ANY, TYPES);
    assert.equal(api?.contentType, "application/json");
    assert.equal((api?.body as any).kind, "APIVersions");
    assert.deepEqual((api?.body as any).versions, ["v1"]);
    const apis = body("/apis", undefined);
    assert.equal(apis["kind"], "APIGroupList");
    const ex = apis["groups"].find((g: any) => g.name === "example.test");
    assert.deepEqual(ex.preferredVersion, { groupVersion: "example.test/v1", version: "v1" });
    assert.deepEqual(ex.versions, [{ groupVersion: "example.test/v1", version: "v1" }, { groupVersion: "example.test/v1alpha1", version: "v1alpha1" }]);
  });

  // https://kubernetes.io/docs/concepts/overview/kubernetes-api/#unaggregated-discovery (APIResourceList per group-version)
  test("legacy resource lists carry subresources with their kinds and verbs", () => {
    const v1 = body("/api/v1", JSON_ANY);
    assert.equal(v1["kind"], "APIResourceList");
    assert.equal(v1["groupVersion"], "v1");
    const byName = new Map<string, any>(v1["resources"].map((r: any) => [r.name, r]));
    assert.deepEqual(byName.get("secrets"), { name: "secrets", singularName: "secret", namespaced: true, kind: "Secret", verbs: TYPES[1]?.verbs });
    assert.deepEqual(byName.get("serviceaccounts/token"), { name: "serviceaccounts/token", singularName: "", namespaced: true, group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"] });
    assert.deepEqual(byName.get("services/proxy")?.verbs, ["create", "delete", "get", "patch", "update"]);
    assert.equal(byName.get("services/proxy")?.kind, "ServiceProxyOptions");
    assert.deepEqual(byName.get("namespaces/status")?.verbs, ["get", "patch", "update"]);
    assert.deepEqual(byName.get("pods")?.categories, ["all"]);

    const apps = body("/apis/apps/v1/");
    const scale = apps["resources"].find((r: any) => r.name === "deployments/scale");
    assert.deepEqual([scale.group, scale.version, scale.kind], ["autoscaling", "v1", "Scale"]);

    const ex = body("/apis/example.test/v1");
    assert.equal(ex["groupVersion"], "example.test/v1");
    assert.deepEqual(ex["resources"].map((r: any) => r.name), ["widgets", "widgets/status"]);
    assert.deepEqual(ex["resources"][0].shortNames, ["wd"]);

    const group = body("/apis/example.test");
    assert.equal(group["kind"], "APIGroup");
    assert.equal(group["preferredVersion"].version, "v1");
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris (unknown paths: 404 Status)
  test("unknown groups and versions answer a 404 Status; other paths are not discovery", () => {
    for (const p of ["/apis/nosuch.example", "/apis/nosuch.example/v1", "/apis/apps/v2", "/api/v2"]) {
      const r = discoveryResponse(p, JSON_ANY, TYPES);
      assert.equal(r?.status, 404, p);
      assert.equal((r?.body as any).reason, "NotFound");
    }
    for (const p of ["/api/v1/namespaces", "/apis/apps/v1/deployments", "/openapi/v3", "/healthz"]) assert.equal(discoveryResponse(p, JSON_ANY, TYPES), null, p);
  });
});

describe("sortVersionsByPriority", () => {
  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#version-priority
  test("GA before beta before alpha before other names, newer first", () => {
    assert.deepEqual(sortVersionsByPriority(["v1alpha1", "foo", "v1beta1", "v1", "v2beta2", "v2", "v1beta2", "v11alpha2", "bar"]), [
      "v2",
      "v1",
      "v2beta2",
      "v1beta2",
      "v1beta1",
      "v11alpha2",
      "v1alpha1",
      "bar",
      "foo",
    ]);
  });
});
