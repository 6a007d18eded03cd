/** nodeTargets: which pods (or addresses) a VaultUnsealer names and how each is reached. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { nodeTargets } from "../../../src/controller/vault-unsealer/observe.js";
import type { UnsealerSpec } from "../../../src/controller/vault-unsealer/spec.js";
import type { KubeObject } from "../../../src/kube/types.js";

const base: UnsealerSpec = {
  namespace: "vault",
  name: "u",
  generation: 1,
  nodes: { kind: "pods", matchLabels: { app: "vault" }, port: 8200, scheme: "https", via: "PodIP" },
  insecureSkipVerify: false,
  caBundle: "PEM",
  shares: [],
  sharesToUse: 0,
  checkIntervalMs: 30_000,
  alertAfterMs: 300_000,
  previousNodes: [],
  previousConditions: [],
};
const pod = (name: string, ip: string | undefined, labels: Record<string, string> = { app: "vault" }, extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  metadata: { name, namespace: "vault", labels, ...extra },
  ...(ip !== undefined ? { status: { podIP: ip } } : {}),
});

describe("nodeTargets", () => {
  test("selected pods by IP, sorted, with the CA; others, other namespaces and terminating pods left out", () => {
    const pods = [
      pod("vault-1", "10.0.0.2"),
      pod("vault-0", "fd00::5"),
      pod("vault-2", undefined),
      pod("web", "10.0.0.9", { app: "web" }),
      pod("vault-3", "10.0.0.4", { app: "vault" }, { deletionTimestamp: "2026-12-01T00:00:00Z" }),
      { ...pod("vault-x", "10.0.0.7"), metadata: { name: "vault-x", namespace: "other", labels: { app: "vault" } } },
    ];
    const t = nodeTargets(base, pods, {});
    assert.deepEqual(
      t.map((x) => [x.name, x.endpoint?.baseUrl, x.endpoint?.caPem, x.problem]),
      [
        ["pod vault-0", "https://[fd00::5]:8200", "PEM", undefined],
        ["pod vault-1", "https://10.0.0.2:8200", "PEM", undefined],
        ["pod vault-2", undefined, undefined, "the pod has no IP yet"],
      ],
    );
  });
  test("via APIServerProxy: the pod proxy URL; without a connection, a problem", () => {
    const spec: UnsealerSpec = { ...base, nodes: { ...base.nodes, via: "APIServerProxy" } as UnsealerSpec["nodes"] };
    const conn = { server: new URL("https://10.96.0.1:443"), agent: undefined as never, headers: async () => ({}), invalidate: () => undefined, namespace: undefined };
    assert.deepEqual(nodeTargets(spec, [pod("vault-0", undefined)], { kubeConnection: conn }).map((x) => x.endpoint?.baseUrl), ["https://10.96.0.1/api/v1/namespaces/vault/pods/https%3Avault-0%3A8200/proxy"]);
    assert.deepEqual(nodeTargets(spec, [pod("vault-0", undefined)], {}).map((x) => x.problem), ["via APIServerProxy needs the controller's API server connection"]);
  });
  test("addresses as given", () => {
    const spec: UnsealerSpec = { ...base, nodes: { kind: "addresses", addresses: ["http://a:8200", "http://b:8200"] } };
    assert.deepEqual(nodeTargets(spec, [], {}).map((x) => [x.name, x.endpoint?.baseUrl]), [["http://a:8200", "http://a:8200"], ["http://b:8200", "http://b:8200"]]);
  });
});
