/**
 * Prometheus metrics (prom-client): reconcile totals, errors and durations by kind, work queue
 * depth, leader status, plus Node's default process metrics. One registry per controller process
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
}

/** Creates a registry with the sealbridge metrics; `defaults` adds Node's process metrics. */
export function createControllerMetrics(options: { defaults?: boolean } = {}): ControllerMetrics {
  const registry = new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    reconcileTotal: new Counter({
      name: "sealbridge_reconcile_total",
      help: "Reconcile passes by kind and result (success, waiting, error, stalled).",
      labelNames: ["kind", "result"] as const,
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: "sealbridge_reconcile_errors_total",
      help: "Failed reconcile passes by kind and reason.",
      labelNames: ["kind", "reason"] as const,
      registers: [registry],
    }),
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
