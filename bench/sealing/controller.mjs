// The controller side of bench/controller-sealedsecrets.mjs: the compiled runtime with the
// SealedSecret reconciler (worker-thread decryption unless DECRYPT=inline), counting RSA
// decryptions. Prints `{"done":N,"ms":T,"cpuMs":C,"decrypts":D}` (C: the process's CPU time,
// worker threads included) once N SealedSecrets reconciled; then
// answers "stats" on stdin with `{"decrypts":D}`.
import { createInterface } from "node:readline";
import { HttpKubeClient } from "../../dist/kube/client.js";
import { loadKubeConnection } from "../../dist/kube/config.js";
import { ControllerRuntime } from "../../dist/controller/runtime/runtime.js";
import { controllerKeysFor } from "../../dist/controller/keys/controller-keys.js";
import { sealedSecretReconciler } from "../../dist/controller/sealed-secret-reconciler.js";
import { hybridDecrypt } from "../../dist/crypto/hybrid-encryption.js";
import { createDecryptPool } from "../../dist/crypto/decrypt-pool.js";
import { silentLogger } from "../../dist/log.js";

const [kubeconfig, expectedText, resyncText] = process.argv.slice(2);
const expected = Number(expectedText);
const started = performance.now();
const clock = { now: () => new Date() };
const kube = new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));
const pool = process.env["DECRYPT"] === "inline" ? null : createDecryptPool();
let decrypts = 0;
const decrypt = (keys, label, ct) => {
  decrypts++;
  return pool ? pool.decrypt(keys, label, ct) : hybridDecrypt(keys, label, ct);
};
const keys = controllerKeysFor({ namespace: "sealbridge", keyPrefix: "sealed-secrets-key", keyRenewPeriodMs: 0, keyBackupRecipients: [], keyBackupConfigMap: "x" });
const inner = sealedSecretReconciler(keys, decrypt);
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
      const cpu = process.cpuUsage();
      const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
      process.stdout.write(`${JSON.stringify({ done: done.size, ms: Math.round(performance.now() - started), cpuMs, decrypts, workers: pool?.size ?? 0 })}\n`);
    }
    return out;
  },
};
const runtime = new ControllerRuntime({
  kube,
  reconcilers: [reconciler],
  config: {
    concurrency: { default: Number(process.env["CONCURRENCY"] ?? 16), perKind: {} },
    resyncPeriodMs: Number(resyncText ?? 3_600_000),
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
const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line === "stats") process.stdout.write(`${JSON.stringify({ decrypts })}\n`);
});
process.on("SIGTERM", () => {
  void runtime.stop({ timeoutMs: 1_000 }).then(() => process.exit(0));
});
await runtime.start();
