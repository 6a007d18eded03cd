/**
 * `sealbridge controller`: runs the in-cluster controller. Flags are parsed once by the zod
 * schema in src/controller/config.ts (fail fast, before any watch starts); the process wiring
 * lives in src/controller/controller-service.ts and is imported only when the command runs.
 */
import type { Command } from "commander";

/** How long after a complete shutdown the process may linger before it is ended anyway. */
const SAFETY_NET_MS = 10_000;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Registers the `controller` command. */
export function register(program: Command): void {
  program
    .command("controller")
    .description("Run the in-cluster controller (all reconcilers, /healthz, /readyz, /metrics).")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster)")
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option("-n, --namespace <ns>", "the controller's own namespace (default: POD_NAMESPACE, else sealbridge)")
    .option("--http-addr <addr>", "address for /healthz, /readyz and the /v1 API (default :8080)")
    .option("--metrics-addr <addr>", "address for /metrics (default :8081; equal to --http-addr serves both on one port)")
    .option("--leader-elect", "elect a leader through a coordination.k8s.io Lease before doing any work")
    .option("--lease-name <name>", "Lease name in the controller namespace (default sealbridge-controller)")
    .option("--lease-duration <duration>", "how long a lease is valid without renewal (default 15s)")
    .option("--lease-renew-deadline <duration>", "how long the leader keeps trying to renew before it stops working (default 10s)")
    .option("--lease-retry-period <duration>", "time between lease acquire/renew attempts (default 2s)")
    .option("--reconcilers <kinds>", "run only these kinds, comma-separated, repeatable (default: all; e.g. sealedsecret,agesecret)", collect)
    .option("--concurrency <spec>", "workers per kind: N for all and/or kind=N, comma-separated, repeatable (default 2)", collect)
    .option("--resync-period <duration>", "re-reconcile every object this often (default 10m)")
    .option("--shutdown-timeout <duration>", "how long shutdown waits for in-flight reconciles (default 30s)")
    .option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent (default: SEALBRIDGE_LOG_LEVEL, else info)")
    .option("--key-renew-period <duration>", "new sealing key this often; 0 disables (default 720h)")
    .option("--key-prefix <prefix>", "name prefix of sealing key Secrets (default sealed-secrets-key)")
    .option("--key-backup-recipient <age1…>", "age recipient for the private key backup, repeatable", collect)
    .option("--vault-unsealer", "run the VaultUnsealer reconciler (opt-in; needs get/list/watch on pods)")
    .option("--key-backup-configmap <name>", "ConfigMap holding the encrypted key backup (default sealbridge-key-backup)")
    .option("--rate-limit <n>", "POST /v1/verify requests allowed per second, sustained (default 2, as sealed-secrets)")
    .option("--rate-limit-burst <n>", "POST /v1/verify requests allowed at once above the rate (default 2, as sealed-secrets)")
    .option("--alert-sink <type=url>", "default alert sink of CertificateChecks: alertmanager=URL, webhook=URL or ntfy=URL/TOPIC (repeatable)", collect)
    .action(async (opts: Record<string, unknown>) => {
      const [{ parseControllerConfig }, { runControllerService }, { reconcilerFactories }, { hostname }, { randomBytes }, { loadKubeConnection }, { HttpKubeClient }, { VERSION }] = await Promise.all([
        import("../controller/config.js"),
        import("../controller/controller-service.js"),
        import("../controller/reconcilers.js"),
        import("node:os"),
        import("node:crypto"),
        import("../kube/config.js"),
        import("../kube/client.js"),
        import("../version.js"),
      ]);
      const { keyBackupConfigmap, context, ...rest } = opts;
      const config = parseControllerConfig({
        flags: { ...rest, ...(keyBackupConfigmap !== undefined ? { keyBackupConfigMap: keyBackupConfigmap } : {}) },
        env: process.env,
        hostname: hostname(),
        randomSuffix: randomBytes(4).toString("hex"),
        kinds: reconcilerFactories.map((f) => f.name),
      });
      // The one kubeconfig loader of every command (kubectl's rules, --context), before anything starts.
      const connection = await loadKubeConnection({ kubeconfig: typeof rest["kubeconfig"] === "string" ? rest["kubeconfig"] : undefined, context: typeof context === "string" ? context : undefined, env: process.env });
      const kube = new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` });
      let signalled = false;
      const stopSignal = new Promise<string>((resolve) => {
        const onSignal = (signal: NodeJS.Signals): void => {
          if (signalled) {
            // A second signal during shutdown: give up waiting.
            process.stderr.write(`received ${signal} again; exiting now\n`);
            process.exit(1);
          }
          signalled = true;
          resolve(signal);
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
      try {
        await runControllerService({ config, env: process.env, stopSignal, kube, kubeConnection: connection });
      } finally {
        connection.agent.destroy();
        // Shutdown closed every server, watch, pool and timer, so the process ends by itself. This
        // is only a safety net against a handle some library leaks (test/cli/controller.test.ts
        // asserts that it does not fire).
        setTimeout(() => {
          process.stderr.write(`${JSON.stringify({ level: "warn", msg: "controller: handles still open 10s after shutdown; forcing exit" })}\n`);
          process.exit(process.exitCode ?? 0);
        }, SAFETY_NET_MS).unref();
      }
    });
}
