// The controller side of bench/eso-recovery-1k.mjs: the compiled runtime with the ExternalSecret
// reconciler and the controller's ESO services (reader, connections, store recovery probe), as
// `sealbridge controller` builds them, against the kubeconfig given. Runs until SIGTERM.
import { externalSecretReconciler } from "../../dist/controller/external-secret/index.js";
import { createEsoServices } from "../../dist/controller/external-secret/index.js";
import { benchClock, benchKube, runBenchRuntime } from "../support/bench-controller.mjs";

const [kubeconfig] = process.argv.slice(2);
const kube = await benchKube(kubeconfig);
const services = createEsoServices(kube, benchClock, { vaultConcurrency: 16 });
await runBenchRuntime(kube, externalSecretReconciler(services), { concurrency: 32, resyncPeriodMs: 3_600_000 });
