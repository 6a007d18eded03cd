/**
 * Talking to the sealing controller the way kubeseal does: through the API server's service
 * proxy (`/api/v1/namespaces/<ns>/services/http:<name>:<port>/proxy/v1/…`), with the
 * credentials of the kubeconfig. The Kubernetes client is imported here only, so sealing with
 * `--cert FILE` never loads it.
 */
import type { RequestOptions } from "node:https";
import { InputError, RemoteError } from "../errors.js";
import { sendRequest, type HttpAnswer } from "./http-request.js";

/** Which controller to reach, and how. */
export interface ControllerRef {
  namespace: string;
  name: string;
  /** `--kubeconfig`; else KUBECONFIG (merged), else ~/.kube/config, else in-cluster. */
  kubeconfig?: string | undefined;
  /** `--context`; else the kubeconfig's current context. */
  context?: string | undefined;
  /** The environment KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST are read from (default: none). */
  env?: Record<string, string | undefined> | undefined;
  timeoutMs?: number | undefined;
  /**
   * How to do without the controller, for error messages; default "pass --cert FILE"; null when
   * there is no offline way (`--validate`).
   */
  offlineHint?: string | null | undefined;
}

/** A connection to one controller's HTTP API through the API-server service proxy. */
export interface ControllerProxy {
  /**
   * Sends a request to the controller (path like `/v1/cert.pem`).
   * @param options.anyStatus return every answer, 401/403/404/5xx included (doctor reads the body of a 503 `/readyz`).
   * @throws RemoteError when the API server does not answer, or (without `anyStatus`) answers 401/403/404/5xx.
   */
  request(method: "GET" | "POST", path: string, body?: string, options?: { anyStatus?: boolean }): Promise<HttpAnswer>;
}

function describe(ref: ControllerRef): string {
  return `service ${ref.namespace}/${ref.name}`;
}

/** The offline way out, as ", or …" (empty when there is none). */
function orOffline(ref: ControllerRef): string {
  const offline = ref.offlineHint === undefined ? "pass --cert FILE" : ref.offlineHint;
  return offline === null ? "" : `, or ${offline}`;
}

function statusError(what: string, ref: ControllerRef, status: number): RemoteError {
  const hint =
    status === 404
      ? `check --controller-namespace and --controller-name; a sealed-secrets install is usually --controller-namespace kube-system --controller-name sealed-secrets-controller${orOffline(ref)}`
      : status === 401 || status === 403
        ? "check your kubeconfig credentials and that you may proxy to services"
        : `check the controller is running and has loaded its keys: kubectl -n ${ref.namespace} get pods${orOffline(ref)}`;
  return new RemoteError(`${what}: ${describe(ref)} answered HTTP ${status} (${hint})`, { status, code: "ControllerRequestFailed" });
}

/**
 * Opens a proxy to the controller: loads the kubeconfig and reads the Service to find its first
 * port's name (kubeseal's rule), so requests go to `http:<name>:<port>`.
 * @throws InputError when the kubeconfig cannot be loaded or none is configured (code
 *   NoClusterConfigured); RemoteError when the API server does not answer or the Service does
 *   not exist.
 */
export async function connectControllerProxy(ref: ControllerRef, purpose = "cannot reach the controller"): Promise<ControllerProxy> {
  const offline = orOffline(ref);
  const { loadKubeConfig, NO_CLUSTER_CONFIGURED } = await import("../kube/config.js");
  let kc: Awaited<ReturnType<typeof loadKubeConfig>>;
  try {
    kc = loadKubeConfig({ kubeconfig: ref.kubeconfig, context: ref.context, env: ref.env ?? {} });
  } catch (err) {
    if (err instanceof InputError && err.code === NO_CLUSTER_CONFIGURED) {
      throw new InputError(`${purpose}: no cluster is configured (no --kubeconfig, KUBECONFIG or ~/.kube/config, and not running in a cluster; pass --kubeconfig FILE${offline})`, { cause: err, code: NO_CLUSTER_CONFIGURED });
    }
    throw err;
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError(`${purpose}: the kubeconfig has no current cluster (pass --kubeconfig/--context${offline})`, { code: "KubeconfigInvalid" });
  const server = cluster.server.replace(/\/+$/, "");
  const timeoutMs = ref.timeoutMs ?? 15_000;
  const base = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/services`;

  const call = async (method: "GET" | "POST", path: string, body?: string, what = "cannot reach the controller"): Promise<HttpAnswer> => {
    const url = new URL(server + path);
    const options: RequestOptions = { method, headers: { Accept: "application/json, */*" } };
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (err) {
      // The client's message may quote exec-plugin output, so it is kept as the cause only.
      throw new RemoteError(`cannot use kubeconfig credentials: cluster ${url.host} (check the kubeconfig's cluster and user entries${offline})`, { cause: err, code: "KubeconfigInvalid" });
    }
    if (body !== undefined) options.headers = { ...options.headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
    try {
      return await sendRequest(url, options, body, timeoutMs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "network error";
      throw new RemoteError(`${what}: API server ${url.host} did not answer (${code}; check the cluster is up and the kubeconfig points at it${offline})`, { cause: err, code: "ApiServerUnreachable" });
    }
  };

  const service = await call("GET", `${base}/${encodeURIComponent(ref.name)}`, undefined, "cannot find the controller");
  if (service.status !== 200) throw statusError("cannot find the controller", ref, service.status);
  let portName = "";
  try {
    const parsed = JSON.parse(service.body.toString("utf8")) as { spec?: { ports?: Array<{ name?: string; port?: number }> } };
    const port = parsed.spec?.ports?.[0];
    portName = port?.name ?? "";
  } catch {
    // keep "": the proxy then picks the only port
  }
  const proxy = `${base}/http:${encodeURIComponent(ref.name)}:${encodeURIComponent(portName)}/proxy`;
  return {
    async request(method, path, body, options) {
      const answer = await call(method, proxy + path, body);
      if (options?.anyStatus === true) return answer;
      if (answer.status >= 500 || answer.status === 404 || answer.status === 401 || answer.status === 403) {
        throw statusError(`controller request ${method} ${path} failed`, ref, answer.status);
      }
      return answer;
    },
  };
}
