/**
 * Keys against the Kubernetes test server (or, with SEALBRIDGE_BACKEND=real, a real kube-apiserver): the key store creates, renews (injected clock) and
 * retires keys; a fresh controller makes its RSA-4096 key and age identity and writes the
 * age-encrypted backup ConfigMap; `sealbridge keys backup` and `keys restore` (real processes,
 * real kubeconfig) move the keys to a new cluster; SIGKILL mid-work and a restart converge with
 * no Secret lost or duplicated.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import { hybridEncrypt } from "../../../src/crypto/hybrid-encryption.js";
import { generateSealingKey } from "../../../src/crypto/sealing-key.js";
import { AgeIdentityStore } from "../../../src/controller/keys/age-identity.js";
import { ControllerKeys } from "../../../src/controller/keys/controller-keys.js";
import { decryptKeyBackup } from "../../../src/controller/keys/key-backup.js";
import { silentLogger } from "../../../src/log.js";
import { SEALING_KEY_LABEL } from "../../../src/controller/keys/key-registry.js";
import { KeyStore } from "../../../src/controller/keys/key-store.js";
import { SECRETS } from "../../../src/kube/resources.js";
import { HttpKubeClient } from "../../../src/kube/client.js";
import { loadKubeConnection } from "../../../src/kube/config.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { SEALED_SECRETS } from "../../../src/controller/sealed-secret/index.js";
import { startBackend } from "../../harness/realstack/backend.js";
import type { Backend } from "../../harness/realstack/backend.js";
import { kubeWorkspace, run, startController, waitFor } from "../../support/controller-process.js";
import type { KubeWorkspace } from "../../support/controller-process.js";
import { goGeneratedKey, keySecret } from "../../support/openssl-keys.js";
import { fileURLToPath } from "node:url";
import { waitEstablished } from "../../support/crd-wait.js";

const CLI = fileURLToPath(new URL("../../support/cli.ts", import.meta.url));
const CRDS = fileURLToPath(new URL("../../../crds/", import.meta.url));
const DAY = 24 * 3600 * 1000;
const SECRETS_NS = "/api/v1/namespaces/sealbridge/secrets";
const CM = "/api/v1/namespaces/sealbridge/configmaps";
const SS_BULK = "/apis/bitnami.com/v1alpha1/namespaces/bulk/sealedsecrets";

/** Objects at an API list path, read through the API (either backend). */
const objects = (server: Backend, path: string) => server.list(path);

async function setup(): Promise<{ server: Backend; ws: KubeWorkspace; kube: HttpKubeClient; close(): Promise<void> }> {
  const server = await startBackend({ vault: false });
  const ws = await kubeWorkspace(server.kube);
  assert.equal((await ws.kubectl(["apply", "--server-side", "-f", CRDS])).code, 0);
  assert.equal((await waitEstablished((a) => ws.kubectl(a), ["crd", "--all"])).code, 0);
  assert.equal((await ws.kubectl(["create", "namespace", "sealbridge"])).code, 0);
  const connection = await loadKubeConnection({ kubeconfig: ws.kubeconfig, env: {} });
  const kube = new HttpKubeClient(connection);
  return {
    server,
    ws,
    kube,
    async close() {
      connection.agent.destroy();
      await server.stop();
      ws.cleanup();
    },
  };
}

describe("key store against the test server", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("creates the first key, renews after the period, keeps old keys, skips retired ones", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const clock = { now: () => now };
    const store = new KeyStore({
      kube: env.kube,
      clock,
      namespace: "sealbridge",
      keyPrefix: "sealed-secrets-key",
      renewPeriodMs: 30 * DAY,
      generate: () => generateSealingKey({ bits: 2048, clock }),
    });
    const changes: number[] = [];
    store.onChange((r) => void changes.push(r.keys.length));
    assert.equal(await store.ensureCurrent(), true);
    assert.equal(await store.ensureCurrent(), false, "not due yet");
    const first = store.registry.keys[0]?.secretName;
    assert.match(first ?? "", /^sealed-secrets-key[a-z0-9]{5}$/);
    const stored = (await objects(env.server, SECRETS_NS)).find((s) => s.metadata.name === first);
    assert.equal(stored?.["type"], "kubernetes.io/tls");
    assert.equal(stored?.metadata.labels?.[SEALING_KEY_LABEL], "active");
    assert.equal(store.msUntilRenewal(), 30 * DAY);

    now = new Date("2026-01-31T00:00:01Z");
    assert.equal(await store.ensureCurrent(), true, "renewed");
    assert.equal(store.registry.keys.length, 2);
    assert.notEqual(store.registry.keys[0]?.secretName, first, "the new key seals");
    assert.equal(store.registry.keys[1]?.secretName, first, "the old key still decrypts");
    assert.deepEqual(changes, [1, 2]);

    const retired = (await objects(env.server, SECRETS_NS)).find((s) => s.metadata.name === first);
    assert.ok(retired);
    const r = await env.ws.kubectl(["label", "secret", first ?? "", "-n", "sealbridge", `${SEALING_KEY_LABEL}=compromised`, "--overwrite"]);
    assert.equal(r.code, 0, r.stderr);
    await store.load();
    assert.deepEqual(store.registry.keys.map((k) => k.secretName).includes(first ?? ""), false);
  });
});

describe("age identity store against the test server", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("creates an identity, renews it after the period, the newest one's recipient is served", async () => {
    let now = new Date("2026-03-01T00:00:00Z");
    const store = new AgeIdentityStore({ kube: env.kube, clock: { now: () => now }, namespace: "sealbridge", renewPeriodMs: 30 * DAY, generate: generateAgeIdentity });
    assert.equal(await store.ensureCurrent(), true);
    assert.equal(await store.ensureCurrent(), false);
    const first = store.recipient;
    assert.match(first ?? "", /^age1/);
    now = new Date("2026-04-01T00:00:00Z");
    assert.equal(await store.ensureCurrent(), true);
    assert.equal(store.current.identities.length, 2);
    assert.notEqual(store.recipient, first);
    assert.equal(store.current.identities[1]?.recipient, first, "the old identity still decrypts");
    const stored = (await objects(env.server, SECRETS_NS)).filter((s) => s.metadata.labels?.["sealbridge.io/age-identity"] === "active");
    assert.equal(stored.length, 2);
    assert.doesNotMatch(JSON.stringify(stored.map((s) => s.metadata)), /AGE-SECRET-KEY/);
  });
});

describe("controller keys: renewal timer and backup after every key change", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("a due renewal adds a key and rewrites the backup with both keys", async () => {
    const holder = await generateAgeIdentity();
    const keys = new ControllerKeys({
      namespace: "sealbridge",
      keyPrefix: "sealed-secrets-key",
      renewPeriodMs: 1500,
      backupRecipients: [holder.recipient],
      backupConfigMap: "sealbridge-key-backup",
      generateSealingKey: () => generateSealingKey({ bits: 2048 }),
      generateAgeIdentity,
      random: () => 0,
    });
    try {
      await keys.start(env.kube, { now: () => new Date() }, silentLogger);
      assert.equal(keys.registry.keys.length, 1);
      const manifestKeys = async () => {
        const cm = (await objects(env.server, CM)).find((c) => c.metadata.name === "sealbridge-key-backup");
        const text = (cm?.["data"] as Record<string, string> | undefined)?.["manifest.json"];
        return text ? (JSON.parse(text) as { sealingKeys: unknown[] }).sealingKeys.length : 0;
      };
      assert.equal(await manifestKeys(), 1);
      // Certificates have second precision: the renewal is due 1.5 s after the first NotBefore.
      await waitFor("renewed key in the backup", async () => (await manifestKeys()) === 2, 30_000);
      assert.ok(keys.registry.keys.length >= 2);
      const cm = (await objects(env.server, CM)).find((c) => c.metadata.name === "sealbridge-key-backup");
      const opened = await decryptKeyBackup(cm, [holder.identity], "configmap");
      assert.ok(opened.sealingKeySecrets.length >= 2);
    } finally {
      keys.stop();
    }
  });
});

describe("controller keys: re-reading the key Secrets", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("a relabelled (retired) key and a restored key take effect without a restart", async () => {
    await env.kube.create(SECRETS, keySecret("sealed-secrets-keygo001", goGeneratedKey()));
    const keys = new ControllerKeys({
      namespace: "sealbridge",
      keyPrefix: "sealed-secrets-key",
      renewPeriodMs: 0,
      backupRecipients: [],
      backupConfigMap: "unused",
      generateSealingKey: () => {
        throw new Error("no key should be generated");
      },
      generateAgeIdentity,
      reloadEveryMs: 100,
    });
    try {
      await keys.start(env.kube, { now: () => new Date() }, silentLogger);
      const v0 = keys.version;
      assert.deepEqual(keys.registry.keys.map((k) => k.secretName), ["sealed-secrets-keygo001"]);
      await env.kube.create(SECRETS, keySecret("sealed-secrets-keyrestored", await generateSealingKey({ bits: 2048 })));
      await waitFor("restored key loaded", () => keys.registry.keys.length === 2);
      const r = await env.ws.kubectl(["label", "secret", "sealed-secrets-keygo001", "-n", "sealbridge", `${SEALING_KEY_LABEL}=compromised`, "--overwrite"]);
      assert.equal(r.code, 0, r.stderr);
      await waitFor("retired key dropped", () => keys.registry.keys.length === 1);
      assert.deepEqual(keys.registry.keys.map((k) => k.secretName), ["sealed-secrets-keyrestored"]);
      assert.ok(keys.version > v0, "the key-set version moves (earlier failures are retried)");
    } finally {
      keys.stop();
    }
  });
});

describe("fresh controller, backup and restore", { timeout: 300_000 }, () => {
  let a: Awaited<ReturnType<typeof setup>>;
  let b: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    [a, b] = await Promise.all([setup(), setup()]);
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  test("the controller makes an RSA-4096 key and age identity and writes the backup; keys backup/restore move them", async () => {
    const holder = await generateAgeIdentity();
    const controller = await startController(a.ws, ["--namespace", "sealbridge", "--key-backup-recipient", holder.recipient]);
    try {
      const cm = await waitFor(
        "backup ConfigMap",
        async () => (await objects(a.server, CM)).find((c) => c.metadata.name === "sealbridge-key-backup"),
        60_000,
      );
      const keys = (await objects(a.server, SECRETS_NS)).filter((s) => s.metadata.labels?.[SEALING_KEY_LABEL] === "active");
      assert.equal(keys.length, 1);
      const keyPem = Buffer.from((keys[0]?.["data"] as Record<string, string>)["tls.key"] ?? "", "base64").toString();
      assert.equal(createPublicKey(keyPem).asymmetricKeyDetails?.modulusLength, 4096);
      const opened = await decryptKeyBackup(cm, [holder.identity], "configmap");
      assert.deepEqual(opened.sealingKeySecrets.map((s) => s.metadata.name), [keys[0]?.metadata.name]);
      assert.equal(opened.ageIdentitySecrets.length, 1);
      assert.doesNotMatch(controller.output(), /PRIVATE KEY|AGE-SECRET-KEY-1/);

      // By hand: backup from cluster A, restore into cluster B.
      const idFile = join(a.ws.dir, "holder.txt");
      writeFileSync(idFile, `${holder.identity}\n`, { mode: 0o600 });
      const out = join(a.ws.dir, "backup.yaml");
      const backup = await run(process.execPath, ["--import", "tsx", CLI, "keys", "backup", "--kubeconfig", a.ws.kubeconfig, "-n", "sealbridge", "--recipient", holder.recipient, "-o", out]);
      assert.equal(backup.code, 0, backup.stderr);
      assert.doesNotMatch(readFileSync(out, "utf8"), /PRIVATE KEY|AGE-SECRET-KEY-1/);
      assert.equal((parseYaml(readFileSync(out, "utf8")) as KubeObject).kind, "ConfigMap");
      const restore = await run(process.execPath, ["--import", "tsx", CLI, "keys", "restore", "--kubeconfig", b.ws.kubeconfig, "-n", "sealbridge", "-i", idFile, out]);
      assert.equal(restore.code, 0, restore.stderr);
      assert.match(restore.stdout, new RegExp(`created secret sealbridge/${keys[0]?.metadata.name}`));
      const restored = (await objects(b.server, SECRETS_NS)).find((s) => s.metadata.name === keys[0]?.metadata.name);
      assert.deepEqual(restored?.["data"], keys[0]?.["data"]);
      assert.equal(restored?.metadata.labels?.[SEALING_KEY_LABEL], "active");
      const again = await run(process.execPath, ["--import", "tsx", CLI, "keys", "restore", "--kubeconfig", b.ws.kubeconfig, "-n", "sealbridge", "-i", idFile, out]);
      assert.match(again.stdout, /exists, left as is/);
      const wrongId = join(a.ws.dir, "stranger.txt");
      writeFileSync(wrongId, `${(await generateAgeIdentity()).identity}\n`);
      const refused = await run(process.execPath, ["--import", "tsx", CLI, "keys", "restore", "--kubeconfig", b.ws.kubeconfig, "-i", wrongId, out]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /no identity matched/);
    } finally {
      await controller.stop();
    }
  });
});

describe("killed mid-work, restarted", { timeout: 300_000 }, () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("every Secret converges, none lost or duplicated", async () => {
    const go = goGeneratedKey();
    await env.kube.create(SECRETS, keySecret("sealed-secrets-keyold01", go));
    const pub = createPublicKey(go.privateKeyPem);
    const N = 300;
    await env.kube.create({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "bulk" } });
    const todo = Array.from({ length: N }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = todo.shift(); i !== undefined; i = todo.shift()) {
          const name = `s${i}`;
          await env.kube.create(SEALED_SECRETS, {
            apiVersion: "bitnami.com/v1alpha1",
            kind: "SealedSecret",
            metadata: { name, namespace: "bulk" },
            spec: { encryptedData: { v: hybridEncrypt(pub, `bulk/${name}`, Buffer.from(`value-${i}`)).toString("base64") } },
          });
        }
      }),
    );
    const count = async () => (await objects(env.server, "/api/v1/namespaces/bulk/secrets")).length;
    const first = await startController(env.ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
    await waitFor("some Secrets", async () => (await count()) >= 5, 60_000);
    await first.kill();
    const atKill = await count();
    assert.ok(atKill < N, `killed mid-work (${atKill} of ${N} done)`);
    const second = await startController(env.ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
    try {
      await waitFor("all Secrets", async () => (await count()) === N, 180_000);
      const secrets = await objects(env.server, "/api/v1/namespaces/bulk/secrets");
      const sealed = new Map((await objects(env.server, SS_BULK)).map((s) => [s.metadata.name, s.metadata.uid]));
      assert.equal(new Set(secrets.map((s) => s.metadata.name)).size, N, "no duplicates");
      for (const s of secrets) {
        assert.equal(s.metadata.ownerReferences?.length, 1);
        assert.equal(s.metadata.ownerReferences?.[0]?.uid, sealed.get(s.metadata.name));
        const i = Number((s.metadata.name ?? "").slice(1));
        assert.equal(Buffer.from((s["data"] as Record<string, string>)["v"] ?? "", "base64").toString(), `value-${i}`);
      }
      await waitFor("all Synced", async () =>
        (await objects(env.server, SS_BULK)).every((s) =>
          ((s["status"] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === "Synced" && c.status === "True"),
        ),
      );
    } finally {
      await second.stop();
    }
  });
});

describe("--key-renew-period 0 disables renewal", () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  test("the first key and identity are made; a year later neither store renews and no timer is due", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const clock = { now: () => now };
    const keys = new KeyStore({ kube: env.kube, clock, namespace: "sealbridge", keyPrefix: "sealed-secrets-key", renewPeriodMs: 0, generate: () => generateSealingKey({ bits: 2048, clock }) });
    const ages = new AgeIdentityStore({ kube: env.kube, clock, namespace: "sealbridge", renewPeriodMs: 0, generate: generateAgeIdentity });
    assert.equal(await keys.ensureCurrent(), true, "a first key is still made");
    assert.equal(await ages.ensureCurrent(), true, "a first identity is still made");
    now = new Date("2027-01-01T00:00:00Z");
    assert.equal(await keys.ensureCurrent(), false, "no renewal");
    assert.equal(await ages.ensureCurrent(), false, "no renewal");
    assert.equal(keys.msUntilRenewal(), null);
    assert.equal(ages.msUntilRenewal(), null);
    assert.equal(keys.registry.keys.length, 1);
    assert.equal(ages.current.identities.length, 1);
    assert.equal((await objects(env.server, SECRETS_NS)).length, 2);
  });
});
