/**
 * Points an existing selector-less Service of a real API server at an address, the way a cluster
 * would: a Pod whose status carries the address, an Endpoints object and an EndpointSlice, both
 * with a targetRef to that Pod (the service proxy of some versions reads Endpoints and checks the
 * Pod, newer ones read EndpointSlices). The address must not be loopback (Endpoints validation):
 * use one inside a network namespace the test made (netns.ts).
 */
import type { KubeHttp } from "./admin-client.js";

/**
 * Creates the Pod (status patched), Endpoints and EndpointSlice for `service` → `address:port`
 * with the Service's port name `portName`.
 * @throws Error when the API server refuses one of them.
 */
export async function pointServiceAt(admin: KubeHttp, namespace: string, service: string, address: string, port: number, portName = "http"): Promise<void> {
  const podName = `${service}-backend`;
  const pod = (await admin.must("POST", `/api/v1/namespaces/${namespace}/pods`, {
    metadata: { name: podName, labels: { "sealbridge.io/test-backend": service } },
    spec: { containers: [{ name: "backend", image: "registry.invalid/backend:test", ports: [{ name: portName, containerPort: port }] }] },
  })) as { metadata: { uid: string } };
  await admin.must(
    "PATCH",
    `/api/v1/namespaces/${namespace}/pods/${podName}/status`,
    { status: { phase: "Running", podIP: address, podIPs: [{ ip: address }], conditions: [{ type: "Ready", status: "True" }] } },
    { contentType: "application/merge-patch+json" },
  );
  const targetRef = { kind: "Pod", name: podName, namespace, uid: pod.metadata.uid };
  await admin.must("POST", `/api/v1/namespaces/${namespace}/endpoints`, { metadata: { name: service }, subsets: [{ addresses: [{ ip: address, targetRef }], ports: [{ name: portName, port }] }] });
  await admin.must("POST", `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, {
    metadata: { name: `${service}-test-backend`, labels: { "kubernetes.io/service-name": service } },
    addressType: "IPv4",
    endpoints: [{ addresses: [address], conditions: { ready: true }, targetRef }],
    ports: [{ name: portName, port, protocol: "TCP" }],
  });
}
