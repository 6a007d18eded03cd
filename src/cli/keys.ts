/**
 * `sealbridge keys backup|restore`: key custody by hand. `backup` reads the controller's key
 * Secrets through the kubeconfig and writes the same age-encrypted ConfigMap the controller keeps
 * (`--key-backup-recipient`), safe to commit; `restore` opens such a file with an age identity
 * and creates the key Secrets in a (new) cluster's controller namespace.
 */
import type { Command } from "commander";
import { cliKubeClient } from "./kube-client.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface BackupOptions {
  recipient: string[];
  recipientsFile: string[];
  output?: string;
  kubeconfig?: string;
  context?: string;
  namespace: string;
  configmap: string;
}

interface RestoreOptions {
  identity: string[];
  kubeconfig?: string;
  context?: string;
  namespace: string;
}

async function backup(opts: BackupOptions): Promise<void> {
  const [{ parseRecipient, readRecipientsFile }, { exportKeyBackup }, { stringify }, { targetProblem, writeFilesAtomically }, { InputError }] = await Promise.all([
    import("../crypto/age-keys.js"),
    import("../controller/keys/key-custody.js"),
    import("yaml"),
    import("../seal/file-batch.js"),
    import("../errors.js"),
  ]);
  const recipients = opts.recipient.map((r, i) => parseRecipient(r, `--recipient #${i + 1}`));
  for (const file of opts.recipientsFile) recipients.push(...(await readRecipientsFile(file)));
  if (recipients.length === 0) {
    throw new InputError("no backup recipient: keys backup (pass --recipient age1… or --recipients-file FILE: the holder of the matching identity can restore)");
  }
  // A directory, a symbolic link or a read-only file is refused before the cluster is asked.
  const problem = opts.output === undefined ? undefined : targetProblem(opts.output);
  if (problem) throw problem;
  const { kube, close } = await cliKubeClient(opts);
  try {
    const configMap = await exportKeyBackup(kube, opts.namespace, opts.configmap, recipients);
    const keys = (JSON.parse((configMap["data"] as Record<string, string>)["manifest.json"] ?? "{}") as { sealingKeys?: unknown[] }).sealingKeys ?? [];
    if (keys.length === 0) {
      throw new InputError(`no sealing key found: namespace ${opts.namespace} (pass the controller's namespace with -n; sealed-secrets uses kube-system)`);
    }
    const text = `${stringify(configMap)}`;
    if (opts.output) {
      // Temp file and rename, removed on any failure: never a half-written backup.
      await writeFilesAtomically([{ path: opts.output, text, mode: 0o644 }]);
      process.stderr.write(`wrote the backup of ${keys.length} sealing key(s) to ${opts.output}\n`);
    } else {
      process.stdout.write(text);
    }
  } finally {
    close();
  }
}

async function restore(file: string, opts: RestoreOptions): Promise<void> {
  const [{ readIdentityFile }, { decryptKeyBackup }, { restoreKeyBackup }, { parse }, { readFile }, { InputError }] = await Promise.all([
    import("../crypto/age-keys.js"),
    import("../controller/keys/key-backup.js"),
    import("../controller/keys/key-custody.js"),
    import("yaml"),
    import("node:fs/promises"),
    import("../errors.js"),
  ]);
  if (opts.identity.length === 0) throw new InputError("no age identity: keys restore (pass -i IDENTITY_FILE holding the backup recipient's identity)");
  const identities: string[] = [];
  for (const path of opts.identity) identities.push(...(await readIdentityFile(path)));
  let doc: unknown;
  try {
    doc = parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new InputError(`reading the key backup failed: ${file} (pass the ConfigMap YAML written by sealbridge keys backup or the controller)`, { cause: err });
  }
  const backup = await decryptKeyBackup(doc, identities, file);
  const { kube, close } = await cliKubeClient(opts);
  try {
    const result = await restoreKeyBackup(kube, opts.namespace, backup);
    for (const name of result.created) process.stdout.write(`created secret ${opts.namespace}/${name}\n`);
    for (const name of result.skipped) process.stdout.write(`exists, left as is: secret ${opts.namespace}/${name}\n`);
  } finally {
    close();
  }
}

/** Registers `keys backup` and `keys restore`. */
export function register(program: Command): void {
  const keys = program.command("keys").description("Back up and restore the controller's private keys (age-encrypted).");
  keys
    .command("backup")
    .description("Write the controller's sealing keys and age identity, age-encrypted, as a ConfigMap manifest (safe to commit).")
    .option("--recipient <age1…>", "age recipient that can restore the backup (repeatable)", collect, [])
    .option("--recipients-file <file>", "file of age recipients (repeatable)", collect, [])
    .option("-o, --output <file>", "write to FILE (default: stdout)")
    .option("--kubeconfig <file>", "kubeconfig (default: KUBECONFIG, else ~/.kube/config, else in-cluster)")
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option("-n, --namespace <ns>", "the controller's namespace, where its key Secrets are", "sealbridge")
    .option("--configmap <name>", "name of the ConfigMap in the output", "sealbridge-key-backup")
    .action((opts: BackupOptions) => backup(opts));
  keys
    .command("restore")
    .description("Create the key Secrets of a backup in the controller's namespace (existing ones are left alone).")
    .argument("<file>", "the backup ConfigMap YAML (from keys backup or the controller's ConfigMap)")
    .option("-i, --identity <file>", "age identity file of a backup recipient (repeatable)", collect, [])
    .option("--kubeconfig <file>", "kubeconfig (default: KUBECONFIG, else ~/.kube/config, else in-cluster)")
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option("-n, --namespace <ns>", "the controller's namespace to restore into", "sealbridge")
    .action((file: string, opts: RestoreOptions) => restore(file, opts));
}
