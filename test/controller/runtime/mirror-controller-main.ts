// A controller process for kill/restart tests: the real service wiring (config, client, servers,
// runtime, signals) with the test's mirror reconciler instead of the registered ones.
import { parseControllerConfig } from "../../../src/controller/config.js";
import { runControllerService } from "../../../src/controller/controller-service.js";
import { MirrorReconciler } from "./mirror-reconciler.js";

const [kubeconfig, identity, delayMs] = process.argv.slice(2) as [string, string, string];
const config = parseControllerConfig({
  flags: { kubeconfig, httpAddr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0", leaderElect: true, leaseDuration: "2s", leaseRenewDeadline: "1500ms", leaseRetryPeriod: "200ms", concurrency: ["2"], logLevel: "info" },
  env: { POD_NAME: identity, POD_NAMESPACE: "sealbridge" },
  hostname: "test",
  randomSuffix: "0",
});
// This process is killed mid-pass by the test: each pass takes `delayMs` of real time, as a real
// controller's would (the process under test runs on the clock; the test itself does not sleep).
const ms = Number(delayMs);
const work = ms > 0 ? () => new Promise<void>((resolve) => setTimeout(resolve, ms)) : undefined;
const stopSignal = new Promise<string>((resolve) => process.once("SIGTERM", () => resolve("SIGTERM")));
await runControllerService({ config, env: {}, stopSignal, factories: [{ name: "mirror", create: async () => new MirrorReconciler(work, identity) }] });
