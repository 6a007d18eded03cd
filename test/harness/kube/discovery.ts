// STUB (owned by the kubectl-compatibility engineer): discovery documents from the registry.
import type { ResourceType } from "./resource-types.js";

export interface HarnessResponse {
  status: number;
  contentType: string;
  /** JSON-serialisable value, or raw bytes. */
  body: unknown;
}

/**
 * Answers /version, /api, /apis, /api/v1, /apis/<group>, /apis/<group>/<version>, honouring the
 * aggregated-discovery Accept header. Returns null when `path` is not a discovery path.
 */
export function discoveryResponse(path: string, accept: string | undefined, types: readonly ResourceType[]): HarnessResponse | null {
  void path; void accept; void types;
  return null;
}
