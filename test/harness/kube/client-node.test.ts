// The real @kubernetes/client-node 1.x works against the test server: typed CoreV1Api, Watch
// and the discovery-driven KubernetesObjectApi, all from the server's kubeconfig.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoordinationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, makeInformer, PatchStrategy, setHeaderOptions, V1MicroTime, Watch, type V1Secret } from "@kubernetes/client-node";
import { startKubeServer, type KubeTestServer } from "./index.js";

describe("@kubernetes/client-node against the test server", () => {
  let server: KubeTestServer;
  let kc: KubeConfig;

  before(async () => {
    server = await startKubeServer();
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfig());
  });
  after(async () => {
    await server.stop();
  });

  // https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/#operations
  test("CoreV1Api creates, reads, lists and replaces a Secret; a stale replace is a 409 ApiException", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "cn" } } });
    const created = await core.createNamespacedSecret({ namespace: "cn", body: { metadata: { name: "s1", labels: { app: "x" } }, stringData: { k: "v" } } });
    assert.equal(created.data?.["k"], Buffer.from("v").toString("base64"));
    assert.equal(created.type, "Opaque");
    const read = await core.readNamespacedSecret({ name: "s1", namespace: "cn" });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    const list = await core.listNamespacedSecret({ namespace: "cn", labelSelector: "app=x" });
    assert.deepEqual(list.items.map((s) => s.metadata?.name), ["s1"]);
    const replaced = await core.replaceNamespacedSecret({ name: "s1", namespace: "cn", body: { ...read, data: { k: "dzI=" } } });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    await assert.rejects(core.replaceNamespacedSecret({ name: "s1", namespace: "cn", body: { ...read, data: { k: "dzM=" } } }), (e: unknown) => {
      assert.equal((e as { code?: number }).code, 409);
      return true;
    });
    await assert.rejects(core.readNamespacedSecret({ name: "nope", namespace: "cn" }), (e: unknown) => (e as { code?: number }).code === 404);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes
  test("Watch delivers ADDED/MODIFIED/DELETED and the done callback runs when the server ends the stream", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "wn" } } });
    const list = await core.listNamespacedConfigMap({ namespace: "wn" });
    const seen: string[] = [];
    let done: (err: unknown) => void = () => undefined;
    const ended = new Promise<unknown>((r) => (done = r));
    const got3 = new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        "/api/v1/namespaces/wn/configmaps",
        { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (phase, obj: { metadata?: { name?: string } }) => {
          if (phase === "BOOKMARK") return;
          seen.push(`${phase}:${obj.metadata?.name ?? ""}`);
          if (seen.length === 3) resolve();
        },
        (err) => done(err),
      );
    });
    await core.createNamespacedConfigMap({ namespace: "wn", body: { metadata: { name: "c1" }, data: { a: "1" } } });
    await core.patchNamespacedConfigMap({ name: "c1", namespace: "wn", body: { data: { a: "2" } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: "c1", namespace: "wn" });
    await got3;
    assert.deepEqual(seen, ["ADDED:c1", "MODIFIED:c1", "DELETED:c1"]);
    server.faults.dropWatches();
    assert.equal(await ended, null);
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-uris (discovery-driven generic client)
  test("KubernetesObjectApi creates, patches, lists and deletes a custom resource after its CRD", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    await objects.create({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.test" },
      spec: {
        group: "example.test",
        scope: "Namespaced",
        names: { plural: "gadgets", singular: "gadget", kind: "Gadget" },
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { n: { type: "integer" } } } } } } }],
      },
    } as never);
    const g = await objects.create({ apiVersion: "example.test/v1", kind: "Gadget", metadata: { name: "g1", namespace: "default" }, spec: { n: 1 } } as never);
    assert.equal((g as { metadata?: { generation?: number } }).metadata?.generation, 1);
    const patched = await objects.patch(
      { apiVersion: "example.test/v1", kind: "Gadget", metadata: { name: "g1", namespace: "default" }, spec: { n: 2 } } as never,
      undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
    );
    assert.equal((patched as { metadata?: { generation?: number } }).metadata?.generation, 2);
    const list = await objects.list("example.test/v1", "Gadget", "default");
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ["g1"]);
    await objects.delete({ apiVersion: "example.test/v1", kind: "Gadget", metadata: { name: "g1", namespace: "default" } });
    assert.deepEqual(server.objects("gadgets.example.test"), []);
  });

  test("a Secret read through the client carries no stringData (folded into data on write)", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const s: V1Secret = await core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "fold" }, stringData: { p: "canary-value" } } });
    assert.equal(s.stringData, undefined);
    assert.equal(Buffer.from(s.data?.["p"] ?? "", "base64").toString(), "canary-value");
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes (list, then watch
  // from the list's resourceVersion; a 410 makes the client re-list)
  test("an informer (ListWatch) keeps its cache right across a dropped watch and expired resourceVersions", async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: "inf" } } });
    const informer = makeInformer(kc, "/api/v1/namespaces/inf/configmaps", () => core.listNamespacedConfigMap({ namespace: "inf" }));
    const added: string[] = [];
    informer.on("add", (o) => added.push(o.metadata?.name ?? ""));
    let stopped = false;
    informer.on("error", () => {
      // client-node's ListWatch stops on a watch error and leaves the restart to its user.
      if (!stopped) setTimeout(() => void (stopped || informer.start()), 10);
    });
    await informer.start();
    const names = () => informer.list().map((o) => o.metadata?.name).sort();
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cond(), `cache: ${JSON.stringify(names())}`);
    };
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "a" } } });
    await until(() => names().join() === "a");
    server.faults.dropWatches();
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "b" } } });
    await until(() => names().join() === "a,b");
    server.faults.expireResourceVersions();
    server.faults.dropWatches();
    await core.deleteNamespacedConfigMap({ name: "a", namespace: "inf" });
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "c" } } });
    await until(() => names().join() === "b,c");
    stopped = true;
    await informer.stop();
    assert.ok(added.includes("c"));
  });

  // https://kubernetes.io/docs/concepts/architecture/leases/#leader-election (optimistic concurrency decides the leader)
  test("CoordinationV1Api: two candidates race for a Lease; the stale one gets 409", async () => {
    const leases = kc.makeApiClient(CoordinationV1Api);
    const created = await leases.createNamespacedLease({ namespace: "default", body: { metadata: { name: "sealbridge-leader" }, spec: { holderIdentity: "a", leaseDurationSeconds: 15 } } });
    const seenByB = await leases.readNamespacedLease({ name: "sealbridge-leader", namespace: "default" });
    const renewed = await leases.replaceNamespacedLease({ name: "sealbridge-leader", namespace: "default", body: { ...created, spec: { ...created.spec, renewTime: new V1MicroTime() } } });
    // (A plain Date serializes with milliseconds, which kube-apiserver refuses for a MicroTime: 400.)
    assert.equal(renewed.spec?.holderIdentity, "a");
    await assert.rejects(
      leases.replaceNamespacedLease({ name: "sealbridge-leader", namespace: "default", body: { ...seenByB, spec: { ...seenByB.spec, holderIdentity: "b" } } }),
      (e: unknown) => (e as { code?: number }).code === 409,
    );
    const bad = leases.createNamespacedLease({ namespace: "default", body: { metadata: { name: "bad" }, spec: { leaseDurationSeconds: 0 } } });
    await assert.rejects(bad, (e: unknown) => (e as { code?: number }).code === 422);
  });
});
