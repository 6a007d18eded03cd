// The controller side of the controller benchmarks: the compiled runtime running one reconciler
// against the test server, wrapped to report once N distinct objects reconciled.
import { HttpKubeClient } from "../../dist/kube/client.js";
import { loadKubeConnection } from "../../dist/kube/config.js";
import { ControllerRuntime } from "../../dist/controller/runtime/runtime.js";
import { silentLogger } from "../../dist/log.js";

export const benchClock = { now: () => new Date() };

/** A client for the test server's kubeconfig. */
export async function benchKube(kubeconfig) {
  return new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));
}

/** `inner`, calling `report(doneCount, passes)` once `expected` distinct keys reconciled successfully. */
export function countingReconciler(inner, expected, report) {
  const done = new Set();
  let reported = false;
  let passes = 0;
  return {
    name: inner.name,
    resource: inner.resource,
    secondaryWatches: inner.secondaryWatches,
    reportsOutcome: inner.reportsOutcome,
    retryToken: inner.retryToken ? (obj, ctx) => inner.retryToken(obj, ctx) : undefined,
    start: (ctx) => inner.start?.(ctx),
    stop: () => inner.stop?.(),
    async reconcile(key, ctx) {
      passes++;
      const out = await inner.reconcile(key, ctx);
      done.add(key);
      if (!reported && done.size >= expected) {
        reported = true;
        report(done.size, passes);
      }
      return out;
    },
  };
}

/** Runs `reconciler` without leader election until SIGTERM, then stops it and exits 0. */
export async function runBenchRuntime(kube, reconciler, { concurrency, resyncPeriodMs }) {
  const runtime = new ControllerRuntime({
    kube,
    reconcilers: [reconciler],
    config: {
      concurrency: { default: concurrency, perKind: {} },
      resyncPeriodMs,
      leaderElect: false,
      namespace: "sealbridge",
      leaseName: "sealbridge",
      leaseDurationMs: 15_000,
      leaseRenewDeadlineMs: 10_000,
      leaseRetryPeriodMs: 2_000,
      identity: "bench",
    },
    log: silentLogger,
  });
  process.on("SIGTERM", () => {
    void runtime.stop({ timeoutMs: 1_000 }).then(() => process.exit(0));
  });
  await runtime.start();
}
