/**
 * `sealbridge dns rotate`: rotate a Cloudflare API token and store the new value in its source —
 * a file, a Kubernetes Secret key, or the `source` of a DnsCredential (a Secret, or a Vault KV key
 * through its SecretStore/ClusterSecretStore, with the store's auth). The current token comes
 * from `--dns-opt apiToken=…` or, without it, from the source itself. The new token is proven
 * before it is stored, and the old one is deleted only after that (src/acme/dns/token-rotation.ts).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { rotateCloudflareToken } from "../acme/dns/token-rotation.js";
import { parseKeyValues } from "../acme/dns/provider-options.js";
import { dnsCredentialResource, dnsCredentialSchema } from "../api/dns-credential.js";
import { systemClock } from "../clock.js";
import { credentialSourceAccess, type CredentialSourceAccess } from "../controller/dns-credential/credential-source.js";
import { InputError } from "../errors.js";
import { SECRETS } from "../kube/resources.js";
import type { KubeClient } from "../kube/types.js";
import { lookupFromFlags } from "./dns-setup.js";
import { cliKubeClient } from "./kube-client.js";

/** The flags of `dns rotate`. */
export interface RotateOptions {
  dns: string;
  zone: string;
  dnsOpt: string[];
  dnsResolver: string[];
  authoritativePort?: string;
  sourceSecret?: string;
  sourceKey: string;
  sourceFile?: string;
  dnsCredential?: string;
  vaultAddress?: string;
  adminTokenFile?: string;
  kubeconfig?: string;
}

function namespacedName(text: string | undefined, flag: string): [string, string] {
  const [namespace, name, extra] = (text ?? "").split("/");
  if (!namespace || !name || extra !== undefined) throw new InputError(`invalid ${flag} "${text ?? ""}" (use NAMESPACE/NAME)`);
  return [namespace, name];
}

function fileSource(path: string): CredentialSourceAccess {
  return {
    describe: `file ${path}`,
    read: async () => (await readFile(path, "utf8")).trim(),
    async write(value) {
      const tmp = `${path}.tmp-${process.pid}`;
      await writeFile(tmp, `${value}\n`, { mode: 0o600 });
      await rename(tmp, path);
    },
  };
}

function secretSource(kube: KubeClient, namespace: string, name: string, key: string): CredentialSourceAccess {
  const describe = `Secret ${namespace}/${name} key ${key}`;
  return {
    describe,
    async read() {
      const b64 = ((await kube.get(SECRETS, namespace, name))?.["data"] as Record<string, string> | undefined)?.[key];
      if (b64 === undefined) throw new InputError(`source not found: ${describe} (create it or fix --source-secret/--source-key)`);
      return Buffer.from(b64, "base64").toString("utf8").trim();
    },
    async write(value) {
      await kube.mergePatch(SECRETS, namespace, name, { data: { [key]: Buffer.from(value).toString("base64") } });
    },
  };
}

/**
 * Runs the rotation and prints its steps (never a token).
 * @throws InputError for bad flags; the rotation's errors (token-rotation.ts).
 */
export async function rotateCommand(opts: RotateOptions, out: (line: string) => void): Promise<void> {
  if (opts.dns !== "cloudflare") throw new InputError(`dns rotate supports --dns cloudflare only (got ${opts.dns}; rotate other credentials at the provider, then \`dns verify\`)`);
  const given = [opts.sourceSecret, opts.sourceFile, opts.dnsCredential].filter((x) => x !== undefined).length;
  if (given !== 1) throw new InputError("dns rotate needs exactly one source: --source-file PATH, --source-secret NAMESPACE/NAME (with --source-key), or --dns-credential NAMESPACE/NAME");
  const options = parseKeyValues(opts.dnsOpt, "--dns-opt");
  for (const key of Object.keys(options)) if (key !== "apiToken" && key !== "apiUrl") throw new InputError(`invalid --dns-opt for cloudflare: ${key} (use apiToken, apiUrl)`);
  const lookup = lookupFromFlags(opts);
  let apiUrl = options["apiUrl"];
  let source: CredentialSourceAccess;
  let close = () => undefined as void;
  if (opts.sourceFile) source = fileSource(opts.sourceFile);
  else {
    const client = await cliKubeClient(opts);
    close = client.close;
    const kube = client.kube;
    if (opts.sourceSecret) {
      const [namespace, name] = namespacedName(opts.sourceSecret, "--source-secret");
      source = secretSource(kube, namespace, name, opts.sourceKey);
    } else {
      const [namespace, name] = namespacedName(opts.dnsCredential, "--dns-credential");
      const raw = await kube.get(dnsCredentialResource, namespace, name);
      if (!raw) throw new InputError(`DnsCredential ${namespace}/${name} not found (check --dns-credential and the kubeconfig's cluster)`);
      const parsed = dnsCredentialSchema.safeParse(raw);
      if (!parsed.success) throw new InputError(`DnsCredential ${namespace}/${name} is invalid: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? ""} (fix its spec)`);
      if (!parsed.data.spec.provider.cloudflare) throw new InputError(`DnsCredential ${namespace}/${name} is not a Cloudflare credential (dns rotate rolls Cloudflare tokens only)`);
      apiUrl ??= parsed.data.spec.provider.cloudflare.apiUrl;
      source = await credentialSourceAccess(kube, parsed.data, { clock: systemClock, ...(opts.vaultAddress ? { vaultAddress: opts.vaultAddress } : {}) });
    }
  }
  try {
    const apiToken = options["apiToken"] ?? (await source.read());
    const adminToken = opts.adminTokenFile ? (await readFile(opts.adminTokenFile, "utf8")).trim() : undefined;
    out(`source: ${source.describe}`);
    const report = await rotateCloudflareToken(
      { apiToken, ...(apiUrl ? { apiUrl } : {}) },
      {
        zone: opts.zone.replace(/\.$/, ""),
        lookup,
        wait: { sleep: async (ms) => void (await sleep(ms)), timeoutMs: 60_000 },
        store: (token) => source.write(token),
        now: systemClock.now(),
        ...(adminToken ? { adminToken } : {}),
      },
    );
    for (const step of report.steps) out(step);
    out(`token ${report.previousTokenId} rotated to ${report.tokenId}${report.expiresOn ? `, expires ${report.expiresOn.toISOString()}` : ""}`);
  } finally {
    close();
  }
}
