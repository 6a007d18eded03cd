/**
 * observe() of the VaultUnsealer kind: finds the nodes (the selected pods from the cache, or the
 * addresses), reads each node's seal status, and, for sealed nodes, opens the shares with the
 * controller's age identity and submits them one by one until the node unseals, the shares run
 * out, or Vault refuses (never resubmitting after a wrong combination). Then it sends the alerts
 * the pure rules ask for. Unsealing is the one write this kind makes, and it goes to Vault, not to
 * Kubernetes; the kit's Plan has no slot for such writes, so it happens here, decided by the pure
 * rules in node-status.ts, and plan() records the result.
 */
import { buildSink, sinkTokenRef, type AlertSinkSpec } from "../../alerts/sink-config.js";
import type { KubeConnection } from "../../kube/config.js";
import { PODS, SECRETS } from "../../kube/resources.js";
import type { KubeObject } from "../../kube/types.js";
import { decryptAgeFile } from "../../crypto/age-file.js";
import { podProxyBase } from "../../vault/pod-endpoints.js";
import { readNodeState, type StatusApi } from "../../vault/seal-status.js";
import type { SealEndpoint } from "../../vault/sys-api.js";
import { VaultSysApi } from "../../vault/sys-api.js";
import { describeOutcome, unsealNode, type SettleOptions, type UnsealApi } from "../../vault/unseal.js";
import { parseShareText } from "../../vault/unseal-share.js";
import type { ObserveContext } from "../runtime/kind.js";
import { alertChanges, attemptAllowed, nextNodeStatuses, sharesDigest, type ObservedNode, type UnsealerAlert } from "./node-status.js";
import type { UnsealerObserved } from "./plan.js";
import type { UnsealerSpec } from "./spec.js";

/**
 * Where alerts go: the small part of the certificates issue's `AlertSink` (src/alerts/sink.ts)
 * this kind needs; an AlertSink satisfies it.
 */
export interface UnsealerAlertSink {
  readonly describe: string;
  /** Set for sinks whose firing alerts must be re-sent (Alertmanager): they get them every pass. */
  readonly refreshIntervalMs?: number;
  fire(alert: UnsealerAlert): Promise<void>;
  resolve(alert: UnsealerAlert): Promise<void>;
}

/** What the kind is constructed with. */
export interface UnsealerDeps {
  /** The controller's age identities. @throws when they cannot be read. */
  identities(): Promise<string[]>;
  /** Builds a node's API (default: VaultSysApi over node-vault). */
  connect?(endpoint: SealEndpoint): UnsealApi & StatusApi;
  /** For `via: APIServerProxy`: the controller's API server connection. */
  kubeConnection?: KubeConnection;
  alertSinks?: readonly UnsealerAlertSink[];
  /** How long to wait for a raft node finishing its unseal (default: do not wait; the next pass sees it). */
  settle?: SettleOptions;
  /** Told when this pass unsealed a node (the ESO stores' recovery probe: StoreRecovery.nudge). */
  onNodeUnsealed?(): void;
}

interface NodeTarget {
  name: string;
  endpoint?: SealEndpoint;
  /** Why it cannot be reached at all (a pod without an IP). */
  problem?: string;
}

function matches(labels: Record<string, string> | undefined, want: Record<string, string>): boolean {
  return Object.entries(want).every(([k, v]) => labels?.[k] === v);
}

function podIp(pod: KubeObject): string | undefined {
  const ip = (pod["status"] as { podIP?: unknown } | undefined)?.podIP;
  return typeof ip === "string" && ip !== "" ? ip : undefined;
}

/** The nodes of a spec, from the pod cache or the addresses. */
export function nodeTargets(spec: UnsealerSpec, pods: readonly KubeObject[], deps: Pick<UnsealerDeps, "kubeConnection">): NodeTarget[] {
  const tls = { ...(spec.caBundle !== undefined ? { caPem: spec.caBundle } : {}), ...(spec.insecureSkipVerify ? { insecureSkipVerify: true } : {}) };
  if (spec.nodes.kind === "addresses") return spec.nodes.addresses.map((a) => ({ name: a, endpoint: { label: a, baseUrl: a, ...tls } }));
  const { matchLabels, port, scheme, via } = spec.nodes;
  return pods
    .filter((p) => p.metadata.namespace === spec.namespace && !p.metadata.deletionTimestamp && matches(p.metadata.labels, matchLabels))
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((p): NodeTarget => {
      const name = `pod ${p.metadata.name ?? ""}`;
      if (via === "APIServerProxy") {
        const conn = deps.kubeConnection;
        if (conn === undefined) return { name, problem: "via APIServerProxy needs the controller's API server connection" };
        return { name, endpoint: { label: name, baseUrl: podProxyBase(conn.server, spec.namespace, p.metadata.name ?? "", port, scheme), agent: conn.agent, headers: () => conn.headers() } };
      }
      const ip = podIp(p);
      if (ip === undefined) return { name, problem: "the pod has no IP yet" };
      const host = ip.includes(":") ? `[${ip}]` : ip;
      return { name, endpoint: { label: name, baseUrl: `${scheme}://${host}:${port}`, ...tls } };
    });
}

/** The encrypted share texts of a spec (inline or from Secrets); a missing one is a problem line. */
async function encryptedShares(ctx: ObserveContext, spec: UnsealerSpec): Promise<{ texts: string[]; problem?: string }> {
  const texts: string[] = [];
  for (const [i, s] of spec.shares.slice(0, spec.sharesToUse).entries()) {
    if ("value" in s) {
      texts.push(s.value);
      continue;
    }
    const secret = await ctx.live.get(SECRETS, spec.namespace, s.secretRef.name);
    const b64 = (secret?.["data"] as Record<string, string> | undefined)?.[s.secretRef.key];
    if (b64 === undefined) {
      return { texts, problem: `share ${i + 1}: Secret ${spec.namespace}/${s.secretRef.name} key ${s.secretRef.key} not found (create it or fix spec.shares[${i}].secretRef)` };
    }
    texts.push(Buffer.from(b64, "base64").toString("utf8"));
  }
  return { texts };
}

async function openShares(texts: readonly string[], identities: readonly string[]): Promise<{ keys: string[]; problem?: string }> {
  const keys: string[] = [];
  for (const [i, text] of texts.entries()) {
    try {
      const plain = await decryptAgeFile(text, identities, `spec.shares[${i}]`);
      keys.push(parseShareText(new TextDecoder().decode(plain), `spec.shares[${i}]`));
    } catch (err) {
      return { keys, problem: `${(err as Error).message}` };
    }
  }
  return { keys };
}

/** Submits keys to one node until it unseals or Vault refuses; never a key twice, never after a failure. */
async function unsealWithShares(api: UnsealApi, keys: readonly string[], settle: SettleOptions | undefined): Promise<NonNullable<ObservedNode["attempt"]>> {
  let submitted = 0;
  let last = "";
  for (const key of keys) {
    const o = await unsealNode(api, key, settle);
    if (o.kind === "alreadyUnsealed") return { submitted, result: "unsealed", message: "unsealed" };
    submitted++;
    last = describeOutcome(o);
    if (o.kind === "unsealed") return { submitted, result: "unsealed", message: "unsealed" };
    if (o.kind === "pending") return { submitted, result: "pending", message: last };
    if (o.kind === "failed") return { submitted, result: o.error.failure === "VaultWrongShareSet" ? "wrongShareSet" : "failed", message: last };
  }
  return { submitted, result: "progress", message: last };
}

/**
 * Observes (and unseals) every node of a VaultUnsealer.
 * @returns what plan() needs; node failures are data, not exceptions.
 */
export async function observeVaultUnsealer(ctx: ObserveContext, spec: UnsealerSpec, deps: UnsealerDeps): Promise<UnsealerObserved> {
  const connect = deps.connect ?? ((e: SealEndpoint) => new VaultSysApi(e));
  const pods = spec.nodes.kind === "pods" ? ctx.cache(PODS).list(spec.namespace) : [];
  const targets = nodeTargets(spec, pods, deps);
  const apis = new Map(targets.filter((t) => t.endpoint).map((t) => [t.name, connect(t.endpoint as SealEndpoint)]));
  const read = async (t: NodeTarget): Promise<ObservedNode> => {
    const api = apis.get(t.name);
    if (api === undefined) return { name: t.name, reachable: false, error: t.problem ?? "unreachable" };
    const s = await readNodeState(api);
    const base: ObservedNode = { name: t.name, reachable: s.reachable, ...(t.endpoint && spec.nodes.kind === "pods" ? { address: t.endpoint.baseUrl } : {}) };
    if (!s.reachable) return { ...base, ...(s.error !== undefined ? { error: s.error } : {}) };
    return {
      ...base,
      ...(s.initialized !== undefined ? { initialized: s.initialized } : {}),
      ...(s.sealed !== undefined ? { sealed: s.sealed } : {}),
      ...(s.progress !== undefined ? { progress: s.progress } : {}),
      ...(s.threshold !== undefined ? { threshold: s.threshold } : {}),
      ...(s.version !== undefined ? { version: s.version } : {}),
    };
  };
  let nodes = await Promise.all(targets.map(read));
  const { texts, problem: secretProblem } = await encryptedShares(ctx, spec);
  const digest = sharesDigest(texts);
  let sharesProblem = secretProblem;
  const candidates = nodes.filter(
    (n) => n.reachable && n.initialized === true && n.sealed === true && attemptAllowed(spec.previousNodes.find((p) => p.name === n.name), spec.generation, digest),
  );
  if (candidates.length > 0 && spec.sharesToUse > 0 && sharesProblem === undefined) {
    const opened = await openShares(texts, await deps.identities());
    sharesProblem = opened.problem;
    if (opened.problem === undefined) {
      const attempts = new Map<string, NonNullable<ObservedNode["attempt"]>>();
      await Promise.all(
        candidates.map(async (n) => {
          const api = apis.get(n.name);
          if (api) attempts.set(n.name, await unsealWithShares(api, opened.keys, deps.settle));
        }),
      );
      const reread = await Promise.all(targets.map((t) => (attempts.has(t.name) ? read(t) : Promise.resolve(nodes.find((n) => n.name === t.name) as ObservedNode))));
      nodes = reread.map((n) => {
        const attempt = attempts.get(n.name);
        return attempt ? { ...n, attempt } : n;
      });
      const unsealed = [...attempts.values()].filter((a) => a.result === "unsealed").length;
      if (unsealed > 0) deps.onNodeUnsealed?.();
      if (attempts.size > 0) ctx.log.info({ vaultunsealer: `${spec.namespace}/${spec.name}`, attempted: attempts.size, unsealed }, "vault unseal attempts");
    }
  }
  await sendAlerts(ctx, spec, nodes, digest, spec.alertSinks !== undefined ? await specSinks(ctx, spec, spec.alertSinks) : (deps.alertSinks ?? []));
  return { nodes, digest, ...(sharesProblem !== undefined ? { sharesProblem } : {}), ...(targets.length === 0 ? { nodesProblem: `no pod in ${spec.namespace} matches spec.nodes.selector` } : {}) };
}

/** The object's own sinks; a token Secret that is missing is logged and the sink sent to without it. */
async function specSinks(ctx: ObserveContext, spec: UnsealerSpec, specs: readonly AlertSinkSpec[]): Promise<UnsealerAlertSink[]> {
  const sinks: UnsealerAlertSink[] = [];
  for (const s of specs) {
    const ref = sinkTokenRef(s);
    let token: string | undefined;
    if (ref !== undefined) {
      const secret = await ctx.live.get(SECRETS, spec.namespace, ref.name);
      const b64 = (secret?.["data"] as Record<string, string> | undefined)?.[ref.key];
      token = b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8").trim();
      if (token === undefined) {
        ctx.log.warn({ vaultunsealer: `${spec.namespace}/${spec.name}` }, `alert sink token Secret ${spec.namespace}/${ref.name} key "${ref.key}" not found (create it or fix spec.alertSinks[].tokenSecretRef)`);
      }
    }
    sinks.push(buildSink(s, token));
  }
  return sinks;
}

async function sendAlerts(ctx: ObserveContext, spec: UnsealerSpec, nodes: readonly ObservedNode[], digest: string, sinks: readonly UnsealerAlertSink[]): Promise<void> {
  if (sinks.length === 0) return;
  const now = ctx.clock.now();
  const next = nextNodeStatuses(spec.previousNodes, nodes, { now, generation: spec.generation, digest, alertAfterMs: spec.alertAfterMs });
  const { fire, firing, resolve } = alertChanges(spec.previousNodes, next, { namespace: spec.namespace, name: spec.name, now });
  for (const sink of sinks) {
    const toFire = sink.refreshIntervalMs !== undefined ? firing : fire;
    for (const [alert, send] of [...toFire.map((a) => [a, sink.fire.bind(sink)] as const), ...resolve.map((a) => [a, sink.resolve.bind(sink)] as const)]) {
      try {
        await send(alert);
      } catch (err) {
        ctx.log.warn({ sink: sink.describe, alert: alert.name, node: alert.labels["node"], error: (err as Error).message }, "alert not delivered");
      }
    }
  }
}
