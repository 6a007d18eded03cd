/**
 * `npm run -s testenv -- --dir DIR [--vault-mode dev|new] [--vault-nodes N] [--service NS/NAME=HOST:PORT]…`:
 * starts the Kubernetes and Vault test servers, writes DIR/kubeconfig, DIR/vault-nodes and DIR/env,
 * prints one line saying where the env file is, and runs until SIGTERM or SIGINT (then exits 0).
 * `--service` (repeatable) routes Service NS/NAME's API-server proxy to a local process, so a
 * `sealbridge controller` run on this machine answers `sealbridge seal` through the cluster.
 */
import { parseArgs } from "node:util";
import { parseServiceRoute, startTestEnv } from "./testenv.js";
import type { ServiceRoute } from "./testenv.js";
import { stopOnSignalOrOrphan } from "./stop-on-exit.js";

function usage(message: string): never {
  process.stderr.write(`error: ${message} (usage: npm run -s testenv -- --dir DIR [--vault-mode dev|new] [--vault-nodes N] [--service NS/NAME=HOST:PORT]…)\n`);
  process.exit(2);
}

let values: { dir?: string; "vault-mode"?: string; "vault-nodes"?: string; service?: string[] };
try {
  values = parseArgs({
    args: process.argv.slice(2),
    options: {
      dir: { type: "string" },
      "vault-mode": { type: "string", default: "dev" },
      "vault-nodes": { type: "string", default: "1" },
      service: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  }).values;
} catch (err) {
  usage((err as Error).message);
}
const mode = values["vault-mode"];
if (mode !== "dev" && mode !== "new") usage(`--vault-mode must be dev or new, got "${mode ?? ""}"`);
const nodes = Number(values["vault-nodes"]);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 16) usage("--vault-nodes must be an integer from 1 to 16");

let services: ServiceRoute[] = [];
try {
  services = (values.service ?? []).map(parseServiceRoute);
} catch (err) {
  usage((err as Error).message);
}

const env = await startTestEnv({ ...(values.dir !== undefined ? { dir: values.dir } : {}), vaultMode: mode, vaultNodes: nodes, services });
process.stdout.write(`testenv: ready; source ${env.envFile}\n`);

stopOnSignalOrOrphan(() => env.stop());
