/**
 * The Table columns kube-apiserver prints for the built-in kinds kubectl shows from the test
 * server (pkg/printers/internalversion printers.go: column names, types and cell values), after
 * the Name column every kind shares.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import { humanDuration, type CellValue } from "./table-cells.js";
import type { ResourceType } from "./resource-types.js";

/** Columns after Name (or all columns, Name among them, when `ownName`), and one object's cells. */
export interface ColumnSet {
  definitions: Record<string, unknown>[];
  cells: (obj: KubeObject, now: Date) => CellValue[];
  /** True when the set places the Name column itself (Events print it last, at priority 1). */
  ownName?: boolean;
}

type Age = (obj: KubeObject, now: Date) => string;

function col(name: string, type: string, description: string, priority = 0): Record<string, unknown> {
  return { name, type, format: "", description, priority };
}

function rec(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function count(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  return Object.keys(rec(v)).length;
}

function num(v: unknown, fallback = 0): number {
  return typeof v === "number" ? v : fallback;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function containers(obj: KubeObject): Record<string, unknown>[] {
  const list = rec(rec(rec(rec(obj["spec"])["template"])["spec"]))["containers"];
  return Array.isArray(list) ? list.map(rec) : [];
}

/** String columns from `[name, description, priority?]`, the type almost every printer column has. */
function strings(...specs: [name: string, description: string, priority?: number][]): Record<string, unknown>[] {
  return specs.map(([name, description, priority]) => col(name, "string", description, priority));
}

/** The wide columns of workloads with a pod template (Deployment, StatefulSet), and their cells. */
const TEMPLATE_COLUMNS = strings(["Containers", "Names of each container in the template.", 1], ["Images", "Images referenced by each container in the template.", 1]);
function templateCells(obj: KubeObject): string[] {
  const cs = containers(obj);
  return [cs.map((c) => str(c["name"])).join(","), cs.map((c) => str(c["image"])).join(",")];
}

/** `ready/desired` replicas of a workload (desired defaults to 1). */
function readyOfDesired(obj: KubeObject): string {
  return `${num(rec(obj["status"])["readyReplicas"])}/${num(rec(obj["spec"])["replicas"], 1)}`;
}

function orNone(s: string): string {
  return s === "" ? "<none>" : s;
}

function selectorText(obj: KubeObject): string {
  const labels = rec(rec(rec(obj["spec"])["selector"])["matchLabels"]);
  return orNone(Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(","));
}

function createdAt(obj: KubeObject): string {
  const t = Date.parse(obj.metadata.creationTimestamp ?? "");
  return Number.isNaN(t) ? "" : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function subjectNames(obj: KubeObject, kind: string): string {
  const subjects = Array.isArray(obj["subjects"]) ? (obj["subjects"] as unknown[]).map(rec) : [];
  return subjects
    .filter((s) => s["kind"] === kind)
    .map((s) => (kind === "ServiceAccount" ? `${str(s["namespace"])}/${str(s["name"])}` : str(s["name"])))
    .join(", ");
}

function since(ts: unknown, now: Date): string {
  const t = typeof ts === "string" ? Date.parse(ts) : Number.NaN;
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

function labelsText(v: unknown): string {
  return orNone(
    Object.entries(rec(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${k}=${String(x)}`)
      .join(","),
  );
}

/** An events.k8s.io/v1 Event in core v1 field names (the apiserver prints both from one type). */
function asCoreEvent(o: KubeObject): KubeObject {
  return {
    metadata: o.metadata,
    involvedObject: o["regarding"],
    related: o["related"],
    reason: o["reason"],
    message: o["note"],
    type: o["type"],
    source: o["deprecatedSource"],
    firstTimestamp: o["deprecatedFirstTimestamp"],
    lastTimestamp: o["deprecatedLastTimestamp"],
    count: o["deprecatedCount"],
    eventTime: o["eventTime"],
    series: o["series"],
    reportingComponent: o["reportingController"],
    reportingInstance: o["reportingInstance"],
  };
}

/** Event cells as printEvent computes them (pkg/printers/internalversion). */
function eventCells(o: KubeObject, now: Date): CellValue[] {
  const involved = rec(o["involvedObject"]);
  const source = rec(o["source"]);
  const series = o["series"] === undefined ? undefined : rec(o["series"]);
  let first = since(o["firstTimestamp"], now);
  if (o["firstTimestamp"] === undefined || o["firstTimestamp"] === null) first = since(o["eventTime"], now);
  let last = o["lastTimestamp"] === undefined || o["lastTimestamp"] === null ? first : since(o["lastTimestamp"], now);
  let count = num(o["count"]);
  if (series !== undefined) {
    last = since(series["lastObservedTime"], now);
    count = num(series["count"]);
  } else if (count === 0) count = 1;
  const kind = str(involved["kind"]).toLowerCase();
  const target = str(involved["name"]) === "" ? kind : `${kind}/${str(involved["name"])}`;
  const component = str(source["component"]) || str(o["reportingComponent"]);
  const instance = str(source["host"]) || str(o["reportingInstance"]);
  const from = component === "" ? "" : instance === "" ? component : `${component}, ${instance}`;
  return [last, str(o["type"]), str(o["reason"]), target, str(involved["fieldPath"]), from, str(o["message"]).trim(), first, count, o.metadata.name ?? ""];
}

/** The EXTERNAL-IP cell of a Service (getServiceExternalIP). */
function externalIp(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const external = Array.isArray(spec["externalIPs"]) ? (spec["externalIPs"] as unknown[]).map(String) : [];
  switch (str(spec["type"]) || "ClusterIP") {
    case "ExternalName":
      return str(spec["externalName"]);
    case "LoadBalancer": {
      const ingress = rec(status["loadBalancer"])["ingress"];
      const ips = (Array.isArray(ingress) ? ingress.map(rec) : []).map((i) => str(i["ip"]) || str(i["hostname"])).filter((x) => x !== "");
      const all = [...ips, ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    default:
      return external.length > 0 ? external.join(",") : "<none>";
  }
}

function portsText(spec: Record<string, unknown>): string {
  const ports = Array.isArray(spec["ports"]) ? (spec["ports"] as unknown[]).map(rec) : [];
  const text = ports.map((p) => {
    const proto = str(p["protocol"]) || "TCP";
    return num(p["nodePort"]) > 0 ? `${num(p["port"])}:${num(p["nodePort"])}/${proto}` : `${num(p["port"])}/${proto}`;
  });
  return orNone(text.join(","));
}

const AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
const CREATED_AT = "Creation timestamp of the object.";

/** The built-in column set of a kind, or null when the server prints only Name and Age for it. */
export function builtinColumns(type: ResourceType, age: Age): ColumnSet | null {
  const ageCol = col("Age", "string", AGE);
  switch (`${type.group}/${type.kind}`) {
    case "/Secret":
      return {
        definitions: [col("Type", "string", "Used to facilitate programmatic handling of secret data."), col("Data", "string", "Data contains the secret data."), ageCol],
        cells: (o, now) => [str(o["type"]), count(o["data"]) + count(o["stringData"]), age(o, now)],
      };
    case "/ConfigMap":
      return {
        definitions: [col("Data", "string", "Data contains the configuration data."), ageCol],
        cells: (o, now) => [count(o["data"]) + count(o["binaryData"]), age(o, now)],
      };
    case "/Namespace":
      return {
        definitions: [col("Status", "string", "The status of the namespace"), ageCol],
        cells: (o, now) => [str(rec(o["status"])["phase"]), age(o, now)],
      };
    case "/ServiceAccount":
      return {
        definitions: [col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), ageCol],
        cells: (o, now) => [count(o["secrets"]), age(o, now)],
      };
    case "apps/Deployment":
      return {
        definitions: [
          ...strings(
            ["Ready", "Number of the pod with ready state"],
            ["Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."],
            ["Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."],
          ),
          ageCol,
          ...TEMPLATE_COLUMNS,
          col("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1),
        ],
        cells: (o, now) => {
          const status = rec(o["status"]);
          return [readyOfDesired(o), num(status["updatedReplicas"]), num(status["availableReplicas"]), age(o, now), ...templateCells(o), selectorText(o)];
        },
      };
    case "apps/StatefulSet":
      return {
        definitions: [col("Ready", "string", "Number of the pod with ready state"), ageCol, ...TEMPLATE_COLUMNS],
        cells: (o, now) => [readyOfDesired(o), age(o, now), ...templateCells(o)],
      };
    case "/Pod":
      return {
        definitions: [
          ...strings(
            ["Ready", "The aggregate readiness state of this pod for accepting traffic."],
            ["Status", "The aggregate status of the containers in this pod."],
            ["Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."],
          ),
          ageCol,
          ...strings(
            ["IP", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1],
            ["Node", "Name of the node this pod is assigned to.", 1],
            ["Nominated Node", "Name of the node this pod is nominated to.", 1],
            ["Readiness Gates", "Readiness gates for this pod.", 1],
          ),
        ],
        cells: (o, now) => {
          const spec = rec(o["spec"]);
          const status = rec(o["status"]);
          const statuses = Array.isArray(status["containerStatuses"]) ? (status["containerStatuses"] as unknown[]).map(rec) : [];
          const total = Array.isArray(spec["containers"]) ? (spec["containers"] as unknown[]).length : 0;
          const ready = statuses.filter((c) => c["ready"] === true).length;
          const restarts = statuses.reduce((n, c) => n + num(c["restartCount"]), 0);
          const reason = o.metadata.deletionTimestamp !== undefined ? "Terminating" : str(status["reason"]) || str(status["phase"]);
          return [`${ready}/${total}`, reason, String(restarts), age(o, now), orNone(str(status["podIP"])), orNone(str(spec["nodeName"])), "<none>", "<none>"];
        },
      };
    case "/Service":
      return {
        definitions: [
          ...strings(
            ["Type", "type determines how the Service is exposed."],
            ["Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."],
            ["External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."],
            ["Port(s)", "The list of ports that are exposed by this service."],
          ),
          ageCol,
          col("Selector", "string", "Route service traffic to pods with label keys and values matching this selector.", 1),
        ],
        cells: (o, now) => {
          const spec = rec(o["spec"]);
          const ips = Array.isArray(spec["clusterIPs"]) ? (spec["clusterIPs"] as unknown[]).map(String) : [];
          const clusterIp = ips[0] ?? (str(spec["clusterIP"]) || "<none>");
          return [str(spec["type"]) || "ClusterIP", clusterIp, externalIp(spec, rec(o["status"])), portsText(spec), age(o, now), labelsText(spec["selector"])];
        },
      };
    case "/Event":
    case "events.k8s.io/Event":
      return {
        ownName: true,
        definitions: [
          ...strings(
            ["Last Seen", "The time at which the most recent occurrence of this event was recorded."],
            ["Type", "Type of this event (Normal, Warning), new types could be added in the future"],
            ["Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."],
            ["Object", "The object that this event is about."],
            ["Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", 1],
            ["Source", "The component reporting this event. Should be a short machine understandable string.", 1],
            ["Message", "A human-readable description of the status of this operation."],
            ["First Seen", "The time at which the event was first recorded.", 1],
            ["Count", "The number of times this event has occurred.", 1],
          ),
          { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 1 },
        ],
        cells: type.group === "" ? eventCells : (o, now) => eventCells(asCoreEvent(o), now),
      };
    case "coordination.k8s.io/Lease":
      return {
        definitions: [col("Holder", "string", "The holder of the lease."), ageCol],
        cells: (o, now) => [str(rec(o["spec"])["holderIdentity"]), age(o, now)],
      };
    case "rbac.authorization.k8s.io/Role":
    case "rbac.authorization.k8s.io/ClusterRole":
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return { definitions: [col("Created At", "date", CREATED_AT)], cells: (o) => [createdAt(o)] };
    case "rbac.authorization.k8s.io/RoleBinding":
    case "rbac.authorization.k8s.io/ClusterRoleBinding":
      return {
        definitions: [
          col("Role", "string", "RoleRef can only reference the current namespace or a ClusterRole."),
          ageCol,
          ...strings(["Users", "Users in the roleBinding", 1], ["Groups", "Groups in the roleBinding", 1], ["ServiceAccounts", "ServiceAccounts in the roleBinding", 1]),
        ],
        cells: (o, now) => {
          const ref = rec(o["roleRef"]);
          return [`${str(ref["kind"])}/${str(ref["name"])}`, age(o, now), subjectNames(o, "User"), subjectNames(o, "Group"), subjectNames(o, "ServiceAccount")];
        },
      };
    default:
      return null;
  }
}
