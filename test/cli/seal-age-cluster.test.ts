/**
 * `seal --age` and the cluster's age recipient: fetched from the controller's real
 * `/v1/age-recipient` endpoint through the Kubernetes test server's service proxy, given offline
 * with `--cluster-recipient`, or left out with `--no-cluster-recipient`.
 */
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { generateAgeIdentity, type AgeKeyPair } from "../../src/crypto/age-keys.js";
import { ageSecretToSecret } from "../../src/seal/age-seal.js";
import { sendRequest } from "../../src/seal/http-request.js";
import { HttpServer } from "../../src/server/http-server.js";
import { registerKeyEndpoints, type KeySource } from "../../src/controller/sealed-secret/key-endpoints.js";
import { startKubeServer, type KubeTestServer } from "../harness/kube/index.js";
import { goGeneratedKey } from "../support/openssl-keys.js";
import { runCli } from "../support/run-cli.js";

const CANARY = "CANARY-age-cluster-77d1";
const AGE_RECIPIENT_PATH = /\/services\/http:sealbridge:http\/proxy\/v1\/age-recipient$/;

const secretYaml = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: prod\nstringData:\n  password: ${CANARY}\n`;

/** The AgeSecrets a run printed, each opened with `identity` (throws when it does not open). */
async function openAll(stdout: string, identity: string): Promise<string[]> {
  const docs = parseAllDocuments(stdout).map((doc) => doc.toJS() as unknown);
  return await Promise.all(
    docs.map(async (doc, i) => Buffer.from((await ageSecretToSecret(doc, [identity], `document ${i}`)).data?.["password"] ?? "", "base64").toString()),
  );
}

describe("seal --age: the cluster's recipient", { timeout: 60_000 }, () => {
  let dir = "";
  let kube: KubeTestServer;
  const controller = new HttpServer();
  let cluster: AgeKeyPair;
  let backup: AgeKeyPair;
  let other: AgeKeyPair;
  let env: Record<string, string> = {};
  const keys: { -readonly [K in keyof KeySource]: KeySource[K] } = { registry: { keys: [] }, privateKeys: [], ageRecipient: undefined };

  async function create(path: string, obj: unknown): Promise<void> {
    const answer = await sendRequest(
      new URL(kube.url + path),
      { method: "POST", ca: kube.caPem, headers: { Authorization: `Bearer ${kube.adminToken}`, "Content-Type": "application/json" } },
      JSON.stringify(obj),
      10_000,
    );
    assert.equal(answer.status, 201, answer.body.toString());
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sb-seal-age-cluster-"));
    [cluster, backup, other] = await Promise.all([generateAgeIdentity(), generateAgeIdentity(), generateAgeIdentity()]);
    const go = goGeneratedKey();
    const privateKey = createPrivateKey(go.privateKeyPem);
    Object.assign(keys, { registry: { keys: [{ privateKey, certificatePem: go.certificatePem }] }, privateKeys: [privateKey], ageRecipient: cluster.recipient });
    registerKeyEndpoints(controller, keys);
    const bound = await controller.listen({ host: "127.0.0.1", port: 0 });
    kube = await startKubeServer();
    await create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "sealbridge" } });
    await create("/api/v1/namespaces/sealbridge/services", { apiVersion: "v1", kind: "Service", metadata: { name: "sealbridge", namespace: "sealbridge" }, spec: { ports: [{ name: "http", port: 8080 }] } });
    kube.setServiceBackend("sealbridge", "sealbridge", `http://127.0.0.1:${bound.port}`);
    await kube.writeKubeconfig(join(dir, "kubeconfig"));
    env = { KUBECONFIG: join(dir, "kubeconfig") };
    await writeFile(join(dir, "a.yaml"), secretYaml("a"));
    await writeFile(join(dir, "b.yaml"), `${secretYaml("b")}---\n${secretYaml("c")}`);
  });
  after(async () => {
    await controller.close();
    await kube?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("--age fetches /v1/age-recipient once per run and seals to it and to --recipient", async () => {
    kube.counters.reset();
    const result = await runCli(["seal", "--age", "--recipient", backup.recipient, "-f", "a.yaml", "-f", "b.yaml", "-o", "yaml"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(CANARY) && !result.stderr.includes(CANARY));
    assert.equal(kube.counters.requests("GET", AGE_RECIPIENT_PATH), 1);
    assert.deepEqual(await openAll(result.stdout, cluster.identity), [CANARY, CANARY, CANARY]);
    assert.deepEqual(await openAll(result.stdout, backup.identity), [CANARY, CANARY, CANARY]);
  });

  test("--no-cluster-recipient seals only to --recipient and never asks the cluster", async () => {
    kube.counters.reset();
    const result = await runCli(["seal", "--age", "--no-cluster-recipient", "--recipient", backup.recipient, "-f", "a.yaml", "-o", "yaml"], { cwd: dir, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(kube.counters.requests(), 0);
    assert.deepEqual(await openAll(result.stdout, backup.identity), [CANARY]);
    await assert.rejects(openAll(result.stdout, cluster.identity), /cannot decrypt/);
  });

  test("--cluster-recipient (or cluster_recipient in .sealbridge.yaml) works offline and implies --age", async () => {
    kube.counters.reset();
    const flag = await runCli(["seal", "--cluster-recipient", other.recipient, "-f", "a.yaml", "-o", "yaml"], { cwd: dir, env });
    assert.equal(flag.code, 0, flag.stderr);
    assert.deepEqual(await openAll(flag.stdout, other.identity), [CANARY]);
    await assert.rejects(openAll(flag.stdout, cluster.identity), /cannot decrypt/);

    await writeFile(join(dir, ".sealbridge.yaml"), `creation_rules:\n  - path: "**"\n    recipients: [${backup.recipient}]\n    cluster_recipient: ${other.recipient}\n`);
    try {
      const rule = await runCli(["seal", "-f", "a.yaml", "-o", "yaml"], { cwd: dir, env });
      assert.equal(rule.code, 0, rule.stderr);
      assert.deepEqual(await openAll(rule.stdout, other.identity), [CANARY]);
      assert.deepEqual(await openAll(rule.stdout, backup.identity), [CANARY]);
    } finally {
      await rm(join(dir, ".sealbridge.yaml"), { force: true });
    }
    assert.equal(kube.counters.requests(), 0);
  });

  test("a controller without an age identity yet (503) is a one-line error with the offline way out", async () => {
    keys.ageRecipient = undefined;
    try {
      const result = await runCli(["seal", "--age", "--recipient", backup.recipient, "-f", "a.yaml"], { cwd: dir, env });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^error: controller request GET \/v1\/age-recipient failed: service sealbridge\/sealbridge answered HTTP 503 \(check the controller is running and has loaded its keys: kubectl -n sealbridge get pods, or pass --cluster-recipient age1…, or --no-cluster-recipient to seal only to --recipient\)\n$/,
      );
      assert.equal(result.stdout, "");
    } finally {
      keys.ageRecipient = cluster.recipient;
    }
  });
});
