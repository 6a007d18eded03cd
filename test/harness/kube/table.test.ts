// meta.k8s.io/v1 Table output. Column names and row shape from
// shared/reference/kubectl-requests.md §1 (the Secret table kubectl printed as
// `NAME TYPE DATA AGE`); durations per k8s.io/apimachinery util/duration.HumanDuration; CRD
// columns per apiextensions-apiserver's tableconvertor (Name + additionalPrinterColumns, or
// Name + Age).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../../src/kube/types.js";
import { toTable, wantsTable } from "./table.js";
import { evaluateColumn, findFirst, humanDuration } from "./table-cells.js";
import { BUILTIN_RESOURCE_TYPES, type ResourceType } from "./resource-types.js";
import { startKubeServer } from "./index.js";
import { openWatch, send } from "./test-client.js";

const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const NOW = new Date("2026-11-22T01:00:00Z");

function type(kind: string): ResourceType {
  const t = BUILTIN_RESOURCE_TYPES.find((x) => x.kind === kind);
  assert.ok(t, kind);
  return t;
}
function names(table: Record<string, unknown>): string[] {
  return (table["columnDefinitions"] as { name: string }[]).map((c) => c.name);
}
function cells(table: Record<string, unknown>): unknown[][] {
  return (table["rows"] as { cells: unknown[] }[]).map((r) => r.cells);
}

const secret: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "s1", namespace: "demo", uid: "u1", resourceVersion: "1003", creationTimestamp: "2026-11-22T00:59:30Z", labels: { k: "v" } },
  type: "Opaque",
  data: { a: "Yg==", b: "Yw==" },
};

describe("wantsTable", () => {
  // https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("true for kubectl get's Accept, false for plain JSON and discovery", () => {
    assert.equal(wantsTable(TABLE), true);
    assert.equal(wantsTable("application/json;as=Table;g=meta.k8s.io;v=v1"), true);
    assert.equal(wantsTable("application/json"), false);
    assert.equal(wantsTable("application/json, */*"), false);
    assert.equal(wantsTable(undefined), false);
    assert.equal(wantsTable("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"), false);
  });
});

describe("toTable", () => {
  // https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("secrets: NAME TYPE DATA AGE, PartialObjectMetadata rows, list resourceVersion", () => {
    const t = toTable(type("Secret"), [secret], { resourceVersion: "1003" }, undefined, undefined, NOW);
    assert.equal(t["kind"], "Table");
    assert.equal(t["apiVersion"], "meta.k8s.io/v1");
    assert.deepEqual(t["metadata"], { resourceVersion: "1003" });
    assert.deepEqual(names(t), ["Name", "Type", "Data", "Age"]);
    assert.deepEqual((t["columnDefinitions"] as any[])[0].format, "name");
    assert.deepEqual(cells(t), [["s1", "Opaque", 2, "30s"]]);
    const row = (t["rows"] as any[])[0];
    assert.deepEqual(row.object, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: secret.metadata });
    assert.equal(JSON.stringify(t).includes("Yg=="), false, "no secret data in a Table");
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("includeObject None omits the object, Object embeds the full object with kind", () => {
    const none = toTable(type("Secret"), [secret], {}, "None", undefined, NOW);
    assert.equal("object" in (none["rows"] as any[])[0], false);
    assert.deepEqual(none["metadata"], {});
    const full = toTable(type("Secret"), [{ ...secret, kind: undefined, apiVersion: undefined } as unknown as KubeObject], {}, "Object", undefined, NOW);
    const obj = (full["rows"] as any[])[0].object;
    assert.equal(obj.kind, "Secret");
    assert.equal(obj.apiVersion, "v1");
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("built-in columns for namespaces, configmaps, service accounts and deployments", () => {
    const created = "2026-11-21T22:00:00Z";
    const ns = toTable(type("Namespace"), [{ metadata: { name: "demo", creationTimestamp: created }, status: { phase: "Active" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(names(ns), ["Name", "Status", "Age"]);
    assert.deepEqual(cells(ns), [["demo", "Active", "3h"]]);

    const cm = toTable(type("ConfigMap"), [{ metadata: { name: "c", creationTimestamp: created }, data: { a: "1" }, binaryData: { b: "AA==" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(names(cm), ["Name", "Data", "Age"]);
    assert.deepEqual(cells(cm), [["c", 2, "3h"]]);

    const sa = toTable(type("ServiceAccount"), [{ metadata: { name: "default", creationTimestamp: created } }], {}, undefined, undefined, NOW);
    assert.deepEqual(names(sa), ["Name", "Secrets", "Age"]);
    assert.deepEqual(cells(sa), [["default", 0, "3h"]]);

    const deploy: KubeObject = {
      metadata: { name: "web", creationTimestamp: created },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "c", image: "nginx:1" }, { name: "d", image: "busybox" }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    const d = toTable(type("Deployment"), [deploy], {}, undefined, undefined, NOW);
    assert.deepEqual(names(d), ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"]);
    assert.deepEqual(cells(d), [["web", "2/3", 3, 2, "3h", "c,d", "nginx:1,busybox", "app=web"]]);
    assert.deepEqual((d["columnDefinitions"] as any[]).map((c) => c.priority), [0, 0, 0, 0, 0, 1, 1, 1]);
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("rbac kinds: CREATED AT for roles, ROLE for bindings", () => {
    const cr = toTable(type("ClusterRole"), [{ metadata: { name: "r", creationTimestamp: "2026-11-22T00:04:30Z" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(names(cr), ["Name", "Created At"]);
    assert.deepEqual(cells(cr), [["r", "2026-11-22T00:04:30Z"]]);
    const crb = toTable(
      type("ClusterRoleBinding"),
      [{ metadata: { name: "b", creationTimestamp: "2026-11-22T00:59:00Z" }, roleRef: { kind: "ClusterRole", name: "r" }, subjects: [{ kind: "ServiceAccount", name: "sa1", namespace: "demo" }] }],
      {},
      undefined,
      undefined,
      NOW,
    );
    assert.deepEqual(cells(crb), [["b", "ClusterRole/r", "60s", "", "", "demo/sa1"]]);
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("events print LAST SEEN TYPE REASON OBJECT MESSAGE with Name last at priority 1", () => {
    const ev: KubeObject = {
      metadata: { name: "w1.17a", namespace: "demo", creationTimestamp: "2026-11-22T00:50:00Z" },
      involvedObject: { kind: "ExternalSecret", name: "w1", namespace: "demo" },
      reason: "SecretSynced",
      message: "synced ",
      type: "Normal",
      firstTimestamp: "2026-11-22T00:50:00Z",
      lastTimestamp: "2026-11-22T00:59:00Z",
      count: 4,
      source: { component: "sealbridge" },
    };
    const t = toTable(type("Event"), [ev], {}, undefined, undefined, NOW);
    assert.deepEqual(names(t), ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"]);
    assert.deepEqual(cells(t), [["60s", "Normal", "SecretSynced", "externalsecret/w1", "", "sealbridge", "synced", "10m", 4, "w1.17a"]]);
    const single = toTable(type("Event"), [{ metadata: { name: "e" }, eventTime: "2026-11-22T00:59:50Z", reportingComponent: "c", reportingInstance: "i", involvedObject: { kind: "Node" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(cells(single), [["10s", "", "", "node", "", "c, i", "", "10s", 1, "e"]]);
    const v1 = BUILTIN_RESOURCE_TYPES.find((x) => x.group === "events.k8s.io");
    assert.ok(v1);
    const modern = toTable(
      v1,
      [{ metadata: { name: "m" }, regarding: { kind: "Secret", name: "db" }, note: "rotated", reason: "Rotated", type: "Warning", eventTime: "2026-11-22T00:59:00Z", series: { count: 3, lastObservedTime: "2026-11-22T00:59:30Z" }, reportingController: "sealbridge" }],
      {},
      undefined,
      undefined,
      NOW,
    );
    assert.deepEqual(cells(modern), [["30s", "Warning", "Rotated", "secret/db", "", "sealbridge", "rotated", "60s", 3, "m"]]);
  });

  // https://github.com/kubernetes/kubernetes/blob/master/pkg/printers/internalversion/printers.go
  test("services and pods", () => {
    const created = "2026-11-22T00:00:00Z";
    const svc = toTable(
      type("Service"),
      [{ metadata: { name: "api", creationTimestamp: created }, spec: { type: "NodePort", clusterIP: "10.0.0.5", ports: [{ port: 443, nodePort: 30443 }, { port: 53, protocol: "UDP" }], selector: { b: "2", a: "1" } } }],
      {},
      undefined,
      undefined,
      NOW,
    );
    assert.deepEqual(names(svc), ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"]);
    assert.deepEqual(cells(svc), [["api", "NodePort", "10.0.0.5", "<none>", "443:30443/TCP,53/UDP", "60m", "a=1,b=2"]]);
    const lb = toTable(type("Service"), [{ metadata: { name: "lb" }, spec: { type: "LoadBalancer" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(cells(lb)[0]?.slice(1, 5), ["LoadBalancer", "<none>", "<pending>", "<none>"]);
    const pod = toTable(
      type("Pod"),
      [{ metadata: { name: "p", creationTimestamp: created }, spec: { containers: [{ name: "a" }, { name: "b" }] }, status: { phase: "Running", podIP: "10.1.0.9", containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1 }] } }],
      {},
      undefined,
      undefined,
      NOW,
    );
    assert.deepEqual(names(pod), ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"]);
    assert.deepEqual(cells(pod), [["p", "1/2", "Running", "3", "60m", "10.1.0.9", "<none>", "<none>", "<none>"]]);
  });

  // https://github.com/kubernetes/apiserver/blob/master/pkg/registry/rest/table.go
  test("kinds without a printer get NAME and AGE; missing timestamps print <unknown>", () => {
    const t = toTable(type("TokenReview"), [{ metadata: { name: "x" } }], {}, undefined, undefined, NOW);
    assert.deepEqual(names(t), ["Name", "Age"]);
    assert.deepEqual(cells(t), [["x", "<unknown>"]]);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#additional-printer-columns
  test("custom resources: Name + Age by default, else Name + additionalPrinterColumns", () => {
    const widget: ResourceType = { ...type("Secret"), group: "example.test", kind: "Widget", plural: "widgets", custom: true };
    const w: KubeObject = {
      metadata: { name: "w1", creationTimestamp: "2026-11-22T00:55:00Z" },
      spec: { size: 3.7, enabled: true },
      status: { conditions: [{ type: "Synced", status: "False" }, { type: "Ready", status: "True", lastTransitionTime: "2026-11-22T00:58:00Z" }] },
    };
    const plain = toTable(widget, [w], {}, undefined, undefined, NOW);
    assert.deepEqual(names(plain), ["Name", "Age"]);
    assert.deepEqual(cells(plain), [["w1", "5m"]]);
    assert.equal((plain["columnDefinitions"] as any[])[1].type, "date");

    const cols = [
      { name: "Size", type: "integer", jsonPath: ".spec.size" },
      { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: "Enabled", type: "boolean", jsonPath: ".spec.enabled" },
      { name: "Since", type: "date", jsonPath: '.status.conditions[?(@.type=="Ready")].lastTransitionTime' },
      { name: "Missing", type: "string", jsonPath: ".spec.nothing", priority: 1 },
    ];
    const t = toTable(widget, [w], {}, undefined, cols, NOW);
    assert.deepEqual(names(t), ["Name", "Size", "Ready", "Enabled", "Since", "Missing"]);
    assert.deepEqual(cells(t), [["w1", 3, "True", true, "2m", null]]);
    assert.equal((t["columnDefinitions"] as any[])[1].description, "Custom resource definition column (in JSONPath format): .spec.size");
    assert.equal((t["columnDefinitions"] as any[])[5].priority, 1);
  });
});

describe("cells", () => {
  // https://github.com/kubernetes/apimachinery/blob/master/pkg/util/duration/duration.go
  test("humanDuration matches Kubernetes' thresholds", () => {
    const s = 1000;
    const table: [number, string][] = [
      [-3 * s, "<invalid>"], [-1 * s, "0s"], [0, "0s"], [119 * s, "119s"], [120 * s, "2m"], [125 * s, "2m5s"], [10 * 60 * s, "10m"],
      [179 * 60 * s, "179m"], [3 * 3600 * s, "3h"], [3 * 3600 * s + 5 * 60 * s, "3h5m"], [8 * 3600 * s, "8h"], [47 * 3600 * s, "47h"],
      [48 * 3600 * s, "2d"], [50 * 3600 * s, "2d2h"], [8 * 86400 * s, "8d"], [729 * 86400 * s, "729d"], [730 * 86400 * s, "2y"],
      [731 * 86400 * s, "2y1d"], [8 * 365 * 86400 * s, "8y"],
    ];
    for (const [ms, want] of table) assert.equal(humanDuration(ms), want, String(ms));
  });

  // https://kubernetes.io/docs/reference/kubectl/jsonpath/
  test("simple JSONPath: keys, indexes, wildcards, filters, quoted keys", () => {
    const o = { a: { "b.c": 1, list: [{ n: "x", v: 1 }, { n: "y", v: 2 }] } };
    assert.equal(findFirst(o, ".a['b.c']"), 1);
    assert.equal(findFirst(o, "{.a.list[1].n}"), "y");
    assert.equal(findFirst(o, ".a.list[-1].v"), 2);
    assert.equal(findFirst(o, ".a.list[*].n"), "x");
    assert.equal(findFirst(o, '.a.list[?(@.n=="y")].v'), 2);
    assert.equal(findFirst(o, ".a.nope.deeper"), undefined);
    assert.equal(findFirst(o, "not a path"), undefined);
  });

  // https://github.com/kubernetes/apiextensions-apiserver/blob/master/pkg/registry/customresource/tableconvertor/tableconvertor.go
  test("typed cells: wrong types are null, bad dates <invalid>, objects as JSON strings", () => {
    const o: KubeObject = { metadata: {}, spec: { n: "text", d: "yesterday", m: { a: 1 } } };
    assert.equal(evaluateColumn(o, ".spec.n", "integer", NOW), null);
    assert.equal(evaluateColumn(o, ".spec.d", "date", NOW), "<invalid>");
    assert.equal(evaluateColumn(o, ".spec.m", "string", NOW), '{"a":1}');
    assert.equal(evaluateColumn(o, ".spec.n", "number", NOW), null);
  });
});

// The Age column is computed against the server's clock (kube-apiserver's printers use
// metav1.Now(); here the injected `now` option, so tests with a fake clock see stable ages).
describe("Table over HTTP", () => {
  // https://kubernetes.io/docs/reference/using-api/api-concepts/#receiving-resources-as-tables
  test("Age cells use the server's injected clock for get, list and watch", async () => {
    let clock = Date.parse("2020-01-01T00:00:00Z");
    const server = await startKubeServer({ now: () => clock });
    try {
      const t = { url: server.url, caPem: server.caPem, token: server.adminToken };
      const created = await send(t, "POST", "/api/v1/namespaces/default/secrets", { metadata: { name: "aged" } });
      assert.equal(created.json.metadata.creationTimestamp, "2020-01-01T00:00:00Z");
      clock += 3 * 3600_000;
      const ageOf = (tbl: Record<string, unknown>): unknown => {
        const i = names(tbl).indexOf("Age");
        return cells(tbl)[0]?.[i];
      };
      const one = await send(t, "GET", "/api/v1/namespaces/default/secrets/aged", undefined, { Accept: TABLE });
      assert.equal(ageOf(one.json), "3h");
      const list = await send(t, "GET", "/api/v1/namespaces/default/secrets", undefined, { Accept: TABLE });
      assert.equal(ageOf(list.json), "3h");
      const w = openWatch(t, "/api/v1/namespaces/default/secrets?watch=true", { Accept: TABLE });
      await w.waitFor(1);
      assert.equal(ageOf(w.events[0]?.object), "3h");
      w.close();
    } finally {
      await server.stop();
    }
  });
});
