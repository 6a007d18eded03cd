/**
 * The test environment: the Kubernetes API test server and the Vault test cluster started
 * together on free loopback ports, with the files a shell or a test needs to reach them —
 * `DIR/kubeconfig`, `DIR/vault-nodes` (one address a line) and, written last and atomically,
 * `DIR/env` (`VAULT_ADDR`, `VAULT_TOKEN` in dev mode, `KUBECONFIG`). In dev mode Vault's
 * `auth/kubernetes` is enabled and pointed at the Kubernetes server, so ESO-style Kubernetes auth
 * works out of the box. `services` routes Service proxies to local processes.
 */
import { mkdir, mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startKubeServer } from "./kube/index.js";
import type { KubeTestServer } from "./kube/index.js";
import { startVaultServer } from "./vault/index.js";
import type { VaultTestCluster } from "./vault/index.js";

/** Options of {@link startTestEnv}. */
export interface TestEnvOptions {
  /** Where to write the files (created if missing); a fresh temp directory by default. */
  dir?: string;
  vaultMode?: "dev" | "new";
  vaultNodes?: number;
  /**
   * Services whose API-server proxy (`/api/v1/namespaces/NS/services/NAME/proxy/…`) forwards to a
   * process on this machine, e.g. a locally run `sealbridge controller`. The Service objects
   * themselves are not created (apply them as in a cluster).
   */
  services?: readonly ServiceRoute[];
}

/** `NS/NAME=HOST:PORT`: the proxy of Service NS/NAME goes to http://HOST:PORT. */
export interface ServiceRoute {
  namespace: string;
  name: string;
  /** `http://HOST:PORT`. */
  baseUrl: string;
}

/**
 * Parses `NS/NAME=HOST:PORT` (the `--service` flag).
 * @throws Error naming the flag and the expected form when `spec` is malformed.
 */
export function parseServiceRoute(spec: string): ServiceRoute {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)=([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(spec);
  const port = Number(m?.[6]);
  if (!m || port < 1 || port > 65535) throw new Error(`--service must be NS/NAME=HOST:PORT, e.g. sealbridge/sealbridge=127.0.0.1:8080, got "${spec}"`);
  return { namespace: m[1] ?? "", name: m[3] ?? "", baseUrl: `http://${m[5] ?? ""}:${port}` };
}

/** A running test environment. */
export interface TestEnv {
  dir: string;
  kube: KubeTestServer;
  vault: VaultTestCluster;
  /** Path of the env file. */
  envFile: string;
  /** Stops both servers (the files stay). */
  stop(): Promise<void>;
}

/** A `KEY=value` line, single-quoting the value only when a shell would need it. */
function envLine(key: string, value: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/'/g, "'\\''")}'`;
}

/** Enables auth/kubernetes against the Kubernetes server; the admin token reviews tokens. */
async function configureKubernetesAuth(vault: VaultTestCluster, kube: KubeTestServer): Promise<void> {
  const call = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${vault.addr}/v1/${path}`, {
      method: "POST",
      headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`vault setup failed: POST ${path} answered ${res.status} (check the Vault test server)`);
  };
  await call("sys/auth/kubernetes", { type: "kubernetes" });
  await call("auth/kubernetes/config", {
    kubernetes_host: kube.url,
    kubernetes_ca_cert: kube.caPem,
    token_reviewer_jwt: kube.adminToken,
  });
}

/**
 * Starts both servers and writes DIR/kubeconfig, DIR/vault-nodes, then DIR/env.
 * @throws Error when a server cannot start or a file cannot be written (both servers are stopped).
 */
export async function startTestEnv(opts: TestEnvOptions = {}): Promise<TestEnv> {
  const dir = opts.dir === undefined ? await mkdtemp(join(tmpdir(), "sealbridge-testenv-")) : resolve(opts.dir);
  await mkdir(dir, { recursive: true });
  const mode = opts.vaultMode ?? "dev";
  const [kube, vault] = await Promise.all([startKubeServer(), startVaultServer({ mode, nodes: opts.vaultNodes ?? 1 })]);
  const stop = async (): Promise<void> => {
    await Promise.all([kube.stop(), vault.stop()]);
  };
  try {
    if (mode === "dev") await configureKubernetesAuth(vault, kube);
    for (const route of opts.services ?? []) kube.setServiceBackend(route.namespace, route.name, route.baseUrl);
    const kubeconfig = join(dir, "kubeconfig");
    await kube.writeKubeconfig(kubeconfig);
    await writeFile(join(dir, "vault-nodes"), vault.addrs.map((a) => `${a}\n`).join(""));
    const lines = [envLine("VAULT_ADDR", vault.addr)];
    if (vault.rootToken !== undefined) lines.push(envLine("VAULT_TOKEN", vault.rootToken));
    lines.push(envLine("KUBECONFIG", kubeconfig));
    const envFile = join(dir, "env");
    await writeFile(`${envFile}.tmp`, `${lines.join("\n")}\n`, { mode: 0o600 });
    await rename(`${envFile}.tmp`, envFile);
    return { dir, kube, vault, envFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
