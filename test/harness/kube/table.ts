// STUB (owned by the kubectl-compatibility engineer): meta.k8s.io/v1 Table output.
import type { KubeObject } from "../../../src/kube/types.js";
import type { ResourceType } from "./resource-types.js";

/** A CRD's additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** True when the Accept header asks for a Table (kubectl get). */
export function wantsTable(accept: string | undefined): boolean {
  void accept;
  return false;
}

/**
 * Renders objects as a meta.k8s.io/v1 Table (for a list, a get, or one watch event's object).
 * `includeObject` is the request's includeObject parameter (None|Metadata|Object; kubectl sends Metadata? check).
 */
export function toTable(
  type: ResourceType,
  objects: KubeObject[],
  listMeta: { resourceVersion?: string; continue?: string },
  includeObject: string | undefined,
  columns: PrinterColumn[] | undefined,
): Record<string, unknown> {
  void type; void objects; void listMeta; void includeObject; void columns;
  return {};
}
