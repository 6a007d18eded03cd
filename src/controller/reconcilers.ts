/**
 * The reconcilers `sealbridge controller` runs. Each entry builds one reconciler from the parsed
 * configuration (and, if it needs them, the shared services in `deps`); add a kind by appending
 * its factory with a lazy `await import()` so the CLI stays fast to start, e.g.
 *
 *   async (cfg) => new (await import("./sealed-secret.js")).SealedSecretReconciler(cfg),
 *   async (cfg, deps) => (await import("./keys/key-reconciler.js")).keyReconciler(cfg, deps.http),
 */
import type { Clock } from "../clock.js";
import type { KubeClient } from "../kube/types.js";
import type { RouteRegistry } from "../server/http-server.js";
import type { ControllerMetrics } from "../server/metrics.js";
import type { ControllerConfig } from "./config.js";
import type { ControllerLogger, Reconciler } from "./types.js";

/** Shared services a factory may use before the runtime starts (routes must be added here). */
export interface ControllerDeps {
  kube: KubeClient;
  /** The main HTTP server (`--http-addr`): add routes such as `/v1/cert.pem`. */
  http: RouteRegistry;
  log: ControllerLogger;
  clock: Clock;
  /** The process's metrics registry (`--metrics-addr`): reconcilers count what they do here. */
  metrics: ControllerMetrics;
}

/** One kind the controller can run: its name (`--reconcilers`, `--concurrency`) and how to build it. */
export interface ReconcilerFactory {
  /** The reconciler's `name`, e.g. `sealedsecret`. */
  readonly name: string;
  create(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler>;
}

/** One factory per kind; the runtime starts the reconcilers of those `--reconcilers` selects (all by default). */
export const reconcilerFactories: readonly ReconcilerFactory[] = [
  { name: "sealedsecret", create: async (cfg, deps) => (await import("./sealing-reconcilers.js")).sealedSecretFactory(cfg, deps) },
  { name: "agesecret", create: async (cfg, deps) => (await import("./sealing-reconcilers.js")).ageSecretFactory(cfg, deps) },
  { name: "externalsecret", create: async (cfg, deps) => (await import("./eso-reconcilers.js")).externalSecretFactory(cfg, deps) },
  { name: "secretstore", create: async (cfg, deps) => (await import("./eso-reconcilers.js")).secretStoreFactory(cfg, deps) },
  { name: "clustersecretstore", create: async (cfg, deps) => (await import("./eso-reconcilers.js")).clusterSecretStoreFactory(cfg, deps) },
];
