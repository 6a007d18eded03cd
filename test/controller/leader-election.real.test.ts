/**
 * Two `sealbridge controller --leader-elect` processes on a real API server, both under the
 * ServiceAccount of the RBAC source: one leads (the Lease names it); a graceful stop hands the
 * Lease over at once; a leader killed with SIGKILL in the middle of syncing sixty objects is
 * replaced once its Lease expires, and in the end every SealedSecret and ExternalSecret has its
 * Secret with the right content — nothing lost, nothing half written.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import type { KubeObject } from "../../src/kube/types.js";
import { installControllerIdentity } from "../harness/realstack/controller-identity.js";
import { realFixture, until, CRDS_DIR, FIXTURES } from "../harness/realstack/real-fixture.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { startController } from "../support/controller-process.js";
import type { ControllerProcess, KubeWorkspace } from "../support/controller-process.js";
import { waitEstablished } from "../support/crd-wait.js";

const NS = "sealbridge";
const CANARY = `CANARY-${randomBytes(6).toString("hex")}`;
const KEY_DIR = join(FIXTURES, "sealed-secrets", "go-generated-key");
const ARGS = ["--log-level", "debug", "--concurrency", "1", "--namespace", NS, "--key-renew-period", "0", "--resync-period", "5s", "--leader-elect", "--lease-duration", "4s", "--lease-renew-deadline", "3s", "--lease-retry-period", "500ms", "--shutdown-timeout", "5s"];
const N = 60;

describe("leader election and a SIGKILL mid-sync on a real API server", { timeout: 500_000 }, () => {
  let f: RealFixture;
  let ws: KubeWorkspace;
  const running: ControllerProcess[] = [];

  const holder = async (): Promise<string | undefined> =>
    ((await f.admin.get(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/sealbridge-controller`)) as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
  /** Which process holds the lease (its identity is logged with "became leader"). */
  const leaderOf = async (procs: ControllerProcess[]): Promise<ControllerProcess | undefined> => {
    const id = await holder();
    if (id === undefined || id === "") return undefined;
    return procs.find((p) => p.output().split("\n").some((l) => l.includes('"leader election: became leader"') && l.includes(`"holder":"${id}"`)));
  };

  before(async () => {
    f = await realFixture();
    for (const file of readdirSync(CRDS_DIR).filter((x) => x.endsWith(".yaml"))) assert.equal((await f.ws.kubectl(["apply", "--server-side", "-f", join(CRDS_DIR, file)])).code, 0);
    assert.equal((await waitEstablished((a) => f.ws.kubectl(a), ["crd", "--all"])).code, 0);
    const { token } = await installControllerIdentity(f.admin, { namespace: NS });
    ws = f.workspaceFor(token);
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "work" } });
    await f.apply([{
      apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
      metadata: { name: "sealed-secrets-keyle4d3", namespace: NS, labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
      data: { "tls.crt": readFileSync(join(KEY_DIR, "tls.crt")).toString("base64"), "tls.key": readFileSync(join(KEY_DIR, "tls.key")).toString("base64") },
    }]);
    await f.bao("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
    const readerToken = (await f.bao<{ auth: { client_token: string } }>("POST", "auth/token/create", { policies: ["reader"], ttl: "2h" })).auth.client_token;
    await f.admin.ensure("/api/v1/namespaces/work/secrets", { metadata: { name: "vault-token" }, stringData: { token: readerToken } });
    await f.apply([{ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "bao", namespace: "work" }, spec: { provider: { vault: { server: f.stack.vault!.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } }]);
    for (let i = 0; i < N; i++) await f.bao("POST", `secret/data/item-${i}`, { data: { v: `${CANARY}-es-${i}` } });
  });

  after(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await f?.close();
  });

  test("one of two processes leads; a graceful stop hands the Lease over at once", async () => {
    const [a, b] = await Promise.all([startController(ws, ARGS, 120_000), startController(ws, ARGS, 120_000)]);
    running.push(a, b);
    const first = await until("a leader", () => leaderOf([a, b]), 60_000);
    const other = first === a ? b : a;
    assert.equal(await first.stop(), 0);
    running.splice(running.indexOf(first), 1);
    assert.match(first.output(), /"leader election: released lease"/);
    await until("the other takes over", async () => (await leaderOf([other])) === other, 20_000);
  });

  test("the leader killed with SIGKILL mid-sync: the standby finishes, nothing is lost", async () => {
    const standby = await startController(ws, ARGS, 120_000);
    running.push(standby);
    const leader = running.find((p) => p !== standby)!;
    assert.equal(await leaderOf([leader, standby]), leader);

    const pub = new X509Certificate(readFileSync(join(KEY_DIR, "tls.crt"))).publicKey;
    const objs: KubeObject[] = [];
    for (let i = 0; i < N; i++) {
      objs.push({ apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: `ss-${i}`, namespace: "work" }, spec: { encryptedData: { v: hybridEncrypt(pub, `work/ss-${i}`, Buffer.from(`${CANARY}-ss-${i}`)).toString("base64") } } });
      objs.push({ apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: `es-${i}`, namespace: "work" }, spec: { refreshInterval: "1h", secretStoreRef: { name: "bao", kind: "SecretStore" }, target: { name: `es-${i}` }, data: [{ secretKey: "v", remoteRef: { key: `item-${i}`, property: "v" } }] } });
    }
    await f.apply(objs);
    const made = async () => ((await f.admin.must("GET", "/api/v1/namespaces/work/secrets")) as { items: KubeObject[] }).items.filter((s) => /^(ss|es)-/.test(s.metadata.name ?? "")).length;
    // SIGKILL as soon as the leader logs its first reconcile: most of the work is still ahead.
    await until("the sync under way", () => leader.output().includes('"reconciled"'), 60_000);
    await leader.kill();
    running.splice(running.indexOf(leader), 1);
    const atKill = await made();
    assert.ok(atKill < 2 * N, `killed mid-sync (${atKill} of ${2 * N} Secrets made)`);
    process.stderr.write(`leader killed with ${atKill} of ${2 * N} Secrets made\n`);

    await until("the standby leads", async () => (await leaderOf([standby])) === standby, 30_000);
    await until(`all ${2 * N} Secrets (had ${atKill} at the kill)`, async () => (await made()) === 2 * N, 180_000);
    for (let i = 0; i < N; i++) {
      assert.equal((await f.secretData("work", `ss-${i}`))?.["v"], `${CANARY}-ss-${i}`, `ss-${i}`);
      assert.equal((await f.secretData("work", `es-${i}`))?.["v"], `${CANARY}-es-${i}`, `es-${i}`);
    }
    for (let i = 0; i < N; i++) {
      const c = await until(`es-${i} Ready`, () => f.condition(`/apis/external-secrets.io/v1/namespaces/work/externalsecrets/es-${i}`, "Ready"), 60_000);
      assert.equal(c.status, "True", `es-${i}: ${c.message ?? ""}`);
      const s = await until(`ss-${i} Synced`, () => f.condition(`/apis/bitnami.com/v1alpha1/namespaces/work/sealedsecrets/ss-${i}`, "Synced"), 60_000);
      assert.equal(s.status, "True", `ss-${i}: ${s.message ?? ""}`);
    }
    assert.ok(!standby.output().includes(CANARY), "no value in the logs");
  });
});
