/**
 * `sealbridge dns verify|rotate`: prove a DNS credential with a real DNS-01 round trip (exit 1
 * with the provider's answer when it fails), and rotate a Cloudflare token, storing the new value
 * in its source (a file, a Secret key, or a DnsCredential's Secret or Vault source) once it is
 * proven (src/cli/dns-rotate.ts).
 */
import type { Command } from "commander";
import type { RotateOptions } from "./dns-rotate.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

interface VerifyOptions {
  dns: string;
  zone: string;
  dnsOpt: string[];
  dnsResolver: string[];
  authoritativePort?: string;
}

async function verify(opts: VerifyOptions): Promise<void> {
  const [{ setTimeout: sleep }, { systemClock }, { RemoteError }, { providerAndLookup }, { probeCredential }] = await Promise.all([
    import("node:timers/promises"),
    import("../clock.js"),
    import("../errors.js"),
    import("./dns-setup.js"),
    import("../acme/dns/probe.js"),
  ]);
  const { provider, lookup } = providerAndLookup(opts, systemClock);
  const result = await probeCredential(provider, opts.zone.replace(/\.$/, ""), lookup, { sleep: async (ms) => void (await sleep(ms)), timeoutMs: 60_000 });
  for (const step of result.steps) process.stdout.write(`${step}\n`);
  if (!result.ok) throw new RemoteError(`DNS credential failed (${result.answer}): ${result.message}`, { code: "DnsCredentialFailed" });
  process.stdout.write(`credential works: ${provider.describe} can publish DNS-01 records in ${opts.zone}\n`);
}

async function rotate(opts: RotateOptions): Promise<void> {
  const { rotateCommand } = await import("./dns-rotate.js");
  await rotateCommand(opts, (line) => void process.stdout.write(`${line}\n`));
}

/** Registers `dns verify` and `dns rotate`. */
export function register(program: Command): void {
  const dns = program.command("dns").description("DNS credentials: prove them with a DNS-01 round trip, rotate Cloudflare tokens");
  const common = (cmd: Command) =>
    cmd
      .requiredOption("--dns <provider>", "DNS provider: rfc2136, cloudflare or digitalocean")
      .requiredOption("--zone <zone>", "the zone to write the probe record in")
      .option("--dns-opt <key=value>", "provider option with cert-manager's names (repeat)", collect, [])
      .option("--dns-resolver <host:port>", "resolver for zone and NS lookups (repeat)", collect, [])
      .option("--authoritative-port <port>", "port of the zone's authoritative servers (default 53; rfc2136: its nameserver's)");
  common(dns.command("verify").description("create a probe TXT record, read it back from every authoritative server, delete it; exit 1 with the provider's answer on failure")).action(verify);
  common(dns.command("rotate").description("rotate a Cloudflare API token: create a new one with the same policies, prove it, store it in the source, then delete the old one"))
    .option("--dns-credential <namespace/name>", "the DnsCredential whose source (a Secret, or Vault KV through its SecretStore) holds the token")
    .option("--source-secret <namespace/name>", "Kubernetes Secret holding the token (through the kubeconfig)")
    .option("--source-key <key>", "key of the token in that Secret", "api-token")
    .option("--source-file <path>", "file holding the token")
    .option("--vault-address <url>", "reach the store's Vault here instead of its spec.provider.vault.server (e.g. a port-forward)")
    .option("--admin-token-file <path>", "file with a token allowed to manage API tokens (default: the rotated token itself)")
    .option("--kubeconfig <path>", "kubeconfig file")
    .action(rotate);
}
