/**
 * The `scale` subresource of apps/v1 Deployments and StatefulSets
 * (https://kubernetes.io/docs/reference/kubernetes-api/autoscaling-resources/scale-v1/): an
 * autoscaling/v1 Scale view of the parent's replicas, written back into `spec.replicas`.
 */
import type { KubeObject } from "../../../src/kube/types.js";

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The Scale of a workload (its resourceVersion is the parent's, as the real storage does). */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = record(obj["spec"]);
  const status = record(obj["status"]);
  const match = record(record(spec["selector"])["matchLabels"]);
  const selector = Object.entries(match).map(([k, v]) => `${k}=${String(v)}`).join(",");
  const m = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec["replicas"] === "number" ? spec["replicas"] : 1 },
    status: { replicas: typeof status["replicas"] === "number" ? status["replicas"] : 0, selector },
  };
}

/** The parent with `spec.replicas` from `scale` and the Scale's resourceVersion (for the 409 check). */
export function withScale(obj: KubeObject, scale: KubeObject): KubeObject {
  const replicas = record(scale["spec"])["replicas"];
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: scale.metadata?.resourceVersion || obj.metadata.resourceVersion },
    spec: { ...record(obj["spec"]), replicas: typeof replicas === "number" ? replicas : 0 },
  };
}
