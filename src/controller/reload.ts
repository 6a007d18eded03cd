/**
 * Reloading consumers: a Deployment, StatefulSet or DaemonSet annotated
 * `sealbridge.io/reload: "<secret>[,<secret>…]"` or `sealbridge.io/reload: auto` (every Secret its
 * pod template references) gets a rolling restart when one of those Secrets changes through
 * sealbridge. The restart is a pod template annotation patch (`sealbridge.io/restartedAt`, as
 * `kubectl rollout restart` does) that also records the Secret content hash that caused it, so a
 * change restarts a workload once, never again on a resync.
 */
import type { Clock } from "../clock.js";
import type { KubeClient, KubeObject, ResourceRef } from "../kube/types.js";
import type { ControllerLogger } from "./types.js";

export const RELOAD_ANNOTATION = "sealbridge.io/reload";
export const RESTARTED_AT_ANNOTATION = "sealbridge.io/restartedAt";
/** Pod template annotation: JSON object Secret name → content hash that last restarted the workload. */
export const RELOAD_HASHES_ANNOTATION = "sealbridge.io/reload-hashes";

/** The workload kinds that can be restarted. */
export const RELOADABLE_WORKLOADS: readonly ResourceRef[] = [
  { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true },
  { group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true },
  { group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true },
];

interface PodSpecLike {
  volumes?: Array<{ secret?: { secretName?: string }; projected?: { sources?: Array<{ secret?: { name?: string } }> } }>;
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  env?: Array<{ valueFrom?: { secretKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ secretRef?: { name?: string } }>;
}

function template(workload: KubeObject): { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } | undefined {
  return (workload.spec as { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } } | undefined)?.template;
}

/** Names of the Secrets a pod template uses: secret volumes, projected volumes, env and envFrom. */
export function referencedSecrets(workload: KubeObject): Set<string> {
  const out = new Set<string>();
  const spec = template(workload)?.spec;
  for (const v of spec?.volumes ?? []) {
    if (v.secret?.secretName) out.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name) out.add(s.secret.name);
  }
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name) out.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef?.name) out.add(e.secretRef.name);
  }
  return out;
}

/** Whether `workload` asked to be reloaded when `secretName` changes. */
export function watchesSecret(workload: KubeObject, secretName: string): boolean {
  const value = workload.metadata.annotations?.[RELOAD_ANNOTATION]?.trim();
  if (!value) return false;
  if (value === "auto") return referencedSecrets(workload).has(secretName);
  return value
    .split(",")
    .map((s) => s.trim())
    .includes(secretName);
}

function recordedHashes(workload: KubeObject): Record<string, string> {
  const raw = template(workload)?.metadata?.annotations?.[RELOAD_HASHES_ANNOTATION];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/**
 * The merge patch that restarts `workload` because `secretName` now has content `hash`, or null
 * when it does not watch that Secret or was already restarted for this very content.
 */
export function reloadPatch(workload: KubeObject, secretName: string, hash: string, now: Date): Record<string, unknown> | null {
  if (!watchesSecret(workload, secretName)) return null;
  const hashes = recordedHashes(workload);
  if (hashes[secretName] === hash) return null;
  const next = { ...hashes, [secretName]: hash };
  const sortedNext = Object.fromEntries(Object.keys(next).sort().map((k) => [k, next[k]]));
  return {
    spec: {
      template: {
        metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: now.toISOString(), [RELOAD_HASHES_ANNOTATION]: JSON.stringify(sortedNext) } },
      },
    },
  };
}

/**
 * Restarts every workload in `namespace` that watches `secretName`, once for content `hash`.
 * Failures are logged, never thrown: a failed reload must not fail the sync that caused it.
 * @returns the `Kind/name` of each workload restarted.
 */
export async function reloadConsumers(
  kube: KubeClient,
  namespace: string,
  secretName: string,
  hash: string,
  clock: Clock,
  log: ControllerLogger,
): Promise<string[]> {
  const restarted: string[] = [];
  for (const res of RELOADABLE_WORKLOADS) {
    let items: KubeObject[];
    try {
      items = (await kube.list(res, namespace)).items;
    } catch (err) {
      log.warn({ namespace, kind: res.kind, err }, "listing workloads for reload failed");
      continue;
    }
    for (const workload of items) {
      const patch = reloadPatch(workload, secretName, hash, clock.now());
      if (!patch) continue;
      const name = workload.metadata.name ?? "";
      try {
        await kube.mergePatch(res, namespace, name, patch);
        restarted.push(`${res.kind}/${name}`);
        log.info({ namespace, workload: `${res.kind}/${name}`, secret: secretName }, "restarted workload after its Secret changed");
      } catch (err) {
        log.warn({ namespace, workload: `${res.kind}/${name}`, err }, "restarting workload failed");
      }
    }
  }
  return restarted;
}
