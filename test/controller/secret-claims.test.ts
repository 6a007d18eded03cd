/**
 * Issue 8, the Secret a sealing kind writes, against a running `sealbridge controller`:
 * - two kinds aimed at one Secret (an AgeSecret and a SealedSecret of the same namespace/name,
 *   an ExternalSecret with creationPolicy Orphan or Merge) do not fight: the owner reference
 *   decides, the second claimant reports the conflict (Synced=False naming the owner, one Event)
 *   and writes nothing;
 * - a changed spec.template.type recreates the Secret (type is immutable);
 * - after a start with other keys, status says whether the current keys open the object, and
 *   says it again when the key set changes (no restart, no Secret deleted).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, X509Certificate } from "node:crypto";
import { encryptAgeValue } from "../../src/crypto/age-envelope.js";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import type { KubeObject } from "../../src/kube/types.js";
import { startVaultServer } from "../harness/vault/index.js";
import type { VaultTestCluster } from "../harness/vault/index.js";
import { startController, waitFor } from "../support/controller-process.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { keySecret, opensslKey } from "../support/openssl-keys.js";
import type { TestKey } from "../support/openssl-keys.js";
import { clusterFixture, sampleOf, scrapeMetrics } from "./support/controller-fixtures.js";
import type { ClusterFixture } from "./support/controller-fixtures.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;
const NS = "a";

function sealedSecret(name: string, key: TestKey, values: Record<string, string>, type?: string): KubeObject {
  const pub = new X509Certificate(key.certificatePem).publicKey;
  const encryptedData = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, hybridEncrypt(pub, `${NS}/${name}`, Buffer.from(v)).toString("base64")]));
  return { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name, namespace: NS }, spec: { encryptedData, ...(type ? { template: { type } } : {}) } };
}

describe("the Secret of a sealing kind (issue 8)", { timeout: 240_000 }, () => {
  let f: ClusterFixture;
  let vault: VaultTestCluster;
  let controller: ControllerProcess | undefined;
  const keyA = opensslKey();
  const keyB = opensslKey();

  const secret = (name: string) => f.server.objects("secrets", NS).find((s) => s.metadata.name === name);
  const condition = (resource: string, name: string, type: string) =>
    ((f.server.objects(resource, NS).find((o) => o.metadata.name === name)?.["status"] as { conditions?: Array<Record<string, string>> } | undefined)?.conditions ?? []).find((c) => c["type"] === type);
  const secretWrites = () => f.server.counters.log().filter((r) => r.method !== "GET" && r.path.startsWith(`/api/v1/namespaces/${NS}/secrets`)).length;
  const eventsFor = (kind: string, name: string) =>
    f.server.objects("events", NS).filter((e) => {
      const io = e["involvedObject"] as { kind?: string; name?: string } | undefined;
      return io?.kind === kind && io.name === name;
    });
  const start = async (resync = "1s") => {
    controller = await startController(f.ws, ["--namespace", "sealbridge", "--key-renew-period", "0", "--resync-period", resync]);
    await waitFor("ready", async () => (await fetch(`http://127.0.0.1:${controller!.port}/readyz`)).status === 200, 60_000);
    return controller;
  };
  /** Waits until the controller has made `n` more SealedSecret passes (resyncs every second): time has passed for a fight to show. */
  const passes = async (c: ControllerProcess, n: number) => {
    const count = async () => sampleOf(await scrapeMetrics(c), "sealbridge_reconcile_total", { kind: "sealedsecret", result: "success" });
    const before = await count();
    await waitFor(`${n} more reconcile passes`, async () => (await count()) >= before + n, 30_000);
  };

  before(async () => {
    f = await clusterFixture({ namespaces: ["sealbridge", NS] });
    vault = await startVaultServer({ mode: "dev" });
    const res = await fetch(`${vault.addr}/v1/secret/data/app`, {
      method: "POST",
      headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" },
      body: JSON.stringify({ data: { url: CANARY } }),
    });
    assert.equal(res.status, 200);
    await f.apply([keySecret("sealed-secrets-keyaaaaa", keyA)]);
  });
  after(async () => {
    await controller?.stop();
    await vault?.stop();
    await f?.close();
  });

  test("an AgeSecret aimed at a SealedSecret's Secret: Synced=False naming the owner, one Event, zero writes", async () => {
    const c = await start();
    await f.apply([sealedSecret("strict1", keyA, { password: `${CANARY}-ss` })]);
    await waitFor("the SealedSecret's Secret", () => condition("sealedsecrets.bitnami.com", "strict1", "Synced")?.["status"] === "True" && secret("strict1"));
    const recipient = (await (await fetch(`http://127.0.0.1:${c.port}/v1/age-recipient`)).text()).trim();
    const armored = await encryptAgeValue(Buffer.from(`${CANARY}-age`), "strict", NS, "strict1", [recipient]);
    f.server.counters.reset();
    await f.apply([{ apiVersion: "sealbridge.io/v1alpha1", kind: "AgeSecret", metadata: { name: "strict1", namespace: NS }, spec: { encryptedData: { token: armored } } }]);
    const synced = await waitFor("the AgeSecret reports the conflict", () => {
      const s = condition("agesecrets.sealbridge.io", "strict1", "Synced");
      return s?.["status"] === "False" ? s : undefined;
    });
    assert.equal(synced["message"], "Secret a/strict1 is managed by SealedSecret a/strict1");
    await passes(c, 3);
    assert.equal(secretWrites(), 0, "no Secret write while the two claim it");
    const events = eventsFor("AgeSecret", "strict1").filter((e) => e["type"] === "Warning");
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]?.["count"] ?? 1, 1, "one Event, not repeated");
    assert.match(String(events[0]?.["message"]), /managed by SealedSecret a\/strict1/);
    assert.equal(condition("sealedsecrets.bitnami.com", "strict1", "Synced")?.["status"], "True", "the owner stays synced");
    const data = secret("strict1")?.["data"] as Record<string, string>;
    assert.equal(Buffer.from(data["password"] ?? "", "base64").toString(), `${CANARY}-ss`);
    assert.equal(data["token"], undefined);
  });

  for (const creationPolicy of ["Orphan", "Merge"] as const) {
    test(`an ExternalSecret (creationPolicy ${creationPolicy}) aimed at a SealedSecret's Secret reports the conflict and writes nothing`, async () => {
      const c = controller ?? (await start());
      const name = `es-${creationPolicy.toLowerCase()}`;
      f.server.counters.reset();
      await f.apply([
        { apiVersion: "v1", kind: "Secret", metadata: { name: `token-${name}`, namespace: NS }, stringData: { token: vault.rootToken ?? "" } },
        {
          apiVersion: "external-secrets.io/v1",
          kind: "SecretStore",
          metadata: { name: `vault-${name}`, namespace: NS },
          spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: `token-${name}`, key: "token" } } } } },
        },
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name, namespace: NS },
          spec: {
            refreshInterval: "1h",
            secretStoreRef: { name: `vault-${name}`, kind: "SecretStore" },
            target: { name: "strict1", creationPolicy },
            data: [{ secretKey: "url", remoteRef: { key: "app", property: "url" } }],
          },
        },
      ]);
      const writesBefore = secretWrites();
      const ready = await waitFor("the ExternalSecret reports the conflict", () => {
        const r = condition("externalsecrets.external-secrets.io", name, "Ready");
        return r && r["status"] === "False" ? r : undefined;
      });
      assert.equal(ready["reason"], "SecretSyncedError");
      assert.match(String(ready["message"]), /Secret a\/strict1 is managed by SealedSecret a\/strict1/);
      await passes(c, 2);
      assert.equal(secretWrites(), writesBefore, "no write to the SealedSecret's Secret");
      assert.equal((secret("strict1")?.["data"] as Record<string, string>)["url"], undefined);
    });
  }

  test("a changed spec.template.type recreates the Secret (type is immutable) and stays Synced", async () => {
    const c = controller ?? (await start());
    await f.apply([sealedSecret("typed", keyA, { password: `${CANARY}-t` })]);
    const first = await waitFor("the Opaque Secret", () => (secret("typed")?.["type"] === "Opaque" ? secret("typed") : undefined));
    await f.apply([sealedSecret("typed", keyA, { password: `${CANARY}-t` }, "kubernetes.io/basic-auth")]);
    const second = await waitFor("the retyped Secret", () => (secret("typed")?.["type"] === "kubernetes.io/basic-auth" ? secret("typed") : undefined), 30_000);
    assert.notEqual(second.metadata.uid, first.metadata.uid, "deleted and created again");
    assert.equal(Buffer.from((second["data"] as Record<string, string>)["password"] ?? "", "base64").toString(), `${CANARY}-t`);
    await waitFor("Synced=True", () => condition("sealedsecrets.bitnami.com", "typed", "Synced")?.["status"] === "True");
    assert.doesNotMatch(c.output(), new RegExp(CANARY));
  });

  test("started with other keys: Synced=False while no current key opens it (Secret kept); True again once the key is back", async () => {
    await controller?.stop();
    controller = undefined;
    // A migration pointed at the wrong key Secrets: key A replaced by key B.
    await f.ws.kubectl(["-n", "sealbridge", "delete", "secret", "sealed-secrets-keyaaaaa"]);
    await f.apply([keySecret("sealed-secrets-keybbbbb", keyB)]);
    const kept = secret("typed");
    // No resync during the test: only the start and the key set change make it look again.
    const c = await start("10m");
    const synced = await waitFor("Synced=False with the other keys", () => {
      const s = condition("sealedsecrets.bitnami.com", "typed", "Synced");
      return s?.["status"] === "False" ? s : undefined;
    }, 30_000);
    assert.match(String(synced["message"]), /cannot decrypt|no private key opens/);
    assert.equal(secret("typed")?.metadata.resourceVersion, kept?.metadata.resourceVersion, "the last good Secret is kept as it was");

    // The right key comes back: the key set changed, so the objects are checked again.
    await f.apply([keySecret("sealed-secrets-keyaaaaa", keyA)]);
    await waitFor("Synced=True once the key is back", () => condition("sealedsecrets.bitnami.com", "typed", "Synced")?.["status"] === "True", 30_000);
    assert.doesNotMatch(c.output(), new RegExp(CANARY));
  });
});
