/**
 * The Kubernetes types sealbridge's core code sees. The adapter in src/kube/ implements
 * KubeClient over @kubernetes/client-node; its types never reach core code.
 */

/** Identifies a resource collection: `{ group: "", version: "v1", plural: "secrets", namespaced: true }`. */
export interface ResourceRef {
  /** "" for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  /** Who set which field (server-side apply); the controller's caches drop them. */
  managedFields?: unknown[];
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

/** A watch that ended: `gone` means the resourceVersion expired (HTTP 410) and a re-list is needed. */
export interface WatchEnd {
  gone: boolean;
  error?: Error;
}

/**
 * The Kubernetes operations sealbridge performs. Namespace is `undefined` for cluster-scoped
 * resources. Errors are KubeApiError (src/kube/errors.ts) carrying the HTTP status and the
 * Status reason, never the request body.
 */
export interface KubeClient {
  /** @returns null when the object does not exist (404). */
  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T | null>;
  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T): Promise<T>;
  /** PUT; carries metadata.resourceVersion, so a stale one answers 409 Conflict. */
  replace<T extends KubeObject = KubeObject>(res: ResourceRef, obj: T): Promise<T>;
  /** JSON merge patch (RFC 7386). */
  mergePatch<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, patch: unknown): Promise<T>;
  /** JSON merge patch of the status subresource. */
  patchStatus<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string, status: unknown): Promise<T>;
  /** @returns false when the object was already gone. */
  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<boolean>;
  /**
   * Streams watch events from `resourceVersion` until `signal` aborts or the server ends the
   * stream; resolves with how it ended. Bookmarks are requested.
   */
  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: { resourceVersion: string; labelSelector?: string; fieldSelector?: string; timeoutSeconds?: number },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd>;
}
