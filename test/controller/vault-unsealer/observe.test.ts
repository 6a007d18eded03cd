/**
 * nodeTargets: which pods (or addresses) a VaultUnsealer names and how each is reached; and the
 * VaultNodeSealed alert sent through a real sink (webhook) to a local HTTP receiver.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { buildSink, parseSinkFlag } from "../../../src/alerts/sink-config.js";
import type { UnsealerNodeStatus } from "../../../src/api/vault-unsealer.js";
import type { ObserveContext } from "../../../src/controller/runtime/kind.js";
import { nodeTargets, observeVaultUnsealer } from "../../../src/controller/vault-unsealer/observe.js";
import { silentLogger } from "../../../src/log.js";
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

describe("VaultNodeSealed alerts to a local webhook receiver", () => {
  let server: Server;
  let url: string;
  const received: Array<{ status: string; node: string | undefined; alertname: string | undefined }> = [];
  const auths: Array<string | undefined> = [];
  before(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        const body = JSON.parse(text) as { status: string; alerts: Array<{ labels: Record<string, string> }> };
        auths.push(req.headers.authorization);
        received.push({ status: body.status, node: body.alerts[0]?.labels["node"], alertname: body.alerts[0]?.labels["alertname"] });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  after(() => server.close());

  const NOW = new Date("2026-12-01T10:00:00Z");
  const at = (minutesAgo: number): string => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const ctx = { clock: { now: () => NOW }, log: silentLogger } as unknown as ObserveContext;
  const node = (sealed: boolean) => ({
    label: "http://a:8200",
    sealStatus: async () => ({ initialized: true, sealed, t: 3, n: 5, progress: 0 }),
    leader: async () => null,
    submitKey: async () => assert.fail("sharesToUse 0 submits nothing"),
    resetUnseal: async () => assert.fail("sharesToUse 0 submits nothing"),
  });
  const spec = (previousNodes: UnsealerNodeStatus[]): UnsealerSpec => ({ ...base, nodes: { kind: "addresses", addresses: ["http://a:8200"] }, previousNodes });
  const run = async (sealed: boolean, previousNodes: UnsealerNodeStatus[]) => {
    const deps = { identities: async () => [], connect: () => node(sealed) as never, alertSinks: [buildSink(parseSinkFlag(`webhook=${url}`))] };
    await observeVaultUnsealer(ctx, spec(previousNodes), deps);
  };

  test("fires once on entering stayed-sealed, not again while the status says alerting, resolves when unsealed", async () => {
    received.length = 0;
    await run(true, [{ name: "http://a:8200", reachable: true, sealed: true, sealedSince: at(4) }]);
    assert.deepEqual(received, [], "sealed 4m < alertAfter 5m: nothing");
    await run(true, [{ name: "http://a:8200", reachable: true, sealed: true, sealedSince: at(6) }]);
    assert.deepEqual(received, [{ status: "firing", node: "http://a:8200", alertname: "VaultNodeSealed" }]);
    // The next pass (or a restarted controller) reads alerting: true back from status: no repeat.
    await run(true, [{ name: "http://a:8200", reachable: true, sealed: true, sealedSince: at(7), alerting: true }]);
    assert.equal(received.length, 1);
    await run(false, [{ name: "http://a:8200", reachable: true, sealed: true, sealedSince: at(8), alerting: true }]);
    assert.deepEqual(received.slice(1), [{ status: "resolved", node: "http://a:8200", alertname: "VaultNodeSealed" }]);
    await run(false, [{ name: "http://a:8200", reachable: true, sealed: false }]);
    assert.equal(received.length, 2, "nothing more once resolved");
  });

  test("spec.alertSinks replace the controller's defaults, with the token read from its Secret", async () => {
    received.length = 0;
    const TOKEN = "tk_CANARY_UNSEALER_0123";
    const live = { get: async (_r: unknown, ns: string, name: string) => (ns === "vault" && name === "hook" ? { metadata: { name }, data: { token: Buffer.from(TOKEN).toString("base64") } } : undefined) };
    const withLive = { ...ctx, live } as unknown as ObserveContext;
    const own: UnsealerSpec = { ...spec([{ name: "http://a:8200", reachable: true, sealed: true, sealedSince: at(6) }]), alertSinks: [{ webhook: { url: `${url}-own`, tokenSecretRef: { name: "hook", key: "token" } } }] };
    const unused = { describe: "default", fire: async () => assert.fail("the default sink is not used"), resolve: async () => assert.fail("the default sink is not used") };
    await observeVaultUnsealer(withLive, own, { identities: async () => [], connect: () => node(true) as never, alertSinks: [unused] });
    assert.deepEqual(received, [{ status: "firing", node: "http://a:8200", alertname: "VaultNodeSealed" }]);
    assert.equal(auths.at(-1), `Bearer ${TOKEN}`);
  });
});
