/**
 * `sealbridge doctor`: walks the chain from the kubeconfig to the Vault nodes and names the first
 * broken link with its fix. The checks live in src/doctor/ and are imported only when it runs.
 */
import { CommanderError, type Command } from "commander";

/** Registers the `doctor` command. */
export function register(program: Command): void {
  program
    .command("doctor")
    .description("Check the chain sealbridge needs (cluster, CRDs, controller, its Service, stores, DNS credentials, certificates, Vault) and name the first broken link with its fix.")
    .option("-o, --output <format>", "text or json", "text")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster)")
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option("-n, --namespace <ns>", "the controller's namespace", "sealbridge")
    .option("--service-name <name>", "the Service of the controller's HTTP API (kubeseal's --controller-name)", "sealbridge")
    .option("--lease-name <name>", "the controller's leader-election Lease", "sealbridge-controller")
    .option("--no-vault-probe", "do not ask each store's Vault for /v1/sys/health from this machine (judge by the controller's status only)")
    .option("--timeout <duration>", "per-request timeout", "10s")
    .addHelpText(
      "after",
      "\nExit status: 0 no broken link (warnings allowed), 1 a broken link (printed first, with its fix), 2 a usage error.\n" +
        "Prints names, reasons and the controller's status messages, never a Secret's value. See docs/doctor.md.",
    )
    .exitOverride((err) => {
      // Usage errors exit 2 (commander's are 1); help and version stay 0.
      throw err.exitCode === 1 ? new CommanderError(2, err.code, err.message) : err;
    })
    .action(async (raw: Record<string, unknown>) => {
      const [{ parseDoctorOptions }, { runDoctor }, { systemClock }] = await Promise.all([import("../doctor/doctor-options.js"), import("../doctor/run-doctor.js"), import("../clock.js")]);
      const options = parseDoctorOptions(raw);
      process.exitCode = await runDoctor(options, process.stdout, process.env, systemClock);
    });
}
