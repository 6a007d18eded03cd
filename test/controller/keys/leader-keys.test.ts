/**
 * Two `sealbridge controller --leader-elect` processes on an empty cluster (the test servers, or
 * with SEALBRIDGE_BACKEND=real a real kube-apiserver): only the leader
 * creates the sealing key, the age identity and the key backup; the standby loads them through
 * its watch and answers /v1/cert.pem, /v1/verify, /v1/rotate and /v1/age-recipient the same.
 * A standby that takes over after a clean stop makes no new key.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { hybridEncrypt } from "../../../src/crypto/hybrid-encryption.js";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { startController, waitFor } from "../../support/controller-process.js";
import type { ControllerProcess } from "../../support/controller-process.js";
import { backendClusterFixture, kubectlApply } from "../support/controller-fixtures.js";
import type { BackendClusterFixture } from "../support/controller-fixtures.js";

const NS = "sealbridge";
const LEASE_ARGS = ["--leader-elect", "--lease-duration", "3s", "--lease-renew-deadline", "2s", "--lease-retry-period", "200ms"];

async function keySecrets(f: BackendClusterFixture): Promise<KubeObject[]> {
  return (await f.backend.list(`/api/v1/namespaces/${NS}/secrets`)).filter((s) => s.metadata.labels?.["sealedsecrets.bitnami.com/sealed-secrets-key"] === "active");
}

async function certOf(c: ControllerProcess): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${c.port}/v1/cert.pem`);
  return res.status === 200 ? res.text() : undefined;
}

async function leaseHolder(f: BackendClusterFixture): Promise<string | undefined> {
  const lease = await f.backend.get(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/sealbridge-controller`);
  return (lease?.["spec"] as { holderIdentity?: string } | undefined)?.holderIdentity;
}

describe("sealing keys with two replicas and leader election", { timeout: 300_000 }, () => {
  let f: BackendClusterFixture;
  const running: ControllerProcess[] = [];

  before(async () => {
    f = await backendClusterFixture({ namespaces: [NS, "demo"], crds: ["sealedsecrets.bitnami.com.yaml", "agesecrets.sealbridge.io.yaml"], vault: false });
  });
  after(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await f?.close();
  });

  test("only the leader creates keys and the backup; the standby serves the same keys", async () => {
    // A lease held by another replica: both processes start as standbys and load no keys; once it
    // is deleted one of them takes over, so the standby can only learn the key from its watch.
    const now = new Date().toISOString().replace("Z", "000Z");
    await kubectlApply(f.ws, [
      {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: "sealbridge-controller", namespace: NS },
        spec: { holderIdentity: "gone", leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
      },
    ]);
    const backup = (await generateAgeIdentity()).recipient;
    const args = ["--namespace", NS, ...LEASE_ARGS, "--key-backup-recipient", backup, "--shutdown-timeout", "5s"];
    const [a, b] = await Promise.all([startController(f.ws, args), startController(f.ws, args)]);
    running.push(a, b);
    assert.equal(await certOf(a), undefined, "no keys before anyone leads");
    assert.equal(await certOf(b), undefined, "no keys before anyone leads");
    const deleted = await f.ws.kubectl(["delete", "lease", "sealbridge-controller", "-n", NS]);
    assert.equal(deleted.code, 0, deleted.stderr);

    await waitFor("a leader", async () => {
      const h = await leaseHolder(f);
      return h !== "gone" && h;
    }, 60_000);
    const certA = await waitFor("a's cert", () => certOf(a), 60_000);
    const certB = await waitFor("b's cert", () => certOf(b), 60_000);
    assert.equal(certB, certA, "the standby serves the leader's certificate");
    assert.equal((await keySecrets(f)).length, 1, "exactly one key Secret");
    const recipientOf = async (c: ControllerProcess) => {
      const res = await fetch(`http://127.0.0.1:${c.port}/v1/age-recipient`);
      return res.status === 200 ? res.text() : undefined;
    };
    // The leader makes the age identity just after the sealing key: the standby may see them apart.
    const recipientA = await waitFor("a's age recipient", () => recipientOf(a), 60_000);
    const recipientB = await waitFor("b's age recipient", () => recipientOf(b), 60_000);
    assert.match(recipientB, /^age1/);
    const ages = (await f.backend.list(`/api/v1/namespaces/${NS}/secrets`)).filter((s) => s.metadata.labels?.["sealbridge.io/age-identity"] === "active");
    assert.equal(ages.length, 1, "exactly one age identity");
    assert.equal(recipientB, recipientA);
    await waitFor("the key backup", () => f.backend.get(`/api/v1/namespaces/${NS}/configmaps/sealbridge-key-backup`), 60_000);

    // Only the leader wrote: "sealing keys loaded" (the leader's start) and "key backup written".
    // The log line reaches the pipe a little after the ConfigMap write: wait for it (busy CI).
    await waitFor("the leader's backup log line", () => a.output().includes('"key backup written"') || b.output().includes('"key backup written"'), 60_000);
    const [leader, standby] = a.output().includes('"sealing keys loaded"') ? [a, b] : [b, a];
    assert.match(leader.output(), /"key backup written"/);
    assert.doesNotMatch(standby.output(), /"sealing keys loaded"|"key backup written"|"keys renewed"/);

    // /v1/verify and /v1/rotate answer on the standby with the leader's key.
    const pub = new X509Certificate(certA).publicKey;
    const ss = {
      apiVersion: "bitnami.com/v1alpha1",
      kind: "SealedSecret",
      metadata: { name: "db", namespace: "demo" },
      spec: { encryptedData: { password: hybridEncrypt(pub, "demo/db", Buffer.from("s3cr3t-standby")).toString("base64") } },
    };
    const verify = await fetch(`http://127.0.0.1:${standby.port}/v1/verify`, { method: "POST", body: JSON.stringify(ss) });
    assert.equal(verify.status, 200);
    const rotate = await fetch(`http://127.0.0.1:${standby.port}/v1/rotate`, { method: "POST", body: JSON.stringify(ss) });
    assert.equal(rotate.status, 200);
    assert.doesNotMatch(await rotate.text(), /s3cr3t-standby/);

    // The leader stops cleanly; the standby takes over at once and makes no second key.
    const leaderName = await leaseHolder(f);
    assert.equal(await leader.stop(), 0);
    await waitFor("the standby leads", async () => {
      const h = await leaseHolder(f);
      return h && h !== leaderName;
    }, 60_000);
    await waitFor("the new leader's start", () => standby.output().includes('"sealing keys loaded"'), 60_000);
    assert.equal((await keySecrets(f)).length, 1, "still exactly one key Secret after the handover");
    assert.equal(await certOf(standby), certA);
  });
});
