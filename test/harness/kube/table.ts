/**
 * meta.k8s.io/v1 Table output for `kubectl get` (lists, single objects and watch events):
 * the columns kube-apiserver's printers use for the built-in kinds kubectl shows us, Name + the
 * CRD's additionalPrinterColumns (or Name + Age) for custom resources, Name + Age otherwise.
 * Shapes: shared/reference/kubectl-requests.md §1, §1.1.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import { evaluateColumn, humanDuration, type CellValue } from "./table-cells.js";
import { builtinColumns, type ColumnSet } from "./table-columns.js";
import { parseAccept } from "./media-types.js";
import { apiVersionOf, type ResourceType } from "./resource-types.js";

/** A CRD's additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** True when the Accept header asks for a meta.k8s.io v1 (or v1beta1) Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  return parseAccept(accept).some(
    (r) => r.type === "application/json" && r.params["as"] === "Table" && r.params["g"] === "meta.k8s.io" && (r.params["v"] === "v1" || r.params["v"] === "v1beta1"),
  );
}

const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION =
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

function nameColumn(): Record<string, unknown> {
  return { name: "Name", type: "string", format: "name", description: NAME_DESCRIPTION, priority: 0 };
}

function ageOf(obj: KubeObject, now: Date): string {
  const ts = obj.metadata.creationTimestamp;
  if (ts === undefined) return "<unknown>";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now.getTime() - t);
}

/** Columns + cell function for custom resources (apiextensions-apiserver tableconvertor). */
function customColumns(columns: PrinterColumn[] | undefined): ColumnSet {
  const cols: PrinterColumn[] =
    columns && columns.length > 0 ? columns : [{ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: AGE_DESCRIPTION }];
  return {
    definitions: cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? "",
      description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
    cells: (obj, now) => cols.map((c) => evaluateColumn(obj, c.jsonPath, c.type, now)),
  };
}

function defaultColumns(): ColumnSet {
  return {
    definitions: [{ name: "Age", type: "string", format: "", description: AGE_DESCRIPTION, priority: 0 }],
    cells: (obj, now) => [ageOf(obj, now)],
  };
}

function rowObject(type: ResourceType, obj: KubeObject, includeObject: string): Record<string, unknown> | undefined {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return { ...obj, kind: obj.kind ?? type.kind, apiVersion: obj.apiVersion ?? apiVersionOf(type) };
  const { managedFields: _dropped, ...metadata } = obj.metadata as KubeObject["metadata"] & { managedFields?: unknown };
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata };
}

/**
 * Renders objects as a meta.k8s.io/v1 Table (for a list, a get, or one watch event's object).
 * `includeObject` is the request's includeObject parameter (None|Metadata|Object); kubectl sends
 * none, and the server's default is Metadata, so rows carry a PartialObjectMetadata (kubectl
 * reads NAMESPACE and labels from it). `columns` are the CRD's additionalPrinterColumns for
 * custom resources. `now` is injected for the Age cells. Never throws.
 */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string },
  includeObject: string | undefined,
  columns: PrinterColumn[] | undefined,
  now: Date = new Date(),
): Record<string, unknown> {
  const set = type.custom ? customColumns(columns) : (builtinColumns(type, ageOf) ?? defaultColumns());
  const metadata: Record<string, string> = {};
  if (listMeta.resourceVersion !== undefined && listMeta.resourceVersion !== "") metadata["resourceVersion"] = listMeta.resourceVersion;
  if (listMeta.continue !== undefined && listMeta.continue !== "") metadata["continue"] = listMeta.continue;
  const mode = includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: set.ownName ? set.definitions : [nameColumn(), ...set.definitions],
    rows: objects.map((obj) => {
      const cells: CellValue[] = set.ownName ? set.cells(obj, now) : [obj.metadata.name ?? "", ...set.cells(obj, now)];
      const row: Record<string, unknown> = { cells };
      const object = rowObject(type, obj, mode);
      if (object !== undefined) row["object"] = object;
      return row;
    }),
  };
}
