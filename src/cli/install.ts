/**
 * `sealbridge install` and `sealbridge uninstall`: the controller's manifests
 * (src/install/manifests.ts) printed for a GitOps repository (`--export`, the `flux install
 * --export` convention) or server-side applied through the kubeconfig; uninstall removes what
 * install applied and says what it kept. See docs/install.md.
 */
import type { Command } from "commander";
import { cliKubeClient } from "./kube-client.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(",").map((v) => v.trim()).filter((v) => v !== "")];
}

interface InstallFlags {
  export?: boolean;
  namespace: string;
  image?: string;
  features?: string[];
  withCompatCrds?: boolean;
  serviceName: string;
  prometheus?: boolean;
  kubeconfig?: string;
  context?: string;
}

interface UninstallFlags {
  namespace: string;
  deleteCrds?: boolean;
  kubeconfig?: string;
  context?: string;
}

async function install(flags: InstallFlags): Promise<void> {
  const { installObjects, installYaml } = await import("../install/manifests.js");
  const options = {
    namespace: flags.namespace,
    serviceName: flags.serviceName,
    withCompatCrds: flags.withCompatCrds === true,
    prometheus: flags.prometheus === true,
    ...(flags.image !== undefined ? { image: flags.image } : {}),
    ...(flags.features !== undefined ? { features: flags.features } : {}),
  };
  if (flags.export === true) {
    if (flags.kubeconfig !== undefined || flags.context !== undefined) {
      const { InputError } = await import("../errors.js");
      throw new InputError("--kubeconfig/--context with --export: install --export talks to no cluster (leave them out, or drop --export to apply)", { code: "InvalidFlags" });
    }
    process.stdout.write(installYaml(options));
    return;
  }
  const objects = installObjects(options);
  const { applyObjects } = await import("../install/apply.js");
  const { kube, close } = await cliKubeClient(flags);
  try {
    for (const r of await applyObjects(kube, objects)) process.stdout.write(`${r.object} ${r.action}\n`);
  } finally {
    close();
  }
}

async function uninstall(flags: UninstallFlags): Promise<void> {
  const { uninstallObjects } = await import("../install/apply.js");
  const { kube, close } = await cliKubeClient(flags);
  try {
    const results = await uninstallObjects(kube, { namespace: flags.namespace, deleteCrds: flags.deleteCrds === true });
    for (const r of results) process.stdout.write(`${r.object} ${r.action}${r.note ? ` (${r.note})` : ""}\n`);
    if (results.length === 0) process.stdout.write(`nothing to uninstall: no object applied by sealbridge install in namespace ${flags.namespace} or cluster-wide\n`);
    process.stdout.write("kept: SealedSecrets, AgeSecrets, ExternalSecrets and the other custom resources, the Secrets they made, the sealing key Secrets, age identities and the key backup ConfigMap\n");
  } finally {
    close();
  }
}

/** Registers `install` and `uninstall`. */
export function register(program: Command): void {
  program
    .command("install")
    .description("Install the controller: print its manifests for a GitOps repository (--export) or server-side apply them.")
    .option("--export", "print the manifests (a multi-document YAML stream) instead of applying them")
    .option("-n, --namespace <ns>", "the controller's namespace", "sealbridge")
    .option("--image <ref>", "controller image (default ghcr.io/sealbridge/sealbridge:<version>)")
    .option("--features <list>", "features, comma-separated or repeated: core (always), sealing, age, vault-sync, certs, acme, unseal (default: all)", collect)
    .option("--with-compat-crds", "also install the bitnami.com SealedSecret and external-secrets.io CRDs of the enabled features (leave out while sealed-secrets or ESO own them)")
    .option("--service-name <name>", "name of the Service kubeseal reaches (kubeseal --controller-name; drop-in: sealed-secrets-controller with -n kube-system)", "sealbridge")
    .option("--prometheus", "add a ServiceMonitor and the PrometheusRule (needs the Prometheus Operator CRDs)")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .action(async (flags: InstallFlags) => install(flags));
  program
    .command("uninstall")
    .description("Remove what sealbridge install applied; keeps the namespace, the CRDs (unless --delete-crds), users' objects and keys.")
    .option("-n, --namespace <ns>", "the controller's namespace", "sealbridge")
    .option("--delete-crds", "also delete the CRDs install applied: this DELETES EVERY OBJECT of those kinds (SealedSecrets, AgeSecrets, ExternalSecrets…)")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .action(async (flags: UninstallFlags) => uninstall(flags));
}
