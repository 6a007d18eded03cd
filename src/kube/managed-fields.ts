import type { KubeObject } from "./types.js";

/**
 * The object without `metadata.managedFields`. The API server sends them on every object; no
 * reconciler reads them, and they are several nested objects per object (14 MB of 88 MB live heap
 * for 10,000 ExternalSecrets and their Secrets). controller-runtime strips them the same way
 * (cache.TransformStripManagedFields). Writes without the field keep the server's copy.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
