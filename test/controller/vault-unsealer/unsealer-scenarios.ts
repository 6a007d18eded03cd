/**
 * The VaultUnsealer kind end to end on either backend (the Vault test server in
 * unsealer-scenarios.test.ts, real OpenBao raft in unsealer-scenarios.real.test.ts), with the
 * Kubernetes test server holding the object, the shares Secret and (testenv) the Vault pods behind
 * the API server's pod proxy. A small driver stands in for the kit's runtime: parse → observe →
 * plan → status written back, Events recorded. Scenarios: the controller unseals a new cluster
 * node by node; restarting one node seals only it and the next pass unseals it; a wrong share
 * combination is reported and not resubmitted; shares never appear in status, Events or logs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { vaultUnsealerResource, type UnsealerNodeStatus } from "../../../src/api/vault-unsealer.js";
import { encryptArmoredAgeFile } from "../../../src/crypto/age-file.js";
import { generateAgeIdentity, type AgeKeyPair } from "../../../src/crypto/age-keys.js";
import { decryptAgeFile } from "../../../src/crypto/age-file.js";
import type { KubeConnection } from "../../../src/kube/config.js";
import { loadKubeConnection } from "../../../src/kube/config.js";
import { NAMESPACES, PODS, SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { vaultUnsealerKind } from "../../../src/controller/vault-unsealer/index.js";
import type { ObserveContext, Plan } from "../../../src/controller/runtime/kind.js";
import type { UnsealerAlertSink } from "../../../src/controller/vault-unsealer/observe.js";
import type { UnsealerAlert } from "../../../src/controller/vault-unsealer/node-status.js";
import type { ControllerLogger } from "../../../src/controller/types.js";
import { initVault } from "../../../src/vault/init.js";
import { VaultSysApi } from "../../../src/vault/sys-api.js";
import { startSealBackend, type BackendKind, type SealBackend } from "../../vault/seal-backend.js";
import { kubeFixture, type KubeFixture } from "../../kube/kube-fixture.js";

const NS = "vault";
const CRDS = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };

interface PassResult {
  plan: Plan;
  status: UnsealerNodeStatus[];
}

/** Defines the controller scenarios against a backend of `kind`. */
export function unsealerScenarios(kind: BackendKind): void {
  describe(`VaultUnsealer on ${kind === "real" ? "real OpenBao (raft, 3 nodes)" : "the Vault test server (HA, 3 nodes) behind the pod proxy"}`, { timeout: 300_000 }, () => {
    let backend: SealBackend;
    let k: KubeFixture;
    let conn: KubeConnection;
    let dir: string;
    let controller: AgeKeyPair;
    let human: AgeKeyPair;
    let nowMs = Date.parse("2026-12-01T10:00:00Z");
    const secrets: string[] = [];
    const logs: string[] = [];
    const events: Array<{ type: string; reason: string; message: string }> = [];
    const fired: UnsealerAlert[] = [];
    const resolved: UnsealerAlert[] = [];
    const sink: UnsealerAlertSink = { describe: "recording sink", fire: async (a) => void fired.push(a), resolve: async (a) => void resolved.push(a) };
    const logger = (): ControllerLogger => {
      const write = (level: string) => (fields: Record<string, unknown>, msg: string) => void logs.push(JSON.stringify({ level, msg, ...fields }));
      const l: ControllerLogger = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), child: () => l };
      return l;
    };
    const settle = { attempts: 60, delayMs: 250, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

    /** One reconcile pass of object `name`, as the kit's runtime would run it. */
    const pass = async (name: string): Promise<PassResult> => {
      const kindDef = vaultUnsealerKind({ identities: async () => [controller.identity], kubeConnection: conn, alertSinks: [sink], settle });
      const raw = (await k.kube.get(vaultUnsealerResource, NS, name)) as KubeObject;
      const parsed = kindDef.parse(raw);
      assert.ok(parsed.ok, parsed.ok ? "" : parsed.message);
      const pods = (await k.kube.list(PODS, NS)).items;
      const ctx: ObserveContext = {
        live: k.kube,
        clock: { now: () => new Date(nowMs) },
        cache: (() => ({ get: () => undefined, list: () => pods, synced: async () => undefined })) as ObserveContext["cache"],
        log: logger(),
      };
      const observed = await kindDef.observe(ctx, parsed.value, raw);
      const plan = kindDef.plan(parsed.value, observed, new Date(nowMs));
      events.push(...plan.events);
      const conditions = plan.conditions.map((c) => ({ ...c, lastTransitionTime: new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z") }));
      await k.kube.patchStatus(vaultUnsealerResource, NS, name, { ...plan.status, conditions, observedGeneration: raw.metadata.generation });
      return { plan, status: (plan.status as { nodes: UnsealerNodeStatus[] }).nodes };
    };
    const passUntil = async (name: string, done: (r: PassResult) => boolean, what: string): Promise<PassResult> => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const r = await pass(name);
        if (done(r)) return r;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(r.status)}`);
        await new Promise((res) => setTimeout(res, 300));
      }
    };
    const unsealer = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: "sealbridge.io/v1alpha1", kind: "VaultUnsealer", metadata: { name, namespace: NS }, spec });
    const nodesSpec = (): Record<string, unknown> =>
      kind === "real" ? { addresses: backend.addrs } : { selector: { matchLabels: { "app.kubernetes.io/name": "vault" } }, port: 8200, via: "APIServerProxy" };

    before(async () => {
      [backend, k] = await Promise.all([startSealBackend(kind), kubeFixture()]);
      conn = await loadKubeConnection({ kubeconfig: k.kubeconfigPath, env: {} });
      await k.server.writeKubeconfig(k.kubeconfigPath);
      dir = await mkdtemp(join(tmpdir(), "sb-unsealer-"));
      [controller, human] = await Promise.all([generateAgeIdentity(), generateAgeIdentity()]);
      await k.kube.create(NAMESPACES, { metadata: { name: NS } });
      await k.kube.create(CRDS, parseYaml(await readFile(new URL("../../../crds/vaultunsealers.sealbridge.io.yaml", import.meta.url), "utf8")) as KubeObject);
      for (const [i, addr] of backend.addrs.entries()) {
        await k.kube.create(PODS, { metadata: { name: `vault-${i}`, namespace: NS, labels: { "app.kubernetes.io/name": "vault" } }, spec: { containers: [{ name: "vault", image: "openbao" }] } });
        k.server.setPodBackend(NS, `vault-${i}`, addr);
      }
      // Threshold 2 of 3: shares 1 and 2 go to the controller, share 3 to a human.
      const out = join(dir, "shares");
      await initVault(new VaultSysApi({ label: backend.addrs[0] ?? "", baseUrl: backend.addrs[0] ?? "" }), {
        shares: 3,
        threshold: 2,
        recipients: [controller.recipient, controller.recipient, human.recipient],
        rootRecipients: [human.recipient],
        outDir: out,
      });
      const files = await Promise.all([1, 2, 3].map((i) => readFile(join(out, `share-${i}.age`), "utf8")));
      for (const [i, f] of files.entries()) {
        const hex = new TextDecoder().decode(await decryptAgeFile(f, [i < 2 ? controller.identity : human.identity], "share")).trim();
        secrets.push(hex, Buffer.from(hex, "hex").toString("base64"));
      }
      await k.kube.create(SECRETS, { metadata: { name: "vault-unseal-shares", namespace: NS }, type: "Opaque", data: { "share-1.age": Buffer.from(files[0] ?? "").toString("base64") } });
      await k.kube.create(vaultUnsealerResource, unsealer("vault", { nodes: nodesSpec(), shares: [{ secretRef: { name: "vault-unseal-shares", key: "share-1.age" } }, { value: files[1] }], alertAfter: "5m" }));
      // A wrong combination for later: share 1, then share 2 with one y byte flipped (well formed).
      const bad = Buffer.from(secrets[2] ?? "", "hex");
      bad[0] = (bad[0] ?? 0) ^ 0x33;
      secrets.push(bad.toString("hex"));
      const badFile = await encryptArmoredAgeFile(new TextEncoder().encode(`${bad.toString("hex")}\n`), [controller.recipient]);
      await k.kube.create(vaultUnsealerResource, unsealer("wrong", { nodes: { addresses: [backend.addrs[2] ?? ""] }, shares: [{ value: files[0] }, { value: badFile }] }));
    });
    after(async () => {
      conn?.agent.destroy();
      await Promise.all([backend?.close(), k?.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("the controller unseals a newly initialised cluster, each node on its own", async () => {
      const first = await pass("vault");
      assert.equal(first.status[0]?.sealed, false, JSON.stringify(first.status));
      assert.deepEqual(events.filter((e) => e.reason === "NodeUnsealed").map((e) => e.message)[0], kind === "real" ? `unsealed ${backend.addrs[0]} with 2 share(s)` : "unsealed pod vault-0 with 2 share(s)");
      const all = await passUntil("vault", (r) => r.plan.outcome.kind === "ok", "every node unsealed");
      assert.deepEqual(all.status.map((s) => s.sealed), [false, false, false]);
      assert.deepEqual(all.plan.conditions[0]?.reason, "AllUnsealed");
      const stored = await k.kube.get(vaultUnsealerResource, NS, "vault");
      assert.equal(((stored?.["status"] as { conditions: Array<{ status: string }> }).conditions[0])?.status, "True");
      assert.equal(events.filter((e) => e.reason === "NodeUnsealed").length, 3);
    });

    test("restarting one node seals only it; the next pass unseals it and nothing else", async () => {
      await backend.restart(1);
      events.length = 0;
      const r = await passUntil("vault", (x) => x.plan.outcome.kind === "ok", "node 1 unsealed again");
      const name1 = kind === "real" ? backend.addrs[1] : "pod vault-1";
      assert.deepEqual(events.filter((e) => e.reason === "NodeUnsealed").map((e) => e.message), [`unsealed ${name1} with 2 share(s)`]);
      assert.ok(r.status[1]?.lastUnsealTime !== undefined && r.status[1].sealedSince === undefined);
      const states = await Promise.all(backend.addrs.map((a) => new VaultSysApi({ label: a, baseUrl: a }).sealStatus()));
      assert.deepEqual(states.map((s) => s.sealed), [false, false, false]);
    });

    test("a node left sealed raises an alert after alertAfter and resolves it once unsealed", async () => {
      // The object now only alerts (sharesToUse 0); the clock the plan sees moves on by hand.
      await k.kube.mergePatch(vaultUnsealerResource, NS, "vault", { spec: { sharesToUse: 0 } });
      await backend.restart(0);
      const t0 = await pass("vault");
      assert.equal(t0.status[0]?.sealed, true);
      assert.equal(fired.length, 0);
      nowMs += 6 * 60_000;
      const t6 = await pass("vault");
      assert.equal(t6.status[0]?.alerting, true);
      assert.deepEqual(fired.map((a) => [a.name, a.labels["node"]]), [["VaultNodeSealed", t6.status[0]?.name]]);
      assert.deepEqual(t6.plan.events.map((e) => e.reason), ["NodeSealedTooLong"]);
      await k.kube.mergePatch(vaultUnsealerResource, NS, "vault", { spec: { sharesToUse: 2 } });
      nowMs += 30_000;
      await passUntil("vault", (x) => x.plan.outcome.kind === "ok", "node 0 unsealed by the controller");
      assert.deepEqual(resolved.map((a) => a.labels["node"]), [t6.status[0]?.name]);
    });

    test("a wrong share combination is reported as such and not resubmitted on the next pass", async () => {
      await backend.restart(2);
      const first = await pass("wrong");
      assert.equal(first.status[0]?.sealed, true);
      const gen = (await k.kube.get(vaultUnsealerResource, NS, "wrong"))?.metadata.generation;
      assert.equal(first.status[0]?.wrongShares?.generation, gen);
      assert.match(first.status[0]?.message ?? "", /the shares submitted do not open this Vault; progress was reset/);
      assert.equal(first.plan.conditions[0]?.reason, "WrongShareSet");
      assert.ok(events.some((e) => e.reason === "WrongShareSet"));
      const before = backend.unsealRequests();
      const second = await pass("wrong");
      assert.equal(second.plan.conditions[0]?.reason, "WrongShareSet");
      if (before !== undefined) assert.equal(backend.unsealRequests(), before, "no share was submitted again");
      assert.equal((await new VaultSysApi({ label: "n", baseUrl: backend.addrs[2] ?? "" }).sealStatus()).progress, 0);
      // The right object unseals it.
      await passUntil("vault", (x) => x.plan.outcome.kind === "ok", "node 2 unsealed");
    });

    test("no share in any status, Event, alert or log line", async () => {
      const stored = await Promise.all(["vault", "wrong"].map((n) => k.kube.get(vaultUnsealerResource, NS, n)));
      const all = [JSON.stringify(stored.map((s) => s?.["status"])), JSON.stringify(events), JSON.stringify([...fired, ...resolved]), ...logs].join("\n");
      assert.ok(logs.length > 0 && events.length > 0);
      for (const s of secrets) assert.ok(!all.includes(s), "a share leaked");
    });
  });
}
