/**
 * The controller links: its Pods running and ready (when visible: a controller run outside the
 * cluster has none), its leader-election Lease held and renewed, and the Service in front of its
 * HTTP API answering `/readyz` through the API server's service proxy.
 */
import type { CheckItem, CheckResult } from "../check-result.js";
import type { Observed, ProxyAnswer, Read } from "../observed.js";

const SELECTOR = "app.kubernetes.io/name=sealbridge";

/** Why a read was not possible, as a skip or warn (forbidden reads are not failures: doctor cannot tell). */
function unreadable(name: string, what: string, read: Extract<Read<unknown>, { ok: false }>): CheckResult {
  if (read.status === 403) return { name, status: "skip", message: `cannot read ${what} (forbidden to you); not checked` };
  return { name, status: "warn", message: `cannot read ${what}: ${read.message}`, fix: "retry; check the API server's health" };
}

/** The controller's Deployment and Pods, by label, when they are visible. Pure. */
export function controllerPodsCheck(o: Observed): CheckResult {
  const name = "controller-pods";
  const ns = o.target.namespace;
  const { deployments, pods } = o;
  if (deployments === undefined || pods === undefined) return { name, status: "skip", message: "not observed" };
  if (!deployments.ok) return unreadable(name, `Deployments in ${ns}`, deployments);
  if (!pods.ok) return unreadable(name, `Pods in ${ns}`, pods);
  if (deployments.value.length === 0 && pods.value.length === 0) {
    return { name, status: "skip", message: `no Deployment or Pod labelled ${SELECTOR} in namespace ${ns} (a controller run outside the cluster has none; the Lease decides)` };
  }
  const items: CheckItem[] = [];
  for (const d of deployments.value) {
    const ok = d.readyReplicas >= Math.max(1, d.replicas);
    items.push({ object: `Deployment ${ns}/${d.name}`, status: ok ? "ok" : "fail", message: `${d.readyReplicas}/${d.replicas} replicas ready` });
  }
  for (const p of pods.value) {
    const ok = p.phase === "Running" && p.ready;
    const why = p.waitingReason !== undefined ? `, ${p.waitingReason}` : "";
    items.push({ object: `Pod ${ns}/${p.name}`, status: ok ? "ok" : "warn", message: `${p.phase}${p.ready ? ", ready" : ", not ready"}${why}, ${p.restarts} restarts` });
  }
  const readyPods = pods.value.filter((p) => p.phase === "Running" && p.ready).length;
  const deploymentBroken = deployments.value.some((d) => d.readyReplicas < Math.max(1, d.replicas));
  if (readyPods === 0 || deploymentBroken) {
    const waiting = pods.value.find((p) => p.waitingReason !== undefined)?.waitingReason;
    return {
      name,
      status: "fail",
      message: `no ready controller Pod in ${ns}${waiting !== undefined ? ` (${waiting})` : ""}`,
      fix: `see why: kubectl -n ${ns} describe pods -l ${SELECTOR}; kubectl -n ${ns} logs -l ${SELECTOR}`,
      items,
    };
  }
  const notReady = pods.value.length - readyPods;
  if (notReady > 0) return { name, status: "warn", message: `${readyPods} of ${pods.value.length} controller Pods ready`, fix: `kubectl -n ${ns} describe pods -l ${SELECTOR}`, items };
  return { name, status: "ok", message: `${readyPods} controller Pod(s) running and ready`, items };
}

const ago = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)}s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

/** The leader-election Lease: held by someone and renewed within its duration. Pure. */
export function controllerLeaseCheck(o: Observed): CheckResult {
  const name = "controller-lease";
  const { namespace: ns, leaseName } = o.target;
  const where = `Lease ${ns}/${leaseName}`;
  const lease = o.lease;
  if (lease === undefined) return { name, status: "skip", message: "not observed" };
  if (!lease.ok) {
    if (lease.status === 403) return { name, status: "skip", message: `cannot read ${where} (forbidden to you); not checked` };
    return { name, status: "fail", message: `cannot read ${where}: ${lease.message}`, fix: "retry; check the API server's health" };
  }
  const start = `start the controller (sealbridge install, or sealbridge controller --leader-elect -n ${ns}); if it runs, check its logs`;
  if (lease.value === null && o.api?.ok === true && o.api.namespaceExists === false) {
    return { name, status: "fail", message: `no namespace ${ns}: sealbridge is not installed there`, fix: `install it (sealbridge install), or pass -n/--namespace of the namespace it runs in` };
  }
  if (lease.value === null) {
    return { name, status: "fail", message: `no ${where}: no controller is running with --leader-elect in namespace ${ns}`, fix: `${start}, and pass doctor -n/--lease-name if it uses another namespace or lease` };
  }
  const { holder, renewTime, durationSeconds } = lease.value;
  if (holder === "") return { name, status: "fail", message: `${where} has no holder: the last leader stopped and none took over`, fix: start };
  const renewed = renewTime === undefined ? Number.NaN : Date.parse(renewTime);
  const durationMs = (durationSeconds ?? 15) * 1000;
  if (Number.isNaN(renewed)) return { name, status: "fail", message: `${where} held by ${holder} was never renewed`, fix: start };
  const age = o.now.getTime() - renewed;
  if (age > durationMs) {
    return {
      name,
      status: "fail",
      message: `${where} is stale: ${holder} last renewed it ${ago(age)} ago (lease duration ${durationMs / 1000}s)`,
      fix: `the controller stopped or cannot reach the API server: kubectl -n ${ns} logs -l ${SELECTOR}; ${start}`,
    };
  }
  return { name, status: "ok", message: `${holder} leads (renewed ${ago(Math.max(0, age))} ago)` };
}

/** The Service in front of the controller's HTTP API exists. Pure. */
export function controllerServiceCheck(o: Observed): CheckResult {
  const name = "controller-service";
  const { namespace: ns, serviceName } = o.target;
  const service = o.service;
  if (service === undefined) return { name, status: "skip", message: "not observed" };
  if (!service.ok) {
    if (service.status === 403) return { name, status: "skip", message: `cannot read Service ${ns}/${serviceName} (forbidden to you); not checked` };
    return { name, status: "fail", message: `cannot read Service ${ns}/${serviceName}: ${service.message}`, fix: "retry; check the API server's health" };
  }
  if (service.value === null) {
    return {
      name,
      status: "fail",
      message: `no Service ${ns}/${serviceName}: sealbridge seal, kubeseal and doctor reach the controller through it`,
      fix: `create it (sealbridge install creates it), or pass --namespace/--service-name of the one in use (a drop-in for sealed-secrets: -n kube-system --service-name sealed-secrets-controller)`,
    };
  }
  const ports = service.value.portNames;
  if (ports.length === 0) return { name, status: "fail", message: `Service ${ns}/${serviceName} has no ports`, fix: "give it the port http: 8080 (see sealbridge install --export)" };
  return { name, status: "ok", message: `Service ${ns}/${serviceName} (port ${ports[0] || "unnamed"})` };
}

/** A proxied request that got no controller answer, as a failure. Pure. */
export function proxyFailure(name: string, what: string, ns: string, answer: Extract<ProxyAnswer, { answered: false }>): CheckResult {
  if (answer.status === 403 || answer.status === 401) {
    return { name, status: "fail", message: `${what}: the API server refused the service proxy (${answer.status})`, fix: "you need get on services/proxy in the controller's namespace (kubeseal needs it too)" };
  }
  if (answer.status === 503 || answer.status === 502) {
    return { name, status: "fail", message: `${what}: the service proxy found no ready controller behind the Service (${answer.status})`, fix: `check the Service's endpoints and the controller's readiness: kubectl -n ${ns} get endpoints,pods` };
  }
  return { name, status: "fail", message: `${what}: ${answer.message}`, fix: `check the Service's port points at the controller's http port 8080: kubectl -n ${ns} get service -o yaml` };
}

/** `/readyz` through the service proxy: the controller says it is ready (caches synced, keys loaded, leading or standing by). Pure. */
export function controllerReadyCheck(o: Observed): CheckResult {
  const name = "controller-ready";
  const ns = o.target.namespace;
  const r = o.readyz;
  if (r === undefined) return { name, status: "skip", message: "not observed" };
  if (!r.answered) return proxyFailure(name, "GET /readyz", ns, r);
  const said = r.body.trim().split("\n")[0]?.slice(0, 300) ?? "";
  if (r.status === 200) {
    const absent = /not installed: (.*)$/.exec(said)?.[1];
    if (absent !== undefined) return { name, status: "warn", message: `ready: ${said}`, fix: "install the missing CRDs if you use those kinds (kubectl apply --server-side -f crds/)" };
    return { name, status: "ok", message: `ready: ${said}` };
  }
  return { name, status: "fail", message: `not ready (HTTP ${r.status}): ${said || "no reason given"}`, fix: `see why in its logs: kubectl -n ${ns} logs -l ${SELECTOR}` };
}
