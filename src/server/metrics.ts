/**
 * Prometheus metrics (prom-client): reconcile totals, errors and durations by kind, work queue
 * depth, leader status, the counters sealed-secrets and External Secrets Operator dashboards and
 * alerts use (same names and labels), plus Node's default process metrics. One registry per controller process
 * (tests create their own), served as `/metrics`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RouteRegistry } from "./http-server.js";

/** The metrics the runtime updates. */
export interface ControllerMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<"kind" | "result">;
  readonly reconcileErrors: Counter<"kind" | "reason">;
  readonly reconcileDuration: Histogram<"kind">;
  readonly queueDepth: Gauge<"kind">;
  readonly leader: Gauge;
  /** 1 while the API server serves a watched resource, 0 while it does not (CRD not installed). */
  readonly resourceInstalled: Gauge<"resource">;
  /** sealed-secrets: every attempt to unseal a SealedSecret. */
  readonly unsealRequests: Counter;
  /** sealed-secrets: failed unseals by reason (`unseal`, `unmanaged`, `update`) and namespace. */
  readonly unsealErrors: Counter<"reason" | "namespace">;
  /** ESO: ExternalSecret reconciles. */
  readonly esSyncCalls: Counter<"name" | "namespace">;
  /** ESO: failed ExternalSecret reconciles. */
  readonly esSyncErrors: Counter<"name" | "namespace">;
  /** ESO: provider API calls (`provider="HashiCorp/Vault"`, `call`, `status` success|error). */
  readonly providerApiCalls: Counter<"provider" | "call" | "status">;
}

/** A counter on `registry`. */
function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Creates a registry with the sealbridge metrics; `defaults` adds Node's process metrics. */
export function createControllerMetrics(options: { defaults?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconcileTotal: counter(registry, "sealbridge_reconcile_total", "Reconcile passes by kind and result (success, waiting, error, stalled).", ["kind", "result"] as const),
    reconcileErrors: counter(registry, "sealbridge_reconcile_errors_total", "Failed reconcile passes by kind and reason.", ["kind", "reason"] as const),
    reconcileDuration: new Histogram({
      name: "sealbridge_reconcile_duration_seconds",
      help: "Duration of reconcile passes by kind.",
      labelNames: ["kind"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "sealbridge_workqueue_depth",
      help: "Keys waiting in the work queue by kind (ready to process, not counting delayed ones).",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    leader: new Gauge({
      name: "sealbridge_leader",
      help: "1 when this instance holds the leader lease (or runs without leader election), else 0.",
      registers: [registry],
    }),
    resourceInstalled: new Gauge({
      name: "sealbridge_resource_installed",
      help: "1 while the API server serves a watched resource, 0 while it does not (its CRD is not installed; the kinds using it wait for it).",
      labelNames: ["resource"] as const,
      registers: [registry],
    }),
    unsealRequests: counter(registry, "sealed_secrets_controller_unseal_requests_total", "Total number of sealed secret unseal requests", [] as const),
    unsealErrors: counter(registry, "sealed_secrets_controller_unseal_errors_total", "Total number of sealed secret unseal errors by reason", ["reason", "namespace"] as const),
    esSyncCalls: counter(registry, "externalsecret_sync_calls_total", "Total number of the External Secret sync calls", ["name", "namespace"] as const),
    esSyncErrors: counter(registry, "externalsecret_sync_calls_error", "Total number of the External Secret sync errors", ["name", "namespace"] as const),
    providerApiCalls: counter(registry, "externalsecret_provider_api_calls_count", "Number of API calls towards the secret provider", ["provider", "call", "status"] as const),
  };
}

/** Serves `GET /metrics` from `metrics.registry` on `server`. */
export function addMetricsRoute(server: RouteRegistry, metrics: ControllerMetrics): void {
  server.addRoute("GET", "/metrics", async () => ({
    status: 200,
    headers: { "content-type": metrics.registry.contentType },
    body: await metrics.registry.metrics(),
  }));
}
