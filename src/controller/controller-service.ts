/**
 * The `sealbridge controller` process: wires the configuration to the Kubernetes client, the
 * HTTP and metrics servers, the reconcilers and the runtime, then runs until told to stop and
 * shuts down gracefully (stop taking work, finish in-flight, release the lease, close servers).
 */
import { systemClock } from "../clock.js";
import type { Clock } from "../clock.js";
import { HttpKubeClient } from "../kube/client.js";
import { loadKubeConnection, type KubeConnection } from "../kube/config.js";
import type { KubeClient } from "../kube/types.js";
import { controllerLogger, createLogger } from "../log.js";
import { HttpServer } from "../server/http-server.js";
import type { BoundAddress } from "../server/http-server.js";
import { addMetricsRoute, createControllerMetrics } from "../server/metrics.js";
import { VERSION } from "../version.js";
import { checkKindNames } from "./config.js";
import type { ControllerConfig, ListenAddress } from "./config.js";
import { InputError } from "../errors.js";
import { reconcilerFactories, serviceShare } from "./reconcilers.js";
import type { ControllerDeps, ReconcilerFactory } from "./reconcilers.js";
import { ControllerRuntime } from "./runtime/runtime.js";
import type { Reconciler } from "./types.js";

/** The parsed configuration, environment and stop signal of a controller process. */
export interface ControllerServiceOptions {
  config: ControllerConfig;
  env: Record<string, string | undefined>;
  /** Resolves when the process should shut down (SIGTERM/SIGINT). */
  stopSignal: Promise<string>;
  clock?: Clock;
  /** Overrides the registered reconciler factories (tests). */
  factories?: readonly ReconcilerFactory[];
  /** Overrides the Kubernetes client (tests; the CLI passes the one it loaded, with its connection). */
  kube?: KubeClient;
  /** The connection `kube` was made from (the VaultUnsealer reaches pods through its API server proxy). */
  kubeConnection?: KubeConnection;
}

/**
 * Runs the controller until `stopSignal` resolves, then shuts down. The ports are bound first, so
 * an address in use fails at once, before any reconciler is built or any watch starts.
 * @throws InputError when the kubeconfig cannot be loaded, an address cannot be bound, or
 * `--reconcilers`/`--concurrency` name an unknown kind; whatever a reconciler factory or `start`
 * throws. All of these happen before any reconcile.
 */
export async function runControllerService(options: ControllerServiceOptions): Promise<void> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = createLogger({ level: config.logLevel, base: { component: "sealbridge-controller", instance: config.identity } });
  const log = controllerLogger(logger);
  const factories = options.factories ?? reconcilerFactories;
  checkKindNames(config, factories.map((f) => f.name));
  const selected = config.reconcilers ? factories.filter((f) => config.reconcilers?.includes(f.name)) : factories;
  let agentToClose: { destroy(): void } | undefined;
  let kube = options.kube;
  let kubeConnection = options.kubeConnection;
  if (!kube) {
    const connection = await loadKubeConnection({ kubeconfig: config.kubeconfig, env: options.env });
    kubeConnection = connection;
    agentToClose = connection.agent;
    kube = new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` });
  }
  const metrics = createControllerMetrics();
  const http = new HttpServer({ log });
  const sameAddress = config.metricsAddr.port === config.httpAddr.port && config.metricsAddr.host === config.httpAddr.host && config.httpAddr.port !== 0;
  const metricsServer = sameAddress ? http : new HttpServer({ log });
  addMetricsRoute(metricsServer, metrics);

  const servers: HttpServer[] = [http];
  const reconcilers: Reconciler[] = [];
  const abandon = async (): Promise<void> => {
    for (const r of reconcilers) await Promise.resolve(r.stop?.()).catch(() => undefined);
    await Promise.all(servers.map((s) => s.close()));
    agentToClose?.destroy();
  };
  try {
    logListening(log, "http", await listenOn(http, config.httpAddr, "--http-addr"));
    if (metricsServer !== http) {
      servers.push(metricsServer);
      logListening(log, "metrics", await listenOn(metricsServer, config.metricsAddr, "--metrics-addr"));
    }
  } catch (err) {
    await abandon();
    throw err;
  }

  let startError: unknown;
  const deps: ControllerDeps = { kube, http, log, clock, metrics, share: serviceShare(), ...(kubeConnection ? { kubeConnection } : {}) };
  try {
    for (const factory of selected) {
      const reconciler = await factory.create(config, deps);
      // Opt-in kinds (the VaultUnsealer without --vault-unsealer) build nothing.
      if (reconciler === null) continue;
      reconcilers.push(reconciler);
      if (reconciler.name !== factory.name) throw new Error(`reconciler "${reconciler.name}" registered as "${factory.name}": src/controller/reconcilers.ts (use the reconciler's name)`);
    }
  } catch (err) {
    await abandon();
    throw err;
  }
  let fatal: (err: unknown) => void = () => undefined;
  const fatalError = new Promise<string>((resolve) => {
    fatal = (err) => {
      startError ??= err;
      resolve("fatal");
    };
  });
  const runtime = new ControllerRuntime({ kube, reconcilers, config, log, metrics, clock, onFatal: (err) => fatal(err) });
  http.setReadiness(() => runtime.readiness());
  // One verdict on both ports: the main server's, which includes its routes' checks (keys loaded).
  if (metricsServer !== http) metricsServer.setReadiness(() => http.readiness());

  log.info(
    { version: VERSION, namespace: config.namespace, reconcilers: reconcilers.map((r) => r.name), leaderElect: config.leaderElect },
    "controller starting",
  );
  const started = runtime.start().catch((err: unknown) => {
    startError = err;
  });
  const signal = await Promise.race([options.stopSignal, fatalError, started.then(() => (startError ? "start-failed" : new Promise<string>(() => undefined)))]);
  log.info({ signal }, "shutting down: no new work; finishing in-flight reconciles");
  await runtime.stop({ releaseLease: true, timeoutMs: config.shutdownTimeoutMs });
  await Promise.all(servers.map((s) => s.close()));
  agentToClose?.destroy();
  if (startError) {
    log.error({ err: startError }, "controller failed to start");
    throw startError;
  }
  log.info({}, "controller stopped");
  logger.flush();
}

function logListening(log: ReturnType<typeof controllerLogger>, server: string, bound: BoundAddress): void {
  log.info({ server, address: bound.host, port: bound.port }, `${server} server listening`);
}

async function listenOn(server: HttpServer, address: ListenAddress, flag: string): Promise<BoundAddress> {
  try {
    return await server.listen(address);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "EADDRINUSE") throw new InputError(`address in use: ${address.host ?? ""}:${address.port} (pass ${flag})`, { cause: err, code: "AddressInUse" });
    throw new InputError(
      `cannot listen on ${address.host ?? ""}:${address.port}: ${flag} (${typeof code === "string" ? code : "bind failed"}; choose a free address or stop what uses it)`,
      { cause: err },
    );
  }
}
