/**
 * `npm run -s realstack -- --dir DIR [--no-controller-manager]`: builds what is missing (one
 * progress line per step), starts etcd, kube-apiserver, kube-controller-manager and an OpenBao dev
 * server on free loopback ports, writes DIR/kubeconfig, DIR/vault-nodes and DIR/env exactly as
 * `npm run -s testenv` does, prints one line saying where the env file is, and runs until SIGTERM
 * or SIGINT (then stops everything and exits 0).
 */
import { parseArgs } from "node:util";
import { ensureRealstack } from "./build.js";
import { startRealStack } from "./stack.js";
import { stopOnSignalOrOrphan } from "../stop-on-exit.js";

function usage(message: string): never {
  process.stderr.write(`error: ${message} (usage: npm run -s realstack -- --dir DIR [--no-controller-manager])\n`);
  process.exit(2);
}

let values: { dir?: string; "no-controller-manager"?: boolean };
try {
  values = parseArgs({
    args: process.argv.slice(2),
    options: { dir: { type: "string" }, "no-controller-manager": { type: "boolean", default: false } },
    strict: true,
  }).values;
} catch (err) {
  usage((err as Error).message);
}

try {
  await ensureRealstack();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
let stack: Awaited<ReturnType<typeof startRealStack>>;
try {
  stack = await startRealStack({ ...(values.dir !== undefined ? { dir: values.dir } : {}), controllerManager: values["no-controller-manager"] !== true });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(`realstack: ready; source ${stack.envFile}\n`);

stopOnSignalOrOrphan(() => stack.stop());
