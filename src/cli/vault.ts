/**
 * `sealbridge vault init|unseal|status`: Vault's seal lifecycle with age-encrypted shares. The
 * nodes are `--address URL` (repeatable; default BAO_ADDR/VAULT_ADDR), or the pods behind
 * `--selector`/`--service` reached through the API server's pod proxy with the kubeconfig. The
 * environment is read here only; the logic is in src/vault/.
 */
import type { Command } from "commander";
import type { SealEndpoint } from "../vault/sys-api.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface NodeFlags {
  address: string[];
  caCert?: string;
  tlsSkipVerify?: boolean;
  selector?: string;
  service?: string;
  namespace?: string;
  port: string;
  scheme: string;
  kubeconfig?: string;
}

interface InitFlags extends NodeFlags {
  shares: string;
  threshold: string;
  recipient: string[];
  recipientsFile: string[];
  rootRecipient: string[];
  out: string;
}

interface UnsealFlags extends NodeFlags {
  share?: string;
  identity: string[];
  reset?: boolean;
}

interface StatusFlags extends NodeFlags {
  output: string;
}

function nodeOptions(cmd: Command): Command {
  return cmd
    .option("--address <url>", "a Vault node's address (repeatable; default BAO_ADDR, VAULT_ADDR, https://127.0.0.1:8200)", collect, [])
    .option("--ca-cert <file>", "PEM CA bundle for https nodes (default BAO_CACERT / VAULT_CACERT)")
    .option("--tls-skip-verify", "do not verify the nodes' certificates (default BAO_SKIP_VERIFY / VAULT_SKIP_VERIFY)")
    .option("--selector <labels>", "the Vault pods' label selector, reached through the API server's pod proxy")
    .option("--service <name>", "the Vault Service whose pods to reach through the API server's pod proxy")
    .option("-n, --namespace <ns>", "namespace of the pods (default: the kubeconfig context's, else default)")
    .option("--port <port>", "Vault's port in the pods", "8200")
    .option("--scheme <scheme>", "http or https inside the pods", "http")
    .option("--kubeconfig <file>", "kubeconfig for --selector/--service (default: KUBECONFIG or ~/.kube/config)");
}

/** The node endpoints and a close function for whatever connection was opened. */
async function endpointsFor(flags: NodeFlags): Promise<{ endpoints: SealEndpoint[]; close: () => void }> {
  const { InputError } = await import("../errors.js");
  if (flags.selector !== undefined || flags.service !== undefined) {
    if (flags.address.length > 0) throw new InputError("--address with --selector/--service: vault (pass either addresses or a pod selection)");
    if (flags.selector !== undefined && flags.service !== undefined) throw new InputError("--selector with --service: vault (pass one of them)");
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InputError(`invalid --port ${flags.port}: vault (pass a port number)`);
    if (flags.scheme !== "http" && flags.scheme !== "https") throw new InputError(`invalid --scheme ${flags.scheme}: vault (pass http or https)`);
    const [{ loadKubeConnection }, { HttpKubeClient }, { podProxyEndpoints }, { VERSION }] = await Promise.all([
      import("../kube/config.js"),
      import("../kube/client.js"),
      import("../vault/pod-endpoints.js"),
      import("../version.js"),
    ]);
    const connection = await loadKubeConnection({ kubeconfig: flags.kubeconfig, env: process.env });
    const close = (): void => connection.agent.destroy();
    try {
      const kube = new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` });
      const endpoints = await podProxyEndpoints(kube, connection, {
        namespace: flags.namespace ?? connection.namespace ?? "default",
        ...(flags.selector !== undefined ? { selector: flags.selector } : {}),
        ...(flags.service !== undefined ? { service: flags.service } : {}),
        port,
        scheme: flags.scheme,
      });
      return { endpoints, close };
    } catch (err) {
      close();
      throw err;
    }
  }
  const [{ resolveVaultConnection }, { readFile }] = await Promise.all([import("../vault/cli-connection.js"), import("node:fs/promises")]);
  const settings = resolveVaultConnection(
    { address: flags.address, ...(flags.caCert !== undefined ? { caCert: flags.caCert } : {}), ...(flags.tlsSkipVerify ? { tlsSkipVerify: true } : {}) },
    process.env,
  );
  let caPem: string | undefined;
  if (settings.caCertPath !== undefined) {
    try {
      caPem = await readFile(settings.caCertPath, "utf8");
    } catch (err) {
      throw new InputError(`cannot read the CA file: ${settings.caCertPath} (check --ca-cert / VAULT_CACERT)`, { cause: err });
    }
  }
  const endpoints = settings.addresses.map((addr) => ({
    label: addr,
    baseUrl: addr,
    ...(caPem !== undefined ? { caPem } : {}),
    ...(settings.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
  }));
  return { endpoints, close: () => undefined };
}

async function apisFor(flags: NodeFlags) {
  const [{ VaultSysApi }, { endpoints, close }] = await Promise.all([import("../vault/sys-api.js"), endpointsFor(flags)]);
  return { apis: endpoints.map((e) => new VaultSysApi(e)), close };
}

async function runInit(flags: InitFlags): Promise<void> {
  const [{ initVault }, { readRecipientsFile }] = await Promise.all([import("../vault/init.js"), import("../crypto/age-keys.js")]);
  const recipients = [...flags.recipient];
  for (const file of flags.recipientsFile) recipients.push(...(await readRecipientsFile(file)));
  const { apis, close } = await apisFor(flags);
  try {
    const api = apis[0];
    if (api === undefined) return;
    const result = await initVault(api, {
      shares: Number(flags.shares),
      threshold: Number(flags.threshold),
      recipients,
      rootRecipients: flags.rootRecipient,
      outDir: flags.out,
    });
    process.stdout.write(`${api.label}: initialized with ${result.shares} share(s), threshold ${result.threshold}; Vault is sealed\n`);
    for (const f of result.shareFiles) process.stdout.write(`wrote ${f}\n`);
    process.stdout.write(`wrote ${result.rootTokenFile}\n`);
    process.stdout.write(`next: ${result.threshold} holder(s) each run sealbridge vault unseal --share share-N.age -i THEIR_IDENTITY\n`);
  } finally {
    close();
  }
}

async function runUnseal(flags: UnsealFlags): Promise<void> {
  const [{ unsealNodes, resetNodes, describeOutcome }, { readShareFile }, { readIdentityFile }, { InputError }] = await Promise.all([
    import("../vault/unseal.js"),
    import("../vault/unseal-share.js"),
    import("../crypto/age-keys.js"),
    import("../errors.js"),
  ]);
  let key: string | undefined;
  if (!flags.reset) {
    if (flags.share === undefined) throw new InputError("no share: vault unseal (pass --share FILE and -i IDENTITY, or --reset)");
    if (flags.identity.length === 0) throw new InputError("no age identity: vault unseal (pass -i IDENTITY_FILE holding the identity the share was encrypted to)");
    const identities: string[] = [];
    for (const path of flags.identity) identities.push(...(await readIdentityFile(path)));
    key = await readShareFile(flags.share, identities);
  }
  const { apis, close } = await apisFor(flags);
  try {
    const settle = { attempts: 40, delayMs: 250, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const outcomes = key === undefined ? await resetNodes(apis) : await unsealNodes(apis, key, settle);
    for (const o of outcomes) {
      if (o.kind === "failed") process.stderr.write(`error: ${describeOutcome(o)}\n`);
      else process.stdout.write(`${describeOutcome(o)}\n`);
    }
    if (outcomes.some((o) => o.kind === "failed")) process.exitCode = 1;
  } finally {
    close();
  }
}

async function runStatus(flags: StatusFlags): Promise<void> {
  const [{ readNodeStates, renderStatusTable, statusExitCode }, { InputError }] = await Promise.all([import("../vault/seal-status.js"), import("../errors.js")]);
  if (flags.output !== "table" && flags.output !== "json") throw new InputError(`invalid -o ${flags.output}: vault status (pass json or table)`);
  const { apis, close } = await apisFor(flags);
  try {
    const states = await readNodeStates(apis);
    process.stdout.write(flags.output === "json" ? `${JSON.stringify({ nodes: states }, null, 2)}\n` : renderStatusTable(states));
    process.exitCode = statusExitCode(states);
  } finally {
    close();
  }
}

/** Registers `vault init`, `vault unseal` and `vault status`. */
export function register(program: Command): void {
  const vault = program.command("vault").description("Initialise Vault with age-encrypted unseal shares, unseal every node, show seal status.");
  nodeOptions(
    vault
      .command("init")
      .description("Initialise Vault (Shamir seal) and write share i age-encrypted to recipient i; nothing secret is printed.")
      .requiredOption("--shares <n>", "number of unseal shares")
      .requiredOption("--threshold <t>", "shares needed to unseal")
      .option("--recipient <age1…>", "the age recipient of the next share, in share order (repeatable)", collect, [])
      .option("--recipients-file <file>", "file of age recipients, one per share in order (repeatable)", collect, [])
      .option("--root-recipient <age1…>", "age recipient of root-token.age (repeatable; default: every share recipient)", collect, [])
      .requiredOption("--out <dir>", "directory for share-N.age and root-token.age (must not hold shares yet)"),
  ).action((flags: InitFlags) => runInit(flags));
  nodeOptions(
    vault
      .command("unseal")
      .description("Decrypt one share and submit it to every node; prints k/T progress per node.")
      .option("--share <file>", "your share file (share-N.age)")
      .option("-i, --identity <file>", "age identity file that opens the share (repeatable)", collect, [])
      .option("--reset", "abort the unseal in progress on every node instead"),
  ).action((flags: UnsealFlags) => runUnseal(flags));
  nodeOptions(
    vault
      .command("status")
      .description("Seal state of every node: initialised, sealed, progress, version, HA mode, leader.")
      .option("-o, --output <format>", "table or json", "table")
      .addHelpText("after", "\nExit status: 0 every node unsealed, 1 any node sealed, 2 any node unreachable."),
  ).action((flags: StatusFlags) => runStatus(flags));
}
