/**
 * The observer: every read doctor makes, gathered into one {@link Observed}. Links whose
 * prerequisites broke are not read (no API → nothing else). Reads run in parallel; each failure
 * is data (status code and a secret-free message), never an exception. Secrets are read only as
 * kubernetes.io/tls Secrets, reduced at once to their public `tls.crt`.
 */
import { ZodError } from "zod";
import type { Clock } from "../clock.js";
import { formatZodIssue } from "../zod-issues.js";
import { clusterSecretStoreResource, secretStoreResource } from "../api/secret-store.js";
import { externalSecretResource } from "../api/external-secret.js";
import { dnsCredentialResource } from "../api/dns-credential.js";
import { vaultUnsealerResource } from "../api/vault-unsealer.js";
import { certificateCheckResource } from "../api/certificate-check.js";
import { isSealbridgeError, RemoteError } from "../errors.js";
import { HttpKubeClient } from "../kube/client.js";
import { connectionFromKubeConfig, loadKubeConfig, type KubeConnection } from "../kube/config.js";
import { KubeApiError } from "../kube/errors.js";
import { LEASES, NAMESPACES, PODS, SECRETS, SERVICES } from "../kube/resources.js";
import type { KubeClient, KubeObject, ResourceRef } from "../kube/types.js";
import type { ControllerProxy } from "../seal/controller-proxy.js";
import { certificateCheckSummary, crdSummary, externalSecretSummary, deploymentSummary, leaseSummary, podSummary, serviceSummary, statusObject, storeSummary, tlsSecretInput, unsealerSummary } from "./object-summaries.js";
import type { DoctorTarget, Observed, ObservedStore, ProxyAnswer, Read, VaultHealth } from "./observed.js";
import { probeVaultHealth } from "./vault-health.js";

/** What to observe and how. */
export interface ObserveOptions {
  target: DoctorTarget;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST come from. */
  env: Record<string, string | undefined>;
  /** Ask each store's Vault for sys/health from here (default true). */
  vaultProbe: boolean;
  /** Per-request timeout (default 10 s; Vault probes use a third of it). */
  timeoutMs?: number;
  clock: Clock;
}

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true };
const CONTROLLER_SELECTOR = "app.kubernetes.io/name=sealbridge";

/** A read as data: KubeApiErrors become their status and message, an object doctor cannot summarize a message naming its field; anything else is rethrown (a bug). */
async function read<T>(p: Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    if (err instanceof KubeApiError) return { ok: false, ...(err.status !== undefined ? { status: err.status } : {}), message: err.message };
    if (isSealbridgeError(err)) return { ok: false, message: err.message };
    if (err instanceof ZodError) return { ok: false, message: `an object of an unexpected shape (${formatZodIssue(err.issues[0])})` };
    throw err;
  }
}

async function listAll<T>(kube: KubeClient, res: ResourceRef, summarize: (o: KubeObject) => T, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<Read<T[]>> {
  return read(
    kube.list(res, opts.namespace, { ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}), ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}) }).then((l) => l.items.map(summarize)),
  );
}

/** The store list of both kinds: 404 only when neither CRD is served. */
function mergeStores(a: Read<ObservedStore[]>, b: Read<ObservedStore[]>): Read<ObservedStore[]> {
  if (a.ok && b.ok) return { ok: true, value: [...a.value, ...b.value] };
  if (a.ok && !b.ok && b.status === 404) return a;
  if (b.ok && !a.ok && a.status === 404) return b;
  return !a.ok ? a : b;
}

/** An answer through the service proxy; the API server's own Status (no endpoints, refused) is not the controller's answer. */
async function ask(proxy: ControllerProxy, path: string): Promise<ProxyAnswer> {
  try {
    const answer = await proxy.request("GET", path, undefined, { anyStatus: true });
    const text = answer.body.toString("utf8");
    if (answer.status >= 400 && text.trimStart().startsWith("{")) {
      try {
        const status = JSON.parse(text) as { kind?: unknown; message?: unknown };
        if (status.kind === "Status") return { answered: false, status: answer.status, message: typeof status.message === "string" ? status.message.slice(0, 300) : `HTTP ${answer.status}` };
      } catch {
        // not JSON: the controller's own answer
      }
    }
    return { answered: true, status: answer.status, body: text.slice(0, 64 * 1024) };
  } catch (err) {
    return { answered: false, ...(err instanceof RemoteError && err.status !== undefined ? { status: err.status } : {}), message: isSealbridgeError(err) ? err.message : "no answer" };
  }
}

async function observeProxy(opts: ObserveOptions): Promise<Pick<Observed, "readyz" | "cert" | "ageRecipient">> {
  const { connectControllerProxy } = await import("../seal/controller-proxy.js");
  let proxy: ControllerProxy;
  try {
    proxy = await connectControllerProxy(
      { namespace: opts.target.namespace, name: opts.target.serviceName, kubeconfig: opts.kubeconfig, context: opts.context, env: opts.env, timeoutMs: opts.timeoutMs ?? 10_000, offlineHint: null },
      "cannot reach the controller",
    );
  } catch (err) {
    const failed: ProxyAnswer = { answered: false, ...(err instanceof RemoteError && err.status !== undefined ? { status: err.status } : {}), message: isSealbridgeError(err) ? err.message : "no answer" };
    return { readyz: failed, cert: failed, ageRecipient: failed };
  }
  const [readyz, cert, ageRecipient] = await Promise.all([ask(proxy, "/readyz"), ask(proxy, "/v1/cert.pem"), ask(proxy, "/v1/age-recipient")]);
  return { readyz, cert, ageRecipient };
}

/** The stores' caBundle (base64 PEM, as ESO keeps it), by server, for the probe. */
function caBundles(raw: readonly KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of raw) {
    const vault = ((o["spec"] as { provider?: { vault?: { server?: unknown; caBundle?: unknown } } } | undefined)?.provider?.vault) ?? {};
    if (typeof vault.server === "string" && typeof vault.caBundle === "string") out.set(vault.server, Buffer.from(vault.caBundle, "base64").toString("utf8"));
  }
  return out;
}

async function observeStores(kube: KubeClient, opts: ObserveOptions): Promise<Pick<Observed, "stores" | "vaultHealth" | "externalSecrets">> {
  const [ns, cluster, externalSecrets] = await Promise.all([
    read(kube.list(secretStoreResource, undefined)),
    read(kube.list(clusterSecretStoreResource, undefined)),
    listAll(kube, externalSecretResource, externalSecretSummary),
  ]);
  const summarize = (r: Read<{ items: KubeObject[] }>, kind: string): Read<ObservedStore[]> => (r.ok ? { ok: true, value: r.value.items.map((o) => storeSummary(o, kind)) } : r);
  const stores = mergeStores(summarize(ns, "SecretStore"), summarize(cluster, "ClusterSecretStore"));
  if (!opts.vaultProbe || !stores.ok) return { stores, externalSecrets };
  const cas = caBundles([...(ns.ok ? ns.value.items : []), ...(cluster.ok ? cluster.value.items : [])]);
  const servers = [...new Set(stores.value.map((s) => s.server).filter((s): s is string => s !== undefined))];
  const timeout = Math.max(1000, Math.round((opts.timeoutMs ?? 10_000) / 3));
  const health = await Promise.all(servers.map(async (s) => [s, await probeVaultHealth(s, cas.get(s), timeout)] as const));
  const vaultHealth: Record<string, VaultHealth> = Object.fromEntries(health);
  return { stores, vaultHealth, externalSecrets };
}

function namespaceRead(kube: KubeClient, ns: string, server: string): Promise<Observed["api"]> {
  return kube.get(NAMESPACES, undefined, ns).then(
    (got) => ({ ok: true, namespaceExists: got !== null }),
    (err: unknown) => {
      if (err instanceof KubeApiError && err.status === 403) return { ok: true, namespaceExists: null };
      if (err instanceof KubeApiError && err.status === undefined) return { ok: false, message: `the API server ${server} did not answer (${err.reason})` };
      if (err instanceof KubeApiError) return { ok: false, ...(err.status !== undefined ? { status: err.status } : {}), message: err.message };
      throw err;
    },
  );
}

/**
 * Observes the cluster for the doctor chain.
 * @returns the observation; never throws for what it sees (an unreachable API server is data).
 */
export async function observe(opts: ObserveOptions): Promise<Observed> {
  const now = opts.clock.now();
  const { target } = opts;
  let connection: KubeConnection;
  let kubeconfig: Observed["kubeconfig"];
  try {
    const kc = loadKubeConfig({ kubeconfig: opts.kubeconfig, context: opts.context, env: opts.env });
    connection = await connectionFromKubeConfig(kc, { maxSockets: 16 });
    kubeconfig = { ok: true, context: kc.getCurrentContext(), server: connection.server.toString().replace(/\/$/, "") };
  } catch (err) {
    if (!isSealbridgeError(err)) throw err;
    return { now, target, kubeconfig: { ok: false, message: err.message } };
  }
  try {
    const kube = new HttpKubeClient(connection, { requestTimeoutMs: opts.timeoutMs ?? 10_000, userAgent: "sealbridge-doctor" });
    const api = await namespaceRead(kube, target.namespace, kubeconfig.server);
    if (api === undefined || !api.ok) return { now, target, kubeconfig, ...(api !== undefined ? { api } : {}) };
    const ns = target.namespace;
    const [crds, deployments, pods, lease, service, storesAndHealth, dnsCredentials, certificateChecks, tlsSecrets, unsealers] = await Promise.all([
      read(kube.list(CRDS, undefined).then((l) => l.items.map(crdSummary).filter((c) => c !== null))),
      listAll(kube, DEPLOYMENTS, deploymentSummary, { namespace: ns, labelSelector: CONTROLLER_SELECTOR }),
      listAll(kube, PODS, podSummary, { namespace: ns, labelSelector: CONTROLLER_SELECTOR }),
      read(kube.get(LEASES, ns, target.leaseName).then((l) => (l === null ? null : leaseSummary(l)))),
      read(kube.get(SERVICES, ns, target.serviceName).then((s) => (s === null ? null : serviceSummary(s)))),
      observeStores(kube, opts),
      listAll(kube, dnsCredentialResource, (o) => statusObject(o, "DnsCredential")),
      listAll(kube, certificateCheckResource, certificateCheckSummary),
      read(kube.list(SECRETS, undefined, { fieldSelector: "type=kubernetes.io/tls" }).then((l) => l.items.map(tlsSecretInput).filter((i) => i !== null))),
      listAll(kube, vaultUnsealerResource, unsealerSummary),
    ]);
    const proxied = service.ok && service.value !== null ? await observeProxy(opts) : {};
    return { now, target, kubeconfig, api, crds, deployments, pods, lease, service, ...proxied, ...storesAndHealth, dnsCredentials, certificateChecks, tlsSecrets, unsealers };
  } finally {
    connection.agent.destroy();
  }
}
