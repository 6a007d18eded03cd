/**
 * `npm run demo [-- --keep]`: the whole sealbridge story on one machine, with no cluster. It
 * starts the Kubernetes API and Vault test servers, real BIND 9 and Pebble, and an
 * Alertmanager-compatible receiver; runs the real `sealbridge` CLI and controller, `kubectl`,
 * `age`, `openssl` and `dig` against them; and checks every fact it shows. Any failed check stops
 * the demo with exit 1. The steps live in scripts/demo/, one module per part of the story.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { acmeIssuance } from "./demo/acme-issuance.js";
import { certificateAlert } from "./demo/certificate-alert.js";
import { doctorFindsFault } from "./demo/doctor-fault.js";
import type { ControllerProcess } from "./demo/controller-process.js";
import { startController, startServers } from "./demo/environment.js";
import { keepRunning } from "./demo/keep.js";
import { leakCheck } from "./demo/leak-check.js";
import { sealWithAge, sealWithClusterKey } from "./demo/sealing.js";
import { DemoSession } from "./demo/session.js";
import { reloadOnChange, syncFromVault } from "./demo/vault-sync.js";
import { vaultUnseal } from "./demo/vault-unseal.js";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--keep");
if (unknown.length > 0) {
  process.stderr.write(`error: unknown argument ${unknown.join(" ")}: npm run demo (pass nothing, or --keep to leave the environment running)\n`);
  process.exit(2);
}
const keep = args.includes("--keep");
const demo = new DemoSession(process.env);
const started = Date.now();
let controller: ControllerProcess | undefined;
const STORY_DEADLINE_MS = 5 * 60_000;

async function story(): Promise<void> {
  if (!existsSync(join(demo.root, "dist", "cli", "main.js"))) {
    process.stdout.write("building sealbridge (npm run build)…\n");
    await demo.run("npm", ["run", "-s", "build"], { show: false, timeoutMs: 300_000 });
  }
  await startServers(demo);
  controller = await startController(demo);
  await sealWithClusterKey(demo);
  await sealWithAge(demo, controller);
  await syncFromVault(demo);
  await reloadOnChange(demo);
  const receiver = await certificateAlert(demo);
  await acmeIssuance(demo, receiver);
  await vaultUnseal(demo);
  await doctorFindsFault(demo, controller);
  await leakCheck(demo, controller);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`\nThe demo passed: ${demo.steps} steps, every check green (${seconds} s).\n`);
}

let cleaned: Promise<void> | undefined;
/** Stops everything the demo started and removes its files, once. */
const cleanup = (): Promise<void> =>
  (cleaned ??= demo.stopAll().then(() => rmSync(demo.dir, { recursive: true, force: true })));

// Ctrl-C during the story stops everything (exit 1: not every step was verified).
const interrupt = (signal: NodeJS.Signals): void => {
  process.stderr.write(`\ninterrupted (${signal}) at step ${demo.steps}: stopping everything\n`);
  void cleanup().finally(() => process.exit(1));
};
process.on("SIGINT", interrupt);
process.on("SIGTERM", interrupt);
// Every wait has its own deadline; this one catches anything else that hangs.
const watchdog = setTimeout(() => {
  process.stderr.write(`\nthe demo did not finish within ${STORY_DEADLINE_MS / 60_000} minutes (at step ${demo.steps}): stopping everything\n`);
  void cleanup().finally(() => process.exit(1));
}, STORY_DEADLINE_MS);

let passed = false;
try {
  await story();
  passed = true;
} catch (err) {
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  if (controller?.log) process.stderr.write(`\n(last controller log lines)\n${controller.log.trim().split("\n").slice(-10).join("\n")}\n`);
  process.exitCode = 1;
}
clearTimeout(watchdog);
process.off("SIGINT", interrupt);
process.off("SIGTERM", interrupt);
if (keep) await keepRunning(demo, passed);
await cleanup();
