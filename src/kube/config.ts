/**
 * Where and how to reach the Kubernetes API: a kubeconfig file (flag, `KUBECONFIG`,
 * `~/.kube/config`) or the in-cluster service account. @kubernetes/client-node's KubeConfig
 * does the parsing and auth (tokens, client certificates, exec plugins); its types stay here.
 */
import { existsSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { RequestOptions } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { InputError } from "../errors.js";

/** A ready connection: the server URL, a keep-alive agent with TLS settings, and auth headers. */
export interface KubeConnection {
  /** The API server base URL, e.g. `https://10.0.0.1:443`, without a trailing slash. */
  server: URL;
  agent: HttpAgent;
  /** Authorization headers for the next request (refreshed when tokens rotate). */
  headers(): Promise<Record<string, string>>;
  /** Forgets cached credentials (after a 401) so the next request reads them again. */
  invalidate(): void;
  /** The kubeconfig context's namespace, if any. */
  namespace: string | undefined;
}

/** Where to load the configuration from and how to build the connection. */
export interface KubeConnectionOptions {
  /** Explicit kubeconfig path (flag or `KUBECONFIG`). */
  kubeconfig?: string | undefined;
  env: Record<string, string | undefined>;
  /** Maximum sockets to the API server (watches hold one each). Default 128. */
  maxSockets?: number;
  /** How long to reuse auth headers before asking KubeConfig again. Default 30 s. */
  authCacheMs?: number;
  now?: () => number;
}

/**
 * Loads the KubeConfig: `kubeconfig` if given, else in-cluster when `KUBERNETES_SERVICE_HOST`
 * is set, else `~/.kube/config`.
 * @throws InputError when the file is missing or unparsable or no configuration is found.
 */
export function loadKubeConfig(options: Pick<KubeConnectionOptions, "kubeconfig" | "env">): KubeConfig {
  const kc = new KubeConfig();
  const explicit = options.kubeconfig;
  try {
    if (explicit !== undefined) {
      if (!existsSync(explicit)) throw new InputError(`kubeconfig not found: ${explicit} (pass an existing file with --kubeconfig or KUBECONFIG)`);
      kc.loadFromFile(explicit);
    } else if (options.env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else {
      const home = join(options.env.HOME ?? homedir(), ".kube", "config");
      if (!existsSync(home)) {
        throw new InputError("no Kubernetes configuration found: --kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster (pass --kubeconfig FILE or run inside a cluster)");
      }
      kc.loadFromFile(home);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot load kubeconfig: ${explicit ?? "default location"} (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (!kc.getCurrentCluster()) {
    throw new InputError(`kubeconfig has no current cluster: ${explicit ?? "default location"} (set current-context to a context with a cluster)`);
  }
  return kc;
}

/**
 * Builds a KubeConnection from a loaded KubeConfig.
 * @throws InputError when the cluster server URL is invalid or credentials cannot be read.
 */
export async function connectionFromKubeConfig(kc: KubeConfig, options: Omit<KubeConnectionOptions, "kubeconfig" | "env"> = {}): Promise<KubeConnection> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError("kubeconfig has no current cluster: current-context (select a context with a cluster)");
  let server: URL;
  try {
    server = new URL(cluster.server.replace(/\/+$/, ""));
  } catch (err) {
    throw new InputError(`invalid API server URL in kubeconfig: cluster "${cluster.name}" (fix clusters[].cluster.server)`, { cause: err });
  }
  const probe: RequestOptions = { headers: {} };
  try {
    await kc.applyToHTTPSOptions(probe);
  } catch (err) {
    throw new InputError(`cannot read Kubernetes credentials: user of context "${kc.getCurrentContext()}" (check the kubeconfig user entry)`, { cause: err });
  }
  const maxSockets = options.maxSockets ?? 128;
  const agent =
    server.protocol === "http:"
      ? new HttpAgent({ keepAlive: true, maxSockets })
      : new HttpsAgent({
          keepAlive: true,
          maxSockets,
          ...(probe.ca !== undefined ? { ca: probe.ca } : {}),
          ...(probe.cert !== undefined ? { cert: probe.cert } : {}),
          ...(probe.key !== undefined ? { key: probe.key } : {}),
          ...(probe.pfx !== undefined ? { pfx: probe.pfx } : {}),
          ...(probe.passphrase !== undefined ? { passphrase: probe.passphrase } : {}),
          ...(cluster.skipTLSVerify ? { rejectUnauthorized: false } : {}),
          ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
        });
  const cacheMs = options.authCacheMs ?? 30_000;
  const now = options.now ?? Date.now;
  let cached = { headers: authHeaders(probe), at: now() };
  return {
    server,
    agent,
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
    async headers() {
      if (now() - cached.at < cacheMs) return cached.headers;
      const fresh: RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(fresh);
      cached = { headers: authHeaders(fresh), at: now() };
      return cached.headers;
    },
    invalidate() {
      cached = { headers: cached.headers, at: Number.NEGATIVE_INFINITY };
    },
  };
}

/**
 * Loads configuration and builds a connection in one step.
 * @throws InputError as loadKubeConfig and connectionFromKubeConfig do.
 */
export async function loadKubeConnection(options: KubeConnectionOptions): Promise<KubeConnection> {
  const { kubeconfig, env, ...rest } = options;
  return connectionFromKubeConfig(loadKubeConfig({ kubeconfig, env }), rest);
}

function authHeaders(opts: RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = (opts.headers ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === "string") out[key.toLowerCase()] = value;
  }
  if (opts.auth) out.authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
  return out;
}
