/**
 * `sealbridge certs …`: certificate commands. `certs check` checks certificates in Secrets,
 * cert-manager Certificates, endpoints and files, prints a table (or JSON/YAML) and exits
 * 0 all fine, 1 warning, 2 critical or invalid, for cron jobs and CI.
 */
import type { Command } from "commander";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Registers `certs` and `certs check`. */
export function register(program: Command): void {
  const certs = program.command("certs").description("check certificates (expiry, renewal, chain, hostname)");
  certs
    .command("check")
    .description("check certificates in Secrets, cert-manager Certificates, TLS endpoints and files")
    .option("--secret <ns/name>", "a Secret to check (repeatable)", collect, [])
    .option("--key <key>", "PEM key(s) in the Secrets to check (repeatable; default tls.crt)", collect, [])
    .option("--all-secrets", "every kubernetes.io/tls Secret the kubeconfig can list")
    .option("--cert-manager", "every cert-manager.io/v1 Certificate (read only) and its Secret")
    .option("--endpoint <host:port>", "a TLS endpoint to connect to (repeatable)", collect, [])
    .option("--server-name <name>", "SNI name for --endpoint (default: the host)")
    .option("--file <cert.pem>", "a PEM file (repeatable)", collect, [])
    .option("--ca-file <bundle.pem>", "trust bundle for chains (default: the Secret's ca.crt, or system roots for endpoints)")
    .option("--renew-before <limit>", "renewal due when this much is left: a fraction (1/3) or a duration (30d)", "1/3")
    .option("--warn <limit>", "warning when this much is left and no renewal happened: fraction or duration", "1/3")
    .option("--critical <limit>", "critical when this much is left: fraction or duration", "1/10")
    .option("--kubeconfig <file>", "kubeconfig (default: KUBECONFIG or ~/.kube/config)")
    .option("-o, --output <format>", "table, json or yaml", "table")
    .addHelpText(
      "after",
      "\nStates: Valid, RenewalDue, RenewalOverdue, Expiring, Expired, Invalid.\n" +
        "Thresholds are fractions of each certificate's own lifetime unless given as durations.\n" +
        "Exit status: 0 all fine, 1 a warning, 2 critical, expired or invalid (3 when the check could not run).",
    )
    .action(async (raw: Record<string, unknown>) => {
      const { runCertsCheck } = await import("../certs/check-cli.js");
      process.exitCode = await runCertsCheck(raw, process.stdout, process.env);
    });
}
