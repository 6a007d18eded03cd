// The controller side of bench/controller-sealedsecrets.mjs: the compiled runtime with the
// SealedSecret reconciler (worker-thread decryption unless DECRYPT=inline), counting RSA
// decryptions. Prints `{"done":N,"ms":T,"cpuMs":C,"decrypts":D}` (C: the process's CPU time,
// worker threads included) once N SealedSecrets reconciled; then
// answers "stats" on stdin with `{"decrypts":D}`.
import { createInterface } from "node:readline";
import { controllerKeysFor } from "../../dist/controller/keys/controller-keys.js";
import { sealedSecretReconciler } from "../../dist/controller/sealed-secret/index.js";
import { hybridDecrypt } from "../../dist/crypto/hybrid-encryption.js";
import { createDecryptPool } from "../../dist/crypto/decrypt-pool.js";
import { benchKube, countingReconciler, runBenchRuntime } from "../support/bench-controller.mjs";

const [kubeconfig, expectedText, resyncText] = process.argv.slice(2);
const started = performance.now();
const kube = await benchKube(kubeconfig);
const pool = process.env["DECRYPT"] === "inline" ? null : createDecryptPool();
let decrypts = 0;
const decrypt = (keys, label, ct) => {
  decrypts++;
  return pool ? pool.decrypt(keys, label, ct) : hybridDecrypt(keys, label, ct);
};
const keys = controllerKeysFor({ namespace: "sealbridge", keyPrefix: "sealed-secrets-key", keyRenewPeriodMs: 0, keyBackupRecipients: [], keyBackupConfigMap: "x" });
const inner = sealedSecretReconciler(keys, {
  decrypt,
  stop: async () => {
    await keys.stop();
    await pool?.close();
  },
});
const reconciler = countingReconciler(inner, Number(expectedText), (done) => {
  const cpu = process.cpuUsage();
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  process.stdout.write(`${JSON.stringify({ done, ms: Math.round(performance.now() - started), cpuMs, decrypts, workers: pool?.size ?? 0 })}\n`);
});
const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line === "stats") process.stdout.write(`${JSON.stringify({ decrypts })}\n`);
});
await runBenchRuntime(kube, reconciler, { concurrency: Number(process.env["CONCURRENCY"] ?? 16), resyncPeriodMs: Number(resyncText ?? 3_600_000) });
