/**
 * End to end with the real kubectl and `sealbridge controller` running as its own process, against
 * the test servers or (SEALBRIDGE_BACKEND=real) a real kube-apiserver: an existing sealed-secrets key is picked up; a
 * SealedSecret made by `sealbridge seal`, one from kubeseal (vectors) and one from an independent
 * implementation of the algorithm become Secrets; moved and tampered ones do not (Synced=False,
 * Warning Event) and never stop the others; updates, deletions, pre-existing Secrets, AgeSecrets
 * and the key endpoints behave; nothing secret reaches logs, Events or status.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes, X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import { encryptAgeValue } from "../../src/crypto/age-envelope.js";
import type { KubeObject } from "../../src/kube/types.js";
import { startBackend } from "../harness/realstack/backend.js";
import type { Backend } from "../harness/realstack/backend.js";
import { kubeWorkspace, run, startController, waitFor } from "../support/controller-process.js";
import type { ControllerProcess, KubeWorkspace } from "../support/controller-process.js";
import { goGeneratedKey, keySecret } from "../support/openssl-keys.js";
import { fileURLToPath } from "node:url";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `CANARY-${randomBytes(6).toString("hex")}`;
const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const CRDS = fileURLToPath(new URL("../../crds/", import.meta.url));
const vectors = (JSON.parse(readFileSync(new URL("../fixtures/sealed-secrets/kubeseal-raw.json", import.meta.url), "utf8")) as {
  vectors: Array<{ description: string; scope: string; plaintext_b64: string; ciphertext_b64: string }>;
}).vectors;

/** sealed-secrets' per-value format, written here from the spec, independent of src/crypto. */
function independentSeal(certPem: string, label: string, plaintext: Buffer): string {
  const sessionKey = randomBytes(32);
  const rsa = publicEncrypt(
    { key: createPublicKey(new X509Certificate(certPem).publicKey.export({ type: "spki", format: "pem" })), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label) },
    sessionKey,
  );
  const gcm = createCipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  const body = Buffer.concat([gcm.update(plaintext), gcm.final(), gcm.getAuthTag()]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(rsa.length);
  return Buffer.concat([len, rsa, body]).toString("base64");
}

/** POST /v1/verify (the controller runs with a burst its calls here never exceed: no 429, no waiting it out). */
async function verify(port: number, body: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/v1/verify`, { method: "POST", body })).status;
}

function sealedSecret(ns: string, name: string, encryptedData: Record<string, string>, extra: { annotations?: Record<string, string>; template?: unknown } = {}): KubeObject {
  return {
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { encryptedData, ...(extra.template ? { template: extra.template } : {}) },
  };
}

const SECRETS = (ns: string) => `/api/v1/namespaces/${ns}/secrets`;
const KINDS: Record<string, string> = { "sealedsecrets.bitnami.com": "/apis/bitnami.com/v1alpha1", "agesecrets.sealbridge.io": "/apis/sealbridge.io/v1alpha1" };

async function secretData(server: Backend, ns: string, name: string): Promise<Record<string, string> | undefined> {
  const s = await server.get(`${SECRETS(ns)}/${name}`);
  if (s === undefined) return undefined;
  const data = (s["data"] ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
}

async function syncedOf(server: Backend, resource: string, ns: string, name: string): Promise<Record<string, unknown> | undefined> {
  const o = await server.get(`${KINDS[resource] ?? ""}/namespaces/${ns}/${resource.split(".")[0] ?? ""}/${name}`);
  const conds = (o?.["status"] as { conditions?: Array<Record<string, unknown>> } | undefined)?.conditions;
  return conds?.find((c) => c["type"] === "Synced");
}

async function warningEvents(server: Backend, ns: string, name: string): Promise<KubeObject[]> {
  return (await server.list(`/api/v1/namespaces/${ns}/events`)).filter((e) => (e["involvedObject"] as { name?: string } | undefined)?.name === name && e["type"] === "Warning");
}

/** The resourceVersions of everything the controller writes in the test namespaces: changes on any write. */
async function writeSignature(server: Backend): Promise<string> {
  const paths = ["sealbridge", "my-namespace", "prod", "other"].flatMap((ns) => [
    SECRETS(ns), `/api/v1/namespaces/${ns}/events`, `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets`, `/apis/sealbridge.io/v1alpha1/namespaces/${ns}/agesecrets`,
  ]);
  const lists = await Promise.all(paths.map((p) => server.list(p)));
  return lists.flat().map((o) => `${o.metadata.uid ?? ""}@${o.metadata.resourceVersion ?? ""}`).sort().join(",");
}

describe("SealedSecret and AgeSecret reconcilers, end to end", { timeout: 400_000 }, () => {
  let server: Backend;
  let ws: KubeWorkspace;
  let controller: ControllerProcess;
  const go = goGeneratedKey();

  async function apply(objs: KubeObject[]): Promise<void> {
    const file = join(ws.dir, `apply-${randomBytes(4).toString("hex")}.yaml`);
    writeFileSync(file, objs.map((o) => toYaml(o)).join("---\n"));
    const r = await ws.kubectl(["apply", "-f", file]);
    assert.equal(r.code, 0, r.stderr);
  }

  before(async () => {
    server = await startBackend();
    ws = await kubeWorkspace(server.kube);
    const crd = await ws.kubectl(["apply", "--server-side", "-f", CRDS]);
    assert.equal(crd.code, 0, crd.stderr);
    const established = await waitEstablished((a) => ws.kubectl(a), ["crd", "--all"]);
    assert.equal(established.code, 0, established.stderr);
    for (const ns of ["sealbridge", "my-namespace", "prod", "other"]) assert.equal((await ws.kubectl(["create", "namespace", ns])).code, 0);
    // An existing sealed-secrets installation's key, as its controller created it.
    const key = keySecret("sealed-secrets-keyx7k2p", go, { namespace: "sealbridge" });
    await apply([key]);
    // The verify rate limit itself is tested with an injected clock (key-endpoints.test.ts); here a
    // burst above every verify this file makes.
    controller = await startController(ws, ["--namespace", "sealbridge", "--resync-period", "1s", "--key-renew-period", "0", "--log-level", "debug", "--rate-limit-burst", "50"]);
    // The Service kubeseal-style clients reach the controller through (API server proxy).
    await apply([{ apiVersion: "v1", kind: "Service", metadata: { name: "sealbridge", namespace: "sealbridge" }, spec: { ports: [{ name: "http", port: 8080 }] } }]);
    await server.exposeService("sealbridge", "sealbridge", controller.port);
    await waitFor("keys loaded", async () => (await fetch(`http://127.0.0.1:${controller.port}/v1/age-recipient`)).status === 200);
  });

  after(async () => {
    await controller?.stop();
    await server?.stop();
    ws?.cleanup();
  });

  test("the existing sealed-secrets key is the one served and no new key is made", async () => {
    const res = await fetch(`http://127.0.0.1:${controller.port}/v1/cert.pem`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), go.certificatePem);
    const keys = (await server.list(SECRETS("sealbridge"))).filter((s) => s.metadata.labels?.["sealedsecrets.bitnami.com/sealed-secrets-key"]);
    assert.equal(keys.length, 1);
    const ages = (await server.list(SECRETS("sealbridge"))).filter((s) => s.metadata.labels?.["sealbridge.io/age-identity"] === "active");
    assert.equal(ages.length, 1, "an age identity is created when there is none");
  });

  test("kubeseal, `sealbridge seal` and an independent implementation all become Secrets; broken ones do not stop them", async () => {
    const strict = vectors.filter((v) => v.scope === "strict");
    const kubeseal = sealedSecret("my-namespace", "my-secret", Object.fromEntries(strict.map((v) => [v.description, v.ciphertext_b64])));
    const independent = sealedSecret("prod", "indie", { password: independentSeal(go.certificatePem, "prod/indie", Buffer.from(`${CANARY}-indie`)) });
    const validOne = independentSeal(go.certificatePem, "prod/moved-from", Buffer.from(`${CANARY}-moved`));
    const moved = sealedSecret("prod", "moved-to", { password: validOne });
    const movedNs = sealedSecret("other", "moved-from", { password: validOne });
    const bytes = Buffer.from(independentSeal(go.certificatePem, "prod/tampered", Buffer.from(`${CANARY}-tampered`)), "base64");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
    const tampered = sealedSecret("prod", "tampered", { password: bytes.toString("base64") });

    // `sealbridge seal` with the certificate fetched from the controller.
    const input = join(ws.dir, "db-secret.yaml");
    writeFileSync(input, toYaml({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod", labels: { app: "db" } }, type: "kubernetes.io/basic-auth", stringData: { username: "app", password: `${CANARY}-db` } }));
    const sealed = await run(process.execPath, ["--import", "tsx", CLI, "seal", "--cert", `http://127.0.0.1:${controller.port}/v1/cert.pem`, "-f", input, "-o", "yaml"], { env: ws.env });
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.doesNotMatch(sealed.stdout, new RegExp(CANARY));
    const sealedFile = join(ws.dir, "db-sealed.yaml");
    writeFileSync(sealedFile, sealed.stdout);

    await apply([moved, movedNs, tampered, kubeseal, independent]);
    const applied = await ws.kubectl(["apply", "-f", sealedFile]);
    assert.equal(applied.code, 0, applied.stderr);

    await waitFor("the good Secrets", async () => (await secretData(server, "prod", "db")) && (await secretData(server, "prod", "indie")) && (await secretData(server, "my-namespace", "my-secret")), 60_000);
    const ks = await server.get(`${SECRETS("my-namespace")}/my-secret`);
    for (const v of strict) assert.equal((ks?.["data"] as Record<string, string>)[v.description] ?? "", v.plaintext_b64, v.description);
    assert.equal((await secretData(server, "prod", "indie"))?.["password"], `${CANARY}-indie`);
    const db = await server.get(`${SECRETS("prod")}/db`);
    assert.equal(db?.["type"], "kubernetes.io/basic-auth");
    assert.deepEqual(db?.metadata.labels, { app: "db" });
    assert.equal(db?.metadata.ownerReferences?.[0]?.kind, "SealedSecret");
    assert.equal((await secretData(server, "prod", "db"))?.["password"], `${CANARY}-db`);

    for (const [ns, name] of [["prod", "moved-to"], ["other", "moved-from"], ["prod", "tampered"]] as const) {
      const cond = await waitFor(`Synced=False on ${ns}/${name}`, async () => {
        const c = await syncedOf(server, "sealedsecrets.bitnami.com", ns, name);
        return c?.["status"] === "False" ? c : undefined;
      });
      assert.equal(cond["reason"], "ErrUnsealFailed");
      assert.match(String(cond["message"]), /cannot decrypt/);
      assert.equal(await secretData(server, ns, name), undefined, `no Secret for ${ns}/${name}`);
      await waitFor(`Warning event for ${name}`, async () => (await warningEvents(server, ns, name)).some((e) => e["reason"] === "ErrUnsealFailed"));
    }
    // Status is written after the Secret, so wait for it rather than racing the controller.
    await waitFor("Synced=True on prod/db", async () => (await syncedOf(server, "sealedsecrets.bitnami.com", "prod", "db"))?.["status"] === "True");
    const get = await ws.kubectl(["get", "sealedsecrets", "-n", "prod"]);
    assert.match(get.stdout, /tampered\s+Failed to unseal/);
  });

  test("updating a SealedSecret updates its Secret; a deleted Secret comes back; deleting the SealedSecret deletes it", async () => {
    await apply([sealedSecret("prod", "rotating", { v: independentSeal(go.certificatePem, "prod/rotating", Buffer.from(`${CANARY}-v1`)) })]);
    await waitFor("v1", async () => (await secretData(server, "prod", "rotating"))?.["v"] === `${CANARY}-v1`);
    await apply([sealedSecret("prod", "rotating", { v: independentSeal(go.certificatePem, "prod/rotating", Buffer.from(`${CANARY}-v2`)) })]);
    await waitFor("v2", async () => (await secretData(server, "prod", "rotating"))?.["v"] === `${CANARY}-v2`);
    assert.equal((await ws.kubectl(["delete", "secret", "rotating", "-n", "prod"])).code, 0);
    await waitFor("the Secret recreated", async () => (await secretData(server, "prod", "rotating"))?.["v"] === `${CANARY}-v2`);
    assert.equal((await ws.kubectl(["delete", "sealedsecret", "rotating", "-n", "prod"])).code, 0);
    // Garbage collection is asynchronous (kube-controller-manager on the real stack).
    await waitFor("the Secret garbage-collected", async () => (await secretData(server, "prod", "rotating")) === undefined, 120_000);
  });

  test("a pre-existing Secret is left alone until annotated managed", async () => {
    await apply([{ apiVersion: "v1", kind: "Secret", metadata: { name: "legacy", namespace: "prod" }, stringData: { old: "keep" } }]);
    await apply([sealedSecret("prod", "legacy", { new: independentSeal(go.certificatePem, "prod/legacy", Buffer.from(`${CANARY}-new`)) })]);
    const cond = await waitFor("ErrUpdateFailed", async () => {
      const c = await syncedOf(server, "sealedsecrets.bitnami.com", "prod", "legacy");
      return c?.["reason"] === "ErrUpdateFailed" ? c : undefined;
    });
    assert.equal(cond["message"], 'Resource "legacy" already exists and is not managed by SealedSecret');
    assert.deepEqual(await secretData(server, "prod", "legacy"), { old: "keep" });
    assert.equal((await ws.kubectl(["annotate", "secret", "legacy", "-n", "prod", "sealedsecrets.bitnami.com/managed=true"])).code, 0);
    await waitFor("taken over", async () => (await secretData(server, "prod", "legacy"))?.["new"] === `${CANARY}-new`);
    assert.equal((await secretData(server, "prod", "legacy"))?.["old"], undefined);
  });

  test("AgeSecret: sealed to /v1/age-recipient becomes a Secret; moved is refused by the scope envelope", async () => {
    const recipient = (await (await fetch(`http://127.0.0.1:${controller.port}/v1/age-recipient`)).text()).trim();
    assert.match(recipient, /^age1/);
    const age = (ns: string, name: string, armored: string): KubeObject => ({
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "AgeSecret",
      metadata: { name, namespace: ns },
      spec: { encryptedData: { token: armored }, template: { metadata: { labels: { via: "age" } } } },
    });
    const armored = await encryptAgeValue(Buffer.from(`${CANARY}-age`), "strict", "prod", "api", [recipient]);
    await apply([age("prod", "api", armored), age("prod", "api-moved", armored)]);
    await waitFor("age Secret", async () => (await secretData(server, "prod", "api"))?.["token"] === `${CANARY}-age`);
    const cond = await waitFor("age moved refused", async () => {
      const c = await syncedOf(server, "agesecrets.sealbridge.io", "prod", "api-moved");
      return c?.["status"] === "False" ? c : undefined;
    });
    assert.match(String(cond["message"]), /sealed for scope strict:prod\/api/);
    assert.equal(await secretData(server, "prod", "api-moved"), undefined);
  });

  test("seal --validate and --re-encrypt go through the controller's /v1/verify and /v1/rotate", async () => {
    const file = join(ws.dir, "verify.json");
    writeFileSync(file, JSON.stringify(sealedSecret("prod", "indie", { password: independentSeal(go.certificatePem, "prod/indie", Buffer.from(`${CANARY}-v`)) })));
    const base = ["--import", "tsx", CLI, "seal", "--kubeconfig", ws.kubeconfig, "--controller-namespace", "sealbridge", "--controller-name", "sealbridge"];
    const ok = await run(process.execPath, [...base, "--validate", "-f", file], { env: ws.env });
    assert.equal(ok.code, 0, ok.stderr);
    writeFileSync(file, JSON.stringify(sealedSecret("prod", "elsewhere", { password: independentSeal(go.certificatePem, "prod/indie", Buffer.from(`${CANARY}-v`)) })));
    const bad = await run(process.execPath, [...base, "--validate", "-f", file], { env: ws.env });
    assert.notEqual(bad.code, 0);
    assert.equal(await verify(controller.port, readFileSync(file, "utf8")), 409);

    const reFile = join(ws.dir, "reencrypt.json");
    const original = independentSeal(go.certificatePem, "prod/indie", Buffer.from(`${CANARY}-re`));
    writeFileSync(reFile, JSON.stringify(sealedSecret("prod", "indie", { password: original })));
    const re = await run(process.execPath, [...base, "--re-encrypt", "-f", reFile], { env: ws.env });
    assert.equal(re.code, 0, re.stderr);
    const text = re.stdout.trim() !== "" ? re.stdout : readFileSync(reFile, "utf8");
    assert.ok(!text.includes(CANARY) && !re.stderr.includes(CANARY));
    const rotated = JSON.parse(text) as { spec: { encryptedData: Record<string, string> } };
    assert.notEqual(rotated.spec.encryptedData["password"], original, "re-sealed");
    assert.equal(await verify(controller.port, text), 200);
  });

  test("a resync of unchanged objects writes nothing", async () => {
    // Passes per SealedSecret, from the controller's "reconciled" log lines (it logs at debug).
    const passes = (): Map<string, number> => {
      const out = new Map<string, number>();
      for (const line of controller.output().split("\n")) {
        if (!line.includes('"msg":"reconciled"') || !line.includes('"reconciler":"sealedsecret"')) continue;
        try {
          const key = (JSON.parse(line) as { key?: string }).key ?? "";
          out.set(key, (out.get(key) ?? 0) + 1);
        } catch {
          // a partial line
        }
      }
      return out;
    };
    const synced: string[] = [];
    for (const o of await server.list("/apis/bitnami.com/v1alpha1/sealedsecrets")) {
      const ns = o.metadata.namespace ?? "";
      const name = o.metadata.name ?? "";
      if ((await syncedOf(server, "sealedsecrets.bitnami.com", ns, name))?.["status"] === "True") synced.push(`${ns}/${name}`);
    }
    assert.ok(synced.length > 0);
    /** Waits until every synced SealedSecret has been reconciled `by` more times (resyncs run every second). */
    const resynced = async (by: number): Promise<void> => {
      const since = passes();
      await waitFor(`${by} resync(s) of every SealedSecret`, () => {
        const now = passes();
        return synced.every((k) => (now.get(k) ?? 0) >= (since.get(k) ?? 0) + by);
      });
    };
    // Writes are seen through the API (either backend): resourceVersions of Secrets and SealedSecrets.
    await waitFor("quiet: a resync with no write", async () => {
      const before = await writeSignature(server);
      await resynced(1);
      return (await writeSignature(server)) === before;
    }, 30_000);
    const before = await writeSignature(server);
    await resynced(2); // two resyncs
    assert.equal(await writeSignature(server), before, "no writes during resyncs");
    assert.match(controller.output(), /"reconciled"/);
  });

  test("nothing secret in logs, Events or status", async () => {
    const b64 = Buffer.from(CANARY).toString("base64").slice(0, 12);
    const haystacks = {
      logs: controller.output(),
      events: JSON.stringify(await server.list("/api/v1/events")),
      sealedSecrets: JSON.stringify(await server.list("/apis/bitnami.com/v1alpha1/sealedsecrets")),
      ageSecrets: JSON.stringify(await server.list("/apis/sealbridge.io/v1alpha1/agesecrets")),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(text.length > 0, where);
      assert.ok(!text.includes(CANARY), `canary in ${where}`);
      assert.ok(!text.includes(b64), `base64 canary in ${where}`);
      assert.doesNotMatch(text, /BEGIN RSA PRIVATE KEY|AGE-SECRET-KEY-1/, `key material in ${where}`);
    }
  });
});
