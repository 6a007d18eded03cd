/** The first two links: the kubeconfig loads, and the API server answers an authenticated read. */
import type { CheckResult } from "../check-result.js";
import type { Observed } from "../observed.js";

/** The kubeconfig (or in-cluster config) loads and names a cluster. Pure. */
export function kubeconfigCheck(o: Observed): CheckResult {
  const k = o.kubeconfig;
  if (!k.ok) {
    return { name: "kubeconfig", status: "fail", message: k.message, fix: "pass --kubeconfig FILE and --context NAME, or set KUBECONFIG, to a cluster where sealbridge runs" };
  }
  return { name: "kubeconfig", status: "ok", message: `context "${k.context}", API server ${k.server}` };
}

/** The API server answers, and accepts the kubeconfig's credentials. Pure. */
export function apiServerCheck(o: Observed): CheckResult {
  const a = o.api;
  if (a === undefined) return { name: "api-server", status: "skip", message: "not observed" };
  if (!a.ok) {
    if (a.status === 401) {
      return { name: "api-server", status: "fail", message: `the API server refused the kubeconfig's credentials (401 Unauthorized)`, fix: "refresh the credentials of the kubeconfig user (an expired token or client certificate), e.g. log in to the cluster again" };
    }
    if (a.status === undefined) {
      return { name: "api-server", status: "fail", message: a.message, fix: "check that the cluster is up and that the kubeconfig's server address is reachable from here (VPN, port-forward, firewall)" };
    }
    return { name: "api-server", status: "fail", message: a.message, fix: "the API server answers but fails; check its health (kubectl get --raw /readyz)" };
  }
  const ns = o.target.namespace;
  if (a.namespaceExists === null) return { name: "api-server", status: "ok", message: `reachable and authenticated (reading namespace ${ns} is forbidden to you)` };
  return { name: "api-server", status: "ok", message: "reachable and authenticated" };
}
