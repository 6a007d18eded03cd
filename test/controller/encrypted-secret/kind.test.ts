/**
 * The SealedSecret kind through the kit over the real test server and client, one runtime pass
 * at a time (no workers, manual timers): a second pass over an unchanged object does no RSA work
 * and no writes, for a good and for a broken SealedSecret; a new key set retries a failure; a
 * changed value restarts a workload annotated `sealbridge.io/reload` once.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { hybridDecrypt, hybridEncrypt } from "../../../src/crypto/hybrid-encryption.js";
import { SEALED_SECRETS, sealedSecretReconciler } from "../../../src/controller/sealed-secret/index.js";
import { StalledMemory } from "../../../src/controller/runtime/outcome.js";
import { runReconcilePass } from "../../../src/controller/runtime/reconcile-pass.js";
import { WorkQueue } from "../../../src/controller/runtime/work-queue.js";
import { ManualTimers } from "../runtime/manual-timers.js";
import type { ControllerKeys } from "../../../src/controller/keys/controller-keys.js";
import { SECRETS } from "../../../src/kube/resources.js";
import type { ObjectCache, ReconcileContext } from "../../../src/controller/types.js";
import { HttpKubeClient } from "../../../src/kube/client.js";
import { loadKubeConnection } from "../../../src/kube/config.js";
import type { KubeObject, ResourceRef } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";
import { startKubeServer } from "../../harness/kube/index.js";
import type { KubeTestServer } from "../../harness/kube/index.js";
import { kubeWorkspace } from "../../support/controller-process.js";
import type { KubeWorkspace } from "../../support/controller-process.js";
import { goGeneratedKey } from "../../support/openssl-keys.js";
import { fileURLToPath } from "node:url";

const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true };
const NS: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };

describe("the encrypted kind through the kit", () => {
  let server: KubeTestServer;
  let ws: KubeWorkspace;
  let kube: HttpKubeClient;
  let close: () => void;
  const go = createPrivateKey(goGeneratedKey().privateKeyPem);
  let keySet: KeyObject[] = [];
  let version = 1;
  let decrypts = 0;
  const events: string[] = [];
  const keys = { get privateKeys() { return keySet; }, get version() { return version; }, start: async () => undefined } as unknown as ControllerKeys;
  const reconciler = sealedSecretReconciler(keys, {
    decrypt: (k, label, ct) => {
      decrypts++;
      return hybridDecrypt(k, label, ct);
    },
  });
  const queue = new WorkQueue({ timers: new ManualTimers() });
  const stalled = new StalledMemory();
  const cacheOf = (resource: string): ObjectCache => ({
    get: (key) => server.objects(resource, key.split("/")[0]).find((o) => `${o.metadata.namespace}/${o.metadata.name}` === key),
    list: (ns) => server.objects(resource, ns),
    synced: async () => undefined,
  });
  let ctx: ReconcileContext;
  /** One runtime pass (the runtime remembers what stalled, and at which key version). */
  const pass = (key: string): Promise<void> =>
    runReconcilePass({ reconciler, ctx, primary: cacheOf("sealedsecrets.bitnami.com"), queue, stalled, kube, clock: ctx.clock, metrics: undefined }, key);

  before(async () => {
    server = await startKubeServer();
    ws = await kubeWorkspace(server);
    assert.equal((await ws.kubectl(["apply", "-f", fileURLToPath(new URL("../../../crds/sealedsecrets.bitnami.com.yaml", import.meta.url))])).code, 0);
    const connection = await loadKubeConnection({ kubeconfig: ws.kubeconfig, env: {} });
    close = () => connection.agent.destroy();
    kube = new HttpKubeClient(connection);
    await kube.create(NS, { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } });
    ctx = {
      kube,
      clock: { now: () => new Date() },
      cache: <T extends KubeObject>(r: ResourceRef) => cacheOf(r === SECRETS ? "secrets" : "sealedsecrets.bitnami.com") as unknown as ObjectCache<T>,
      event: async (_o, type, reason) => void events.push(`${type}/${reason}`),
      log: silentLogger,
    };
  });
  after(async () => {
    close();
    await server.stop();
    ws.cleanup();
  });

  async function sealedSecret(name: string, value: string, label = `prod/${name}`): Promise<void> {
    await kube.create(SEALED_SECRETS, {
      apiVersion: "bitnami.com/v1alpha1",
      kind: "SealedSecret",
      metadata: { name, namespace: "prod" },
      spec: { encryptedData: { a: hybridEncrypt(createPublicKey(go), label, Buffer.from(value)).toString("base64"), b: hybridEncrypt(createPublicKey(go), label, Buffer.from(value)).toString("base64") } },
    });
  }

  test("a good object: decrypted and written once; the second pass does nothing", async () => {
    keySet = [go];
    await sealedSecret("good", "v");
    server.counters.reset();
    await pass("prod/good");
    assert.equal(decrypts, 2);
    const writes = server.counters.writes();
    assert.equal(writes, 2, "the Secret and the status");
    assert.deepEqual(events, ["Normal/Unsealed"]);
    await pass("prod/good");
    assert.equal(decrypts, 2, "no RSA work on the second pass");
    assert.equal(server.counters.writes(), writes, "no writes on the second pass");
  });

  test("a broken object: reported once; retried only when the key set changes", async () => {
    decrypts = 0;
    events.length = 0;
    await sealedSecret("broken", "v", "prod/elsewhere");
    server.counters.reset();
    await pass("prod/broken");
    assert.equal(decrypts, 2);
    assert.equal(server.counters.writes(), 1, "the status");
    assert.deepEqual(events, ["Warning/ErrUnsealFailed"]);
    await pass("prod/broken");
    assert.equal(decrypts, 2, "not decrypted again");
    assert.equal(server.counters.writes(), 1);
    assert.equal(events.length, 1, "not reported again");
    version++;
    await pass("prod/broken");
    assert.equal(decrypts, 4, "a new key set retries");
    assert.equal(server.objects("secrets", "prod").some((s) => s.metadata.name === "broken"), false);
  });

  test("a changed value restarts a workload annotated sealbridge.io/reload once; creation and resyncs do not", async () => {
    keySet = [go];
    await kube.create(DEPLOYMENTS, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "app", namespace: "prod", annotations: { "sealbridge.io/reload": "auto" } },
      spec: {
        selector: { matchLabels: { app: "app" } },
        template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "busybox", envFrom: [{ secretRef: { name: "rot" } }] }] } },
      },
    });
    for (const [plural, kind] of [["statefulsets", "StatefulSet"], ["daemonsets", "DaemonSet"]] as const) {
      await kube.create({ group: "apps", version: "v1", plural, kind, namespaced: true }, {
        apiVersion: "apps/v1",
        kind,
        metadata: { name: "app", namespace: "prod", annotations: { "sealbridge.io/reload": "other, rot" } },
        spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "busybox" }] } } },
      });
    }
    const restartedAt = (resource: string) =>
      (server.objects(resource, "prod").find((d) => d.metadata.name === "app")?.["spec"] as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations?.[
        "sealbridge.io/restartedAt"
      ];
    const podAnnotations = () =>
      (server.objects("deployments.apps", "prod").find((d) => d.metadata.name === "app")?.["spec"] as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata
        ?.annotations ?? {};
    await sealedSecret("rot", "one");
    await pass("prod/rot");
    assert.equal(podAnnotations()["sealbridge.io/restartedAt"], undefined, "creating the Secret restarts nothing");
    assert.equal(restartedAt("statefulsets.apps"), undefined);
    const obj = server.objects("sealedsecrets.bitnami.com", "prod").find((o) => o.metadata.name === "rot");
    const enc = hybridEncrypt(createPublicKey(go), "prod/rot", Buffer.from("two")).toString("base64");
    await kube.replace(SEALED_SECRETS, { ...obj, spec: { encryptedData: { a: enc, b: enc } } } as KubeObject);
    await pass("prod/rot");
    const restarted = podAnnotations()["sealbridge.io/restartedAt"];
    assert.ok(restarted, "the changed value restarted the Deployment");
    assert.ok(restartedAt("statefulsets.apps") && restartedAt("daemonsets.apps"), "StatefulSet and DaemonSet naming the Secret restarted too");
    const hashes = podAnnotations()["sealbridge.io/reload-hashes"];
    assert.ok(!(hashes ?? "").includes("two") && !(hashes ?? "").includes(Buffer.from("two").toString("base64")));
    const generation = server.objects("deployments.apps", "prod").find((d) => d.metadata.name === "app")?.metadata.generation;
    await pass("prod/rot");
    assert.equal(server.objects("deployments.apps", "prod").find((d) => d.metadata.name === "app")?.metadata.generation, generation, "a resync restarts nothing");
    assert.equal(podAnnotations()["sealbridge.io/restartedAt"], restarted);
  });
});
