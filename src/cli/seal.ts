/**
 * `sealbridge seal`, `sealbridge unseal` and `sealbridge reseal`: flag names follow kubeseal
 * where the feature is the same. Only commander is loaded here; the sealing code is imported
 * when a command runs (and the Kubernetes client only when the controller must be reached).
 */
import type { Command } from "commander";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function io() {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

function addControllerOptions(command: Command): Command {
  return command
    .option("--cert <file|url>", "certificate to seal with (file or http(s) URL); default: fetched from the controller (env SEALED_SECRETS_CERT)")
    .option("--controller-namespace <ns>", "namespace of the controller (default \"sealbridge\"; env SEALED_SECRETS_CONTROLLER_NAMESPACE)")
    .option("--controller-name <name>", "Service name of the controller (default \"sealbridge\"; env SEALED_SECRETS_CONTROLLER_NAME)")
    .option("--kubeconfig <file>", "kubeconfig to reach the controller (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("--no-config", "ignore .sealbridge.yaml");
}

/** Registers `seal`, `unseal` and `reseal`. */
export function register(program: Command): void {
  addControllerOptions(
    program
      .command("seal")
      .description("seal Secret manifests into SealedSecrets (kubeseal-compatible) or AgeSecrets (--age)")
      .option("-f, --secret-file <file>", "input file or directory (repeatable; default: stdin)", collect)
      .option("-w, --sealed-secret-file [file]", "write to FILE; without FILE, seal every -f file in place (atomically, all or nothing)")
      .option("-o, --format <format>", "output format: json (default) or yaml; a -w file ending .yaml/.yml gives yaml")
      .option("--scope <scope>", "strict (default), namespace-wide or cluster-wide")
      .option("--name <name>", "name of the Secret (overrides metadata.name; for --raw)")
      .option("-n, --namespace <ns>", "namespace of the Secret (overrides metadata.namespace; for --raw)")
      .option("--allow-empty-data", "allow a Secret with no data")
      .option("--raw", "seal one value (from --from-file or stdin) and print its base64 ciphertext")
      .option("--from-file <[key=]file>", "with --raw: the file holding the value")
      .option("--merge-into <file>", "seal the input Secret's items and merge them into this SealedSecret file in place")
      .option("--recovery-unseal", "decrypt SealedSecrets offline with --recovery-private-key (disaster recovery)")
      .option("--recovery-private-key <file>", "private key PEM or key Secret backup (repeatable or comma-separated)", collect)
      .option("--re-encrypt", "re-encrypt SealedSecrets to the newest key (controller /v1/rotate, or offline with --recovery-private-key)")
      .option("--rotate", "deprecated alias of --re-encrypt")
      .option("--validate", "ask the controller whether it can decrypt the SealedSecret")
      .option("--fetch-cert", "print the sealing certificate and exit")
      .option("--age", "produce a sealbridge.io/v1alpha1 AgeSecret instead")
      .option("--recipient <age1…>", "age recipient (repeatable; implies --age)", collect)
      .option("--recipients-file <file>", "file of age recipients (repeatable; implies --age)", collect)
      .option("--cluster-recipient <age1…>", "the cluster's age recipient, given offline (implies --age; default: fetched from the controller's /v1/age-recipient)")
      .option("--no-cluster-recipient", "with --age: seal only to --recipient/--recipients-file, not to the cluster's recipient"),
  ).action(async (opts: Record<string, unknown>) => {
    const { runSeal } = await import("../seal/seal-command.js");
    const { rotate, ...rest } = opts;
    await runSeal({ ...rest, reEncrypt: rest["reEncrypt"] ?? rotate }, io());
  });

  addControllerOptions(
    program
      .command("unseal")
      .description("decrypt SealedSecrets (with --recovery-private-key) or AgeSecrets (with -i) offline into Secrets")
      .option("-f, --secret-file <file>", "input file or directory (repeatable; default: stdin)", collect)
      .option("-w, --output-file <file>", "write the Secrets to FILE instead of stdout")
      .option("-o, --format <format>", "output format: json (default) or yaml")
      .option("--recovery-private-key <file>", "private key PEM or key Secret backup (repeatable or comma-separated)", collect)
      .option("--age", "the input holds AgeSecrets (implied by -i)")
      .option("-i, --identity <file>", "age identity file (repeatable)", collect),
  ).action(async (opts: Record<string, unknown>) => {
    const { runSeal } = await import("../seal/seal-command.js");
    const { outputFile, age: _age, ...rest } = opts;
    await runSeal({ ...rest, sealedSecretFile: outputFile, recoveryUnseal: true }, io());
  });

  addControllerOptions(
    program
      .command("reseal")
      .description("re-encrypt every SealedSecret under the directories to the newest key (offline with --recovery-private-key, else through the controller)")
      .argument("<dirs...>", "directories (or files) holding SealedSecret manifests")
      .option("--recovery-private-key <file>", "private keys that open the current values (repeatable or comma-separated)", collect),
  ).action(async (dirs: string[], opts: Record<string, unknown>) => {
    const { runReseal } = await import("../seal/reseal-tree.js");
    await runReseal(dirs, opts, io());
  });
}
