/**
 * Vault nodes found in Kubernetes: the pods behind a label selector or a Service, each reached
 * through the API server's pod proxy (`/api/v1/namespaces/NS/pods/[https:]NAME:PORT/proxy/…`,
 * kubernetes.io "Manually constructing apiserver proxy URLs"), so the CLI needs only a kubeconfig.
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import type { KubeConnection } from "../kube/config.js";
import { PODS, SERVICES } from "../kube/resources.js";
import type { KubeClient, KubeObject } from "../kube/types.js";
import type { SealEndpoint } from "./sys-api.js";

/** Which pods, and how to reach Vault in them. */
export interface PodSelection {
  namespace: string;
  /** A label selector (`app.kubernetes.io/name=vault`), or… */
  selector?: string;
  /** …the name of a Service whose selector picks the pods. */
  service?: string;
  port: number;
  scheme: "http" | "https";
}

const serviceSchema = z.object({ spec: z.object({ selector: z.record(z.string(), z.string()).optional() }).optional() });

/** `a=b,c=d` from a matchLabels map (keys sorted). */
export function selectorString(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] ?? ""}`)
    .join(",");
}

/** The pod proxy base URL of one pod. */
export function podProxyBase(server: URL, namespace: string, pod: string, port: number, scheme: "http" | "https"): string {
  const target = `${scheme === "https" ? "https:" : ""}${pod}:${port}`;
  return `${server.origin}${server.pathname.replace(/\/+$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(target)}/proxy`;
}

/**
 * Lists the selected pods (not being deleted), sorted by name.
 * @throws InputError when the Service is missing or has no selector, or no pod matches;
 * KubeApiError when the API server refuses.
 */
export async function selectVaultPods(kube: KubeClient, sel: PodSelection): Promise<KubeObject[]> {
  let labelSelector = sel.selector;
  let what = `selector ${sel.selector ?? ""}`;
  if (sel.service !== undefined) {
    const svc = await kube.get(SERVICES, sel.namespace, sel.service);
    if (svc === null) throw new InputError(`service not found: ${sel.namespace}/${sel.service} (pass the Vault service's name and -n NAMESPACE)`);
    const selector = serviceSchema.safeParse(svc).data?.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      throw new InputError(`service ${sel.namespace}/${sel.service} has no pod selector (pass --selector instead)`);
    }
    labelSelector = selectorString(selector);
    what = `service ${sel.service}`;
  }
  const pods = (await kube.list(PODS, sel.namespace, labelSelector ? { labelSelector } : {})).items
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  if (pods.length === 0) throw new InputError(`no Vault pods match ${what} in namespace ${sel.namespace} (check --selector/--service and -n)`);
  return pods;
}

/**
 * The pod-proxy endpoints of the selected pods.
 * @throws as {@link selectVaultPods}.
 */
export async function podProxyEndpoints(kube: KubeClient, connection: KubeConnection, sel: PodSelection): Promise<SealEndpoint[]> {
  const pods = await selectVaultPods(kube, sel);
  return pods.map((p) => {
    const name = p.metadata.name ?? "";
    return {
      label: `pod ${sel.namespace}/${name}`,
      baseUrl: podProxyBase(connection.server, sel.namespace, name, sel.port, sel.scheme),
      agent: connection.agent,
      headers: () => connection.headers(),
    };
  });
}
