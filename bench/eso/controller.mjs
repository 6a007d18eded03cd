// The controller side of bench/eso-10k.mjs: the compiled runtime with the ExternalSecret
// reconciler only (no sealing keys to generate), against the kubeconfig given. Prints
// `{"synced":N,"ms":T}` once N distinct ExternalSecrets reconciled successfully.
import { HttpKubeClient } from "../../dist/kube/client.js";
import { loadKubeConnection } from "../../dist/kube/config.js";
import { ControllerRuntime } from "../../dist/controller/runtime/runtime.js";
import { ExternalSecretReconciler } from "../../dist/controller/external-secret-reconciler.js";
import { StoreConnections } from "../../dist/eso/store-connections.js";
import { VaultReader } from "../../dist/eso/vault-reader.js";
import { silentLogger } from "../../dist/log.js";

const [kubeconfig, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
const started = performance.now();
const clock = { now: () => new Date() };
const kube = new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));
const reader = new VaultReader(clock, { concurrency: 16 });
const inner = new ExternalSecretReconciler({ reader, connections: new StoreConnections(kube, clock) });
const done = new Set();
let reported = false;
const reconciler = {
  name: inner.name,
  resource: inner.resource,
  secondaryWatches: inner.secondaryWatches,
  start: (ctx) => inner.start(ctx),
  async reconcile(key, ctx) {
    const out = await inner.reconcile(key, ctx);
    done.add(key);
    if (!reported && done.size >= expected) {
      reported = true;
      process.stdout.write(`${JSON.stringify({ synced: done.size, ms: Math.round(performance.now() - started), vaultReads: reader.stats.vaultReads })}\n`);
    }
    return out;
  },
};
const runtime = new ControllerRuntime({
  kube,
  reconcilers: [reconciler],
  config: {
    concurrency: { default: 32, perKind: {} },
    resyncPeriodMs: 3_600_000,
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
