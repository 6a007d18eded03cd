/**
 * `sealbridge dns verify|rotate`: prove a DNS credential with a real DNS-01 round trip (exit 1
 * with the provider's answer when it fails), and roll a Cloudflare token, storing the new value
 * in its source (a Kubernetes Secret key through the kubeconfig, or a file) once it is proven.
 */
import type { Command } from "commander";

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

interface RotateOptions extends VerifyOptions {
  sourceSecret?: string;
  sourceKey: string;
  sourceFile?: string;
  kubeconfig?: string;
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
  const [{ setTimeout: sleep }, { writeFile, rename }, { systemClock }, { InputError }, { providerAndLookup }, { parseKeyValues }, { rotateCloudflareToken }] = await Promise.all([
    import("node:timers/promises"),
    import("node:fs/promises"),
    import("../clock.js"),
    import("../errors.js"),
    import("./dns-setup.js"),
    import("../acme/dns/provider-options.js"),
    import("../acme/dns/token-rotation.js"),
  ]);
  if (opts.dns !== "cloudflare") throw new InputError(`dns rotate supports --dns cloudflare only (got ${opts.dns}; rotate other credentials at the provider, then \`dns verify\`)`);
  if (!opts.sourceSecret === !opts.sourceFile) throw new InputError("dns rotate needs exactly one source: --source-secret NAMESPACE/NAME (with --source-key) or --source-file PATH");
  const { lookup } = providerAndLookup(opts, systemClock);
  const options = parseKeyValues(opts.dnsOpt, "--dns-opt");
  const store = opts.sourceFile
    ? async (token: string) => {
        const tmp = `${opts.sourceFile}.tmp-${process.pid}`;
        await writeFile(tmp, `${token}\n`, { mode: 0o600 });
        await rename(tmp, opts.sourceFile as string);
      }
    : await secretStore(opts);
  const report = await rotateCloudflareToken(
    { apiToken: options["apiToken"] ?? "", ...(options["apiUrl"] ? { apiUrl: options["apiUrl"] } : {}) },
    opts.zone.replace(/\.$/, ""),
    lookup,
    { sleep: async (ms) => void (await sleep(ms)), timeoutMs: 60_000 },
    store,
  );
  for (const step of report.steps) process.stdout.write(`${step}\n`);
  process.stdout.write(`token ${report.tokenId} rotated${report.expiresOn ? `, expires ${report.expiresOn.toISOString()}` : ""}\n`);
}

async function secretStore(opts: RotateOptions): Promise<(token: string) => Promise<void>> {
  const [{ loadKubeConnection }, { HttpKubeClient }, { SECRETS }, { VERSION }, { InputError }] = await Promise.all([
    import("../kube/config.js"),
    import("../kube/client.js"),
    import("../kube/resources.js"),
    import("../version.js"),
    import("../errors.js"),
  ]);
  const [namespace, name, extra] = (opts.sourceSecret ?? "").split("/");
  if (!namespace || !name || extra !== undefined) throw new InputError(`invalid --source-secret "${opts.sourceSecret}" (use NAMESPACE/NAME)`);
  const connection = await loadKubeConnection({ kubeconfig: opts.kubeconfig, env: process.env });
  const kube = new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` });
  return async (token) => {
    try {
      await kube.mergePatch(SECRETS, namespace, name, { data: { [opts.sourceKey]: Buffer.from(token).toString("base64") } });
    } finally {
      connection.agent.destroy();
    }
  };
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
  common(dns.command("rotate").description("roll a Cloudflare API token, prove the new one, store it in the source"))
    .option("--source-secret <namespace/name>", "Kubernetes Secret holding the token (through the kubeconfig)")
    .option("--source-key <key>", "key of the token in that Secret", "api-token")
    .option("--source-file <path>", "file holding the token")
    .option("--kubeconfig <path>", "kubeconfig file")
    .action(rotate);
}
