/**
 * `sealbridge certs issue`: a one-off ACME DNS-01 issuance to files (DIR/tls.crt with leaf and
 * chain, DIR/tls.key), a progress line per step. Registers under the `certs` group, creating it
 * when the `certs check` module has not (the lead wires both into one group).
 */
import type { Command } from "commander";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface IssueOptions {
  acmeDirectory: string;
  email?: string;
  domain: string[];
  dns: string;
  dnsOpt: string[];
  zone?: string;
  dnsResolver: string[];
  authoritativePort?: string;
  caFile?: string;
  accountKey?: string;
  out: string;
}

async function issue(opts: IssueOptions): Promise<void> {
  const [{ readFile, writeFile, mkdir, rename }, { join }, { setTimeout: sleep }, { systemClock }, { InputError }, dnsSetup, { issueCertificate }] = await Promise.all([
    import("node:fs/promises"),
    import("node:path"),
    import("node:timers/promises"),
    import("../clock.js"),
    import("../errors.js"),
    import("./dns-setup.js"),
    import("../acme/issue.js"),
  ]);
  if (opts.domain.length === 0) throw new InputError("no name to issue for: certs issue (pass -d NAME, once per name)");
  const { provider, lookup } = dnsSetup.providerAndLookup(opts, systemClock);
  const caPem = opts.caFile ? await readFile(opts.caFile, "utf8") : undefined;
  const accountKeyPem = opts.accountKey ? await readFile(opts.accountKey, "utf8").catch(() => undefined) : undefined;
  const issued = await issueCertificate({
    directoryUrl: opts.acmeDirectory,
    dnsNames: opts.domain,
    dns: provider,
    lookup,
    clock: systemClock,
    sleep: async (ms) => void (await sleep(ms)),
    progress: (line) => process.stdout.write(`${line}\n`),
    ...(opts.email ? { email: opts.email } : {}),
    ...(opts.zone ? { zone: opts.zone } : {}),
    ...(caPem ? { caPem } : {}),
    ...(accountKeyPem ? { accountKeyPem } : {}),
  });
  await mkdir(opts.out, { recursive: true });
  const put = async (name: string, text: string, mode: number) => {
    const tmp = join(opts.out, `.${name}.tmp-${process.pid}`);
    await writeFile(tmp, text, { mode });
    await rename(tmp, join(opts.out, name));
  };
  await put("tls.key", issued.keyPem, 0o600);
  await put("tls.crt", issued.chainPem, 0o644);
  if (opts.accountKey && !accountKeyPem) {
    await writeFile(`${opts.accountKey}.tmp-${process.pid}`, issued.accountKeyPem, { mode: 0o600 });
    await rename(`${opts.accountKey}.tmp-${process.pid}`, opts.accountKey);
    process.stdout.write(`wrote the new account key to ${opts.accountKey}\n`);
  }
  process.stdout.write(`wrote ${join(opts.out, "tls.crt")} and ${join(opts.out, "tls.key")}\n`);
}

/** Adds `issue` to the program's `certs` command (creating `certs` when absent). */
export function registerCertsIssue(certs: Command): void {
  certs
    .command("issue")
    .description("issue a certificate over ACME DNS-01 and write DIR/tls.crt (leaf + chain) and DIR/tls.key")
    .requiredOption("--acme-directory <url>", "ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory")
    .option("--email <address>", "account contact e-mail")
    .option("-d, --domain <name>", "a DNS name for the certificate (repeat for more)", collect, [])
    .requiredOption("--dns <provider>", "DNS provider: rfc2136, cloudflare or digitalocean")
    .option("--dns-opt <key=value>", "provider option with cert-manager's names (repeat): rfc2136 nameserver, tsigKeyName, tsigAlgorithm, tsigSecret; cloudflare apiToken; digitalocean token", collect, [])
    .option("--zone <zone>", "the DNS zone to write in (default: found by SOA)")
    .option("--dns-resolver <host:port>", "resolver for CNAMEs, zone and NS lookups (repeat; rfc2136 default: its nameserver)", collect, [])
    .option("--authoritative-port <port>", "port of the zone's authoritative servers (default 53; rfc2136: its nameserver's)")
    .option("--ca-file <pem>", "extra CA to trust for the ACME server (a private CA such as Pebble's)")
    .option("--account-key <file>", "account key PEM to use (created there when missing)")
    .requiredOption("--out <dir>", "directory for tls.crt and tls.key")
    .action(issue);
}

/** Registers `certs issue` on the program. */
export function register(program: Command): void {
  const certs = program.commands.find((c) => c.name() === "certs") ?? program.command("certs").description("certificates: issue over ACME DNS-01");
  registerCertsIssue(certs);
}
