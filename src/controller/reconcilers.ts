/**
 * The reconcilers `sealbridge controller` runs. Each entry builds one reconciler from the parsed
 * configuration (and, if it needs them, the shared services in `deps`); add a kind by appending
 * its factory (from the kind's folder, `<kind>/index.ts`) with a lazy `await import()` so the CLI
 * stays fast to start. See docs/adding-a-kind.md.
 */
import type { Clock } from "../clock.js";
import type { KubeClient } from "../kube/types.js";
import type { RouteRegistry } from "../server/http-server.js";
import type { ControllerMetrics } from "../server/metrics.js";
import type { ControllerConfig } from "./config.js";
import type { KubeConnection } from "../kube/config.js";
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
  /**
   * A service shared by the factories that ask for it by `name`, built by the first of them
   * (once per controller process; e.g. the ESO kinds' Vault connections).
   */
  share<T>(name: string, build: () => T): T;
  /** The API server connection when the process built one (the VaultUnsealer's pod proxy). */
  kubeConnection?: KubeConnection;
}

/** A fresh `share` for one controller process. */
export function serviceShare(): ControllerDeps["share"] {
  const built = new Map<string, unknown>();
  return <T>(name: string, build: () => T): T => {
    if (!built.has(name)) built.set(name, build());
    return built.get(name) as T;
  };
}

/** One kind the controller can run: its name (`--reconcilers`, `--concurrency`) and how to build it. */
export interface ReconcilerFactory {
  /** The reconciler's `name`, e.g. `sealedsecret`. */
  readonly name: string;
  /** The reconciler, or null for an opt-in kind that is not enabled. */
  create(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler | null>;
}

/** One factory per kind; the runtime starts the reconcilers of those `--reconcilers` selects (all by default). */
export const reconcilerFactories: readonly ReconcilerFactory[] = [
  { name: "sealedsecret", create: async (cfg, deps) => (await import("./sealed-secret/index.js")).sealedSecretFactory(cfg, deps) },
  { name: "agesecret", create: async (cfg, deps) => (await import("./age-secret/index.js")).ageSecretFactory(cfg, deps) },
  { name: "externalsecret", create: async (cfg, deps) => (await import("./external-secret/index.js")).externalSecretFactory(cfg, deps) },
  { name: "secretstore", create: async (cfg, deps) => (await import("./secret-store/index.js")).secretStoreFactory(cfg, deps) },
  { name: "clustersecretstore", create: async (cfg, deps) => (await import("./secret-store/index.js")).clusterSecretStoreFactory(cfg, deps) },
  { name: "certificatecheck", create: async (cfg, deps) => (await import("./certificate-check/index.js")).certificateCheckFactory(cfg, deps) },
  { name: "acmecertificate", create: async (cfg, deps) => (await import("./acme-certificate/index.js")).acmeCertificateFactory(cfg, deps) },
  { name: "dnscredential", create: async (cfg, deps) => (await import("./dns-credential/index.js")).dnsCredentialFactory(cfg, deps) },
  // Opt-in (--vault-unsealer: it watches pods cluster-wide): builds nothing when not enabled.
  { name: "vaultunsealer", create: async (cfg, deps) => (cfg.vaultUnsealer ? (await import("./vault-unsealer/index.js")).vaultUnsealerFactory(cfg, deps) : null) },
];
