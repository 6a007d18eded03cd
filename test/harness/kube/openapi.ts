// STUB (owned by the kubectl-compatibility engineer): OpenAPI v2/v3 documents from the registry.
import type { HarnessResponse } from "./discovery.js";
import type { ResourceType } from "./resource-types.js";

/**
 * Answers /openapi/v2 and /openapi/v3[/<apis/group/version>]; `schemaOf` gives the
 * openAPIV3Schema of a custom resource version. Returns null for other paths.
 */
export function openapiResponse(
  path: string,
  accept: string | undefined,
  types: readonly ResourceType[],
  schemaOf: (t: ResourceType) => unknown,
): HarnessResponse | null {
  void path; void accept; void types; void schemaOf;
  return null;
}
