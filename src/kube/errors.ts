/**
 * Errors from the Kubernetes API: the HTTP status, the Status `reason`, and a message naming the
 * verb, resource, namespace/name and the server's Status message — never a request body.
 */
import { RemoteError } from "../errors.js";

/** Where a failed Kubernetes request was aimed. */
export interface KubeRequestTarget {
  verb: string;
  /** Resource plural, with the group when not core: `secrets`, `sealedsecrets.bitnami.com`. */
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
}

const MAX_SERVER_MESSAGE = 300;

/** Built-in API groups (core, apps, batch, policy, autoscaling, *.k8s.io): no CRD installs them. */
function isBuiltInResource(resource: string): boolean {
  const dot = resource.indexOf(".");
  if (dot < 0) return true;
  const group = resource.slice(dot + 1);
  return ["apps", "batch", "policy", "autoscaling"].includes(group) || group === "k8s.io" || group.endsWith(".k8s.io");
}

function hintFor(status: number | undefined, reason: string, serverMessage: string, resource: string): string {
  if (status === undefined) return "check that the cluster is reachable and the kubeconfig points at it";
  if (status === 401) return "check the credentials in the kubeconfig or the service account token";
  // The OwnerReferencesPermissionEnforcement admission plugin, not RBAC's own check: the missing
  // permission is on the owner, which the server's message does not name.
  if (status === 403 && serverMessage.includes("cannot set blockOwnerDeletion")) {
    return "grant the controller's service account update on the owner kind's finalizers subresource, e.g. externalsecrets/finalizers (see deploy/rbac.yaml)";
  }
  if (status === 403) return "grant the controller's service account this permission in its RBAC";
  if (status === 404 && isBuiltInResource(resource)) return "check the name and namespace, or create it";
  if (status === 404) return reason === "NotFound" ? "check the name and namespace, or install the CRD" : "install the CRD or check the API version";
  if (status === 409) return "re-read the object and retry";
  if (status === 410) return "re-list to get a current resourceVersion";
  if (status === 422 || status === 400) return "fix the object so the API server accepts it";
  if (status === 429 || status >= 500) return "the API server is overloaded or failing; retry later";
  return "see the API server's message";
}

/** A Kubernetes API request failed (non-2xx answer or no answer at all). */
export class KubeApiError extends RemoteError {
  /** Status.reason (`NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Expired`…) or `NetworkError`. */
  readonly reason: string;
  readonly target: KubeRequestTarget;
  constructor(target: KubeRequestTarget, status: number | undefined, reason: string, serverMessage: string, options?: { cause?: unknown }) {
    const where = `${target.resource}${target.name !== undefined ? ` "${target.namespace ? `${target.namespace}/` : ""}${target.name}"` : target.namespace ? ` in namespace "${target.namespace}"` : ""}`;
    const trimmed = serverMessage.length > MAX_SERVER_MESSAGE ? `${serverMessage.slice(0, MAX_SERVER_MESSAGE)}…` : serverMessage;
    const what = status === undefined ? `kubernetes ${target.verb} failed (${reason})` : `kubernetes ${target.verb} failed with ${status} ${reason}`;
    super(`${what}: ${where}${trimmed ? `: ${trimmed}` : ""} (${hintFor(status, reason, serverMessage, target.resource)})`, {
      code: reason === "" ? "KubeApiFailed" : reason,
      ...(status !== undefined ? { status } : {}),
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.reason = reason;
    this.target = target;
  }
}

/** True for a KubeApiError. */
export function isKubeApiError(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError;
}

/** True when the error is a 409 Conflict (stale resourceVersion) or AlreadyExists. */
export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

/** True when the error is a 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

/** True for failures worth retrying: no answer, 408, 429, 5xx, 409 conflicts. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  const s = err.status;
  return s === undefined || s === 408 || s === 409 || s === 429 || s >= 500;
}
