// The controller side of bench/eso-10k.mjs: the compiled runtime with the ExternalSecret
// reconciler only (no sealing keys to generate), against the kubeconfig given. Prints
// `{"synced":N,"ms":T}` once N distinct ExternalSecrets reconciled successfully.
import { externalSecretReconciler } from "../../dist/controller/external-secret/index.js";
import { StoreConnections } from "../../dist/eso/store-connections.js";
import { VaultReader } from "../../dist/eso/vault-reader.js";
import { benchClock, benchKube, countingReconciler, runBenchRuntime } from "../support/bench-controller.mjs";

const [kubeconfig, expectedText] = process.argv.slice(2);
const started = performance.now();
const kube = await benchKube(kubeconfig);
const reader = new VaultReader(benchClock, { concurrency: 16 });
const inner = externalSecretReconciler({ reader, connections: new StoreConnections(kube, benchClock) });
const reconciler = countingReconciler(inner, Number(expectedText), (synced, passes) => {
  process.stdout.write(`${JSON.stringify({ synced, passes, ms: Math.round(performance.now() - started), vaultReads: reader.stats.vaultReads })}\n`);
});
await runBenchRuntime(kube, reconciler, { concurrency: 32, resyncPeriodMs: 3_600_000 });
