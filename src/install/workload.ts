/**
 * The controller's Deployment and the Service of its HTTP API, as `sealbridge install --export`
 * prints them. The security context matches the image (Dockerfile: `USER 1000:1000`); the API
 * server credentials are a projected volume carrying only a token for the API server's own
 * (default) audience, at the path the in-cluster loader reads.
 */
import type { KubeObject } from "../kube/types.js";

/** The image's numeric user and group (Dockerfile `USER 1000:1000`). */
export const IMAGE_UID = 1000;
/** The container ports: the HTTP API and probes, and Prometheus metrics. */
export const HTTP_PORT = 8080;
export const METRICS_PORT = 8081;
/** The Deployment's name (also the RBAC objects' and the leader election Lease's). */
export const CONTROLLER_NAME = "sealbridge-controller";
/** Where client-node's loadFromCluster reads token, ca.crt and namespace (the standard layout). */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** What the workload objects are made from. */
export interface WorkloadOptions {
  namespace: string;
  image: string;
  serviceAccount: string;
  serviceName: string;
  /** The controller's arguments after `controller`. */
  controllerArgs: readonly string[];
  /** Labels every object carries. */
  labels: Readonly<Record<string, string>>;
}

/** The pod selector: name and component (part-of is not needed to tell pods apart). */
export function controllerSelector(): Record<string, string> {
  return { "app.kubernetes.io/name": "sealbridge", "app.kubernetes.io/component": "controller" };
}

/** The kube-api-access volume kubelet would inject, made explicit: token (default audience), CA, namespace. */
function apiAccessVolume(): Record<string, unknown> {
  return {
    name: "kube-api-access",
    projected: {
      defaultMode: 0o444,
      sources: [
        // No `audience`: the token is for the API server's default audience, the only one the
        // controller uses (its kube client; ESO kubernetes auth without serviceAccountRef sends the
        // same token to Vault, whose TokenReview checks the API server's audience).
        { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

/** The controller Deployment. */
export function controllerDeployment(o: WorkloadOptions): KubeObject {
  const podLabels = { ...o.labels, ...controllerSelector() };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: CONTROLLER_NAME, namespace: o.namespace, labels: podLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: controllerSelector() },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: o.serviceAccount,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_UID, runAsGroup: IMAGE_UID, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "controller",
              image: o.image,
              args: ["controller", ...o.controllerArgs],
              env: [{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }],
              ports: [
                { name: "http", containerPort: HTTP_PORT, protocol: "TCP" },
                { name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" },
              ],
              livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
              readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 3 },
              resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: IMAGE_UID,
                runAsGroup: IMAGE_UID,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
              },
              volumeMounts: [
                { name: "kube-api-access", mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [apiAccessVolume(), { name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
        },
      },
    },
  };
}

/** The Service kubeseal reaches through the API server proxy: `services/http:<name>:http/proxy/v1/cert.pem`. */
export function controllerService(o: WorkloadOptions): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: o.serviceName, namespace: o.namespace, labels: { ...o.labels, ...controllerSelector() } },
    spec: {
      selector: controllerSelector(),
      ports: [
        { name: "http", port: HTTP_PORT, targetPort: "http", protocol: "TCP" },
        { name: "metrics", port: METRICS_PORT, targetPort: "metrics", protocol: "TCP" },
      ],
    },
  };
}
