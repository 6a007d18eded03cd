/**
 * The VaultUnsealer kind run by the kit's runtime (informers, queue, status summarizer, Events)
 * against the Kubernetes and Vault test servers: a new 3-node cluster is unsealed node by node,
 * the status gets Ready/Unsealed and per-node entries, and a restarted node is unsealed again at
 * the next (jittered) check.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { vaultUnsealerResource, type UnsealerNodeStatus } from "../../../src/api/vault-unsealer.js";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import { vaultUnsealerKind } from "../../../src/controller/vault-unsealer/index.js";
import { kindReconciler } from "../../../src/controller/runtime/kind-reconciler.js";
import { ControllerRuntime } from "../../../src/controller/runtime/runtime.js";
import { NAMESPACES } from "../../../src/kube/resources.js";
import type { KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { initVault } from "../../../src/vault/init.js";
import { VaultSysApi } from "../../../src/vault/sys-api.js";
import { startVaultServer, type VaultTestCluster } from "../../harness/vault/index.js";
import { eventually, kubeFixture, type KubeFixture } from "../../kube/kube-fixture.js";
import { testRuntimeConfig } from "../support/runtime-config.js";

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const NS = "vault";

describe("VaultUnsealer under the controller runtime", { timeout: 120_000 }, () => {
  let k: KubeFixture;
  let v: VaultTestCluster;
  let runtime: ControllerRuntime;
  let dir: string;
  const status = async () => (await k.kube.get(vaultUnsealerResource, NS, "vault"))?.["status"] as
    | { nodes?: UnsealerNodeStatus[]; conditions?: Array<{ type: string; status: string; reason: string }> }
    | undefined;

  before(async () => {
    [k, v] = await Promise.all([kubeFixture(), startVaultServer({ mode: "new", nodes: 3 })]);
    dir = await mkdtemp(join(tmpdir(), "sb-unsealer-rt-"));
    await k.kube.create(CRDS, parseYaml(await readFile(new URL("../../../crds/vaultunsealers.sealbridge.io.yaml", import.meta.url), "utf8")) as KubeObject);
    await k.kube.create(NAMESPACES, { metadata: { name: NS } });
    const controller = await generateAgeIdentity();
    await initVault(new VaultSysApi({ label: v.addr, baseUrl: v.addr }), { shares: 2, threshold: 2, recipients: [controller.recipient, controller.recipient], outDir: dir });
    const shares = await Promise.all([1, 2].map((i) => readFile(join(dir, `share-${i}.age`), "utf8")));
    await k.kube.create(vaultUnsealerResource, {
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "VaultUnsealer",
      metadata: { name: "vault", namespace: NS },
      spec: { nodes: { addresses: v.addrs }, shares: shares.map((value) => ({ value })), checkInterval: "1s" },
    });
    runtime = new ControllerRuntime({
      kube: k.kube,
      reconcilers: [kindReconciler(vaultUnsealerKind({ identities: async () => [controller.identity] }))],
      config: testRuntimeConfig({ namespace: NS }),
      log: silentLogger,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    await runtime.start();
  });
  after(async () => {
    await runtime?.stop({ timeoutMs: 2_000 });
    await Promise.all([v?.stop(), k?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("unseals every node and reports Ready and Unsealed with per-node status", async () => {
    await eventually(async () => (await status())?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true, 30_000, "Ready=True");
    const s = await status();
    assert.deepEqual(s?.conditions?.map((c) => [c.type, c.status]).sort(), [["Ready", "True"], ["Unsealed", "True"]]);
    assert.equal(s?.conditions?.find((c) => c.type === "Unsealed")?.reason, "AllUnsealed");
    assert.deepEqual(s?.nodes?.map((n) => [n.name, n.sealed]), v.addrs.map((a) => [a, false]));
    assert.deepEqual([0, 1, 2].map((i) => v.node(i).sealed), [false, false, false]);
    // One Normal NodeUnsealed Event per node (Events are written after the pass).
    const unsealedEvents = () => k.server.objects("events", NS).filter((e) => e["reason"] === "NodeUnsealed" && e["type"] === "Normal");
    await eventually(() => unsealedEvents().length === 3, 10_000, "three NodeUnsealed Events");
    assert.deepEqual(unsealedEvents().map((e) => e["message"]).sort(), v.addrs.map((a) => `unsealed ${a} with 2 share(s)`).sort());
  });

  test("a restarted node is unsealed again at the next check", async () => {
    await v.node(1).restart();
    assert.equal(v.node(1).sealed, true);
    await eventually(() => !v.node(1).sealed, 30_000, "node 1 unsealed by the controller");
    await eventually(async () => (await status())?.nodes?.[1]?.lastUnsealTime !== undefined && (await status())?.nodes?.[1]?.sealed === false, 10_000, "status of node 1");
  });
});
