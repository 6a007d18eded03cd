/**
 * Where and how to reach the Kubernetes API, by kubectl's rules and for every command: the
 * `--kubeconfig` file, else the merged `KUBECONFIG` list, else `~/.kube/config`, else the
 * in-cluster service account; `--context` picks the context. @kubernetes/client-node's KubeConfig
 * does the parsing and auth (tokens, client certificates, exec plugins); its types stay here.
 */
import { existsSync, readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { RequestOptions } from "node:https";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
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

/** Where to load the configuration from (kubectl's rules) and how to build the connection. */
export interface KubeConnectionOptions {
  /** `--kubeconfig FILE`: that file only. Else `KUBECONFIG`, else `~/.kube/config`, else in-cluster. */
  kubeconfig?: string | undefined;
  /** `--context NAME`: use this context instead of the kubeconfig's current-context. */
  context?: string | undefined;
  env: Record<string, string | undefined>;
  /** Maximum sockets to the API server (watches hold one each). Default 128. */
  maxSockets?: number;
  /** How long to reuse auth headers before asking KubeConfig again. Default 30 s. */
  authCacheMs?: number;
  now?: () => number;
}

/** The InputError code of loadKubeConfig when nothing is configured, for callers that add their own way out (`--cert FILE` …). */
export const NO_CLUSTER_CONFIGURED = "NoClusterConfigured";

interface NamedEntry {
  name: string;
}

/** The kubeconfig files to read, in order, and how to name them in messages. */
function kubeconfigFiles(options: Pick<KubeConnectionOptions, "kubeconfig" | "env">): { files: string[]; source: string; explicit: boolean } {
  if (options.kubeconfig !== undefined) return { files: [options.kubeconfig], source: options.kubeconfig, explicit: true };
  const list = options.env.KUBECONFIG;
  if (list !== undefined && list !== "") {
    const files = list.split(delimiter).filter((p) => p !== "");
    return { files, source: `KUBECONFIG=${list}`, explicit: false };
  }
  const home = join(options.env.HOME ?? homedir(), ".kube", "config");
  return { files: [home], source: home, explicit: false };
}

/** One kubeconfig file, or null when it does not exist or is empty (kubectl skips both). */
function readKubeconfigFile(file: string): KubeConfig | null {
  if (!existsSync(file)) return null;
  if (readFileSync(file, "utf8").trim() === "") return null;
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    // Only the first line: YAML errors go on to quote the file, which may hold a token.
    const first = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    throw new InputError(`cannot load kubeconfig: ${file} (${first}; fix the file or pass another with --kubeconfig)`, { cause: err, code: "KubeconfigInvalid" });
  }
  return kc;
}

/** Adds the entries whose name is new: kubectl's merge, where the first file to name one wins. */
function mergeNamed<T extends NamedEntry>(into: T[], entries: readonly T[] | undefined): void {
  for (const entry of entries ?? []) if (!into.some((e) => e.name === entry.name)) into.push(entry);
}

/**
 * Loads the KubeConfig the way kubectl does: `--kubeconfig FILE` (which must exist) alone; else
 * every file of the `KUBECONFIG` list merged (missing ones skipped; the first file to define a
 * cluster, user or context, or a current-context, wins); else `~/.kube/config`; else the
 * in-cluster service account when `KUBERNETES_SERVICE_HOST` is set. `context` then replaces the
 * current context.
 * @throws InputError when the file is missing or unparsable, nothing is configured (code
 *   NoClusterConfigured), the context is not in the kubeconfig, or it names no cluster.
 */
export function loadKubeConfig(options: Pick<KubeConnectionOptions, "kubeconfig" | "context" | "env">): KubeConfig {
  const { files, source, explicit } = kubeconfigFiles(options);
  if (explicit && !existsSync(files[0] ?? "")) {
    throw new InputError(`kubeconfig not found: ${source} (pass an existing file with --kubeconfig, or leave it out to use KUBECONFIG or ~/.kube/config)`, { code: "KubeconfigNotFound" });
  }
  const loaded = files.map(readKubeconfigFile).filter((kc): kc is KubeConfig => kc !== null);
  const kc = new KubeConfig();
  let where = source;
  if (loaded.length > 0) {
    const clusters: KubeConfig["clusters"] = [];
    const users: KubeConfig["users"] = [];
    const contexts: KubeConfig["contexts"] = [];
    for (const file of loaded) {
      mergeNamed(clusters, file.clusters);
      mergeNamed(users, file.users);
      mergeNamed(contexts, file.contexts);
    }
    const currentContext = loaded.map((file) => file.currentContext).find((c) => typeof c === "string" && c !== "") ?? "";
    kc.loadFromOptions({ clusters, users, contexts, currentContext });
  } else if (!explicit && options.env.KUBERNETES_SERVICE_HOST) {
    try {
      kc.loadFromCluster();
    } catch (err) {
      throw new InputError(`cannot load the in-cluster configuration: service account (${err instanceof Error ? err.message : String(err)}; pass --kubeconfig FILE)`, { cause: err, code: "KubeconfigInvalid" });
    }
    where = "the in-cluster service account";
  } else if (!explicit) {
    throw new InputError(`no cluster is configured: no --kubeconfig, ${options.env.KUBECONFIG ? `no file of ${source}` : `no KUBECONFIG, no ${source}`}, and not running in a cluster (pass --kubeconfig FILE or set KUBECONFIG)`, {
      code: NO_CLUSTER_CONFIGURED,
    });
  }
  const names = kc.getContexts().map((c) => c.name);
  const known = names.length > 0 ? `contexts in it: ${names.join(", ")}` : "it defines no context";
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      throw new InputError(`context "${options.context}" is not in the kubeconfig: ${where} (${known}; pass one of them to --context)`, { code: "UnknownContext" });
    }
    kc.setCurrentContext(options.context);
  }
  const current = kc.getCurrentContext();
  if (!current || !kc.getContextObject(current)) {
    throw new InputError(`kubeconfig has no current context: ${where} (${known}; pass --context NAME or set current-context)`, { code: "UnknownContext" });
  }
  if (!kc.getCurrentCluster()) {
    const cluster = kc.getContextObject(current)?.cluster ?? "";
    throw new InputError(`kubeconfig has no current cluster: context "${current}" names cluster "${cluster}", which ${where} does not define (fix the context or add the cluster)`, { code: "KubeconfigInvalid" });
  }
  return kc;
}

/**
 * Builds a KubeConnection from a loaded KubeConfig.
 * @throws InputError when the cluster server URL is invalid or credentials cannot be read.
 */
export async function connectionFromKubeConfig(kc: KubeConfig, options: Omit<KubeConnectionOptions, "kubeconfig" | "context" | "env"> = {}): Promise<KubeConnection> {
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
  const { kubeconfig, context, env, ...rest } = options;
  return connectionFromKubeConfig(loadKubeConfig({ kubeconfig, context, env }), rest);
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
