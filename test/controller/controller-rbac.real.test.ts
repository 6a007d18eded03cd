/**
 * The product on real servers (etcd, kube-apiserver with RBAC and OwnerReferencesPermissionEnforcement,
 * kube-controller-manager, OpenBao), with `sealbridge controller` running as its own process under a
 * ServiceAccount token bound to exactly the RBAC of `sealbridge install --export` (never admin), whose
 * objects kubectl applies server-side: every CRD is Established;
 * genuine kubeseal output, `sealbridge seal` output and AgeSecrets become Secrets; the ESO examples
 * sync from OpenBao with kubernetes auth (OpenBao calling the apiserver's TokenReview for a
 * TokenRequest token with audience `vault`), appRole and a token; a change in OpenBao reaches the
 * Secret on force-sync and restarts the consuming Deployment once (a new ReplicaSet rolls); deleting
 * an owner garbage-collects its Secret; no value reaches logs, Events or status.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { encryptAgeValue } from "../../src/crypto/age-envelope.js";
import type { KubeObject } from "../../src/kube/types.js";
import { HOMELAB_EXTERNAL_SECRET } from "../eso/homelab-manifest.js";
import { realFixture, until, CRDS_DIR, FIXTURES, REPO } from "../harness/realstack/real-fixture.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { run, startController } from "../support/controller-process.js";
import type { ControllerProcess, KubeWorkspace } from "../support/controller-process.js";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `CANARY-${randomBytes(6).toString("hex")}`;
const CLI = join(REPO, "test", "support", "cli.ts");
const KEY_DIR = join(FIXTURES, "sealed-secrets", "go-generated-key");
const vectors = (JSON.parse(readFileSync(join(FIXTURES, "sealed-secrets", "kubeseal-raw.json"), "utf8")) as {
  vectors: Array<{ description: string; scope: string; plaintext_b64: string; ciphertext_b64: string }>;
}).vectors;
/** The ESO documentation examples, by their `# source:` comment. */
const esoDocs = readFileSync(join(FIXTURES, "eso", "eso-vault-examples.yaml"), "utf8").split(/^---$/m).map((text) => ({
  source: /^# source: (\S+)/m.exec(text)?.[1] ?? "",
  object: parseYaml(text) as KubeObject,
}));
function esoDoc(source: string): KubeObject {
  const doc = esoDocs.find((d) => d.source === source);
  assert.ok(doc, `example ${source} in test/fixtures/eso`);
  return structuredClone(doc.object);
}

const ES = (ns: string, name: string) => `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${name}`;
const SS = (ns: string, name: string) => `/apis/bitnami.com/v1alpha1/namespaces/${ns}/sealedsecrets/${name}`;

describe("the controller under its own RBAC on a real API server", { timeout: 600_000 }, () => {
  let f: RealFixture;
  let ctl: KubeWorkspace;
  let controller: ControllerProcess;

  before(async () => {
    f = await realFixture();
  });

  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("the install export (every file in crds/, the RBAC) applies with kubectl --server-side; every CRD becomes Established", async () => {
    const files = readdirSync(CRDS_DIR).filter((x) => x.endsWith(".yaml"));
    assert.ok(files.length >= 5);
    // One path: the objects `sealbridge install --export` prints (docs/install.md), RBAC from src/install/rbac.ts.
    const exported = await run(process.execPath, ["--import", "tsx", CLI, "install", "--export", "--with-compat-crds"], { env: f.ws.env });
    assert.equal(exported.code, 0, exported.stderr);
    const file = join(f.ws.dir, "sealbridge-install.yaml");
    writeFileSync(file, exported.stdout);
    const applied = await f.ws.kubectl(["apply", "--server-side", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    const established = await waitEstablished((a) => f.ws.kubectl(a), files.map((file) => `crd/${file.replace(/\.yaml$/, "")}`));
    assert.equal(established.code, 0, established.stderr);
  });

  test("the controller starts under the exported ServiceAccount and RBAC", async () => {
    for (const ns of ["my-namespace", "other", "prod", "my-app", "example"]) await f.admin.ensure("/api/v1/namespaces", { metadata: { name: ns } });
    const key = {
      apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
      metadata: { name: "sealed-secrets-keyq2x9z", namespace: "sealbridge", labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
      data: { "tls.crt": readFileSync(join(KEY_DIR, "tls.crt")).toString("base64"), "tls.key": readFileSync(join(KEY_DIR, "tls.key")).toString("base64") },
    };
    await f.apply([key]);
    const token = await f.admin.serviceAccountToken("sealbridge", "sealbridge");
    ctl = f.workspaceFor(token);
    const whoami = await ctl.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"]);
    assert.equal(whoami.stdout, "system:serviceaccount:sealbridge:sealbridge", whoami.stderr);
    assert.equal((await ctl.kubectl(["auth", "can-i", "create", "secrets", "--all-namespaces"])).stdout.trim(), "yes");
    assert.equal((await ctl.kubectl(["auth", "can-i", "create", "leases", "-n", "default"])).stdout.trim(), "no", "leases only in its own namespace");
    controller = await startController(ctl, ["--namespace", "sealbridge", "--resync-period", "5s", "--key-renew-period", "0"], 120_000);
    await until("keys loaded", async () => (await fetch(`http://127.0.0.1:${controller.port}/v1/age-recipient`)).status === 200);
  });

  test("genuine kubeseal SealedSecrets (three scopes), `sealbridge seal` output and an AgeSecret become Secrets", async () => {
    const byScope = (scope: string) => Object.fromEntries(vectors.filter((v) => v.scope === scope).map((v) => [v.description, v.ciphertext_b64]));
    const sealed = (ns: string, name: string, encryptedData: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
      apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret",
      metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
      spec: { encryptedData },
    });
    await f.apply([
      sealed("my-namespace", "my-secret", byScope("strict")),
      sealed("my-namespace", "any-name", byScope("namespace-wide"), { "sealedsecrets.bitnami.com/namespace-wide": "true" }),
      sealed("other", "anywhere", byScope("cluster-wide"), { "sealedsecrets.bitnami.com/cluster-wide": "true" }),
    ]);
    for (const [ns, name, scope] of [["my-namespace", "my-secret", "strict"], ["my-namespace", "any-name", "namespace-wide"], ["other", "anywhere", "cluster-wide"]] as const) {
      const s = await until(`${ns}/${name}`, async () => (await f.admin.get(`/api/v1/namespaces/${ns}/secrets/${name}`)) as KubeObject | undefined);
      const data = (s["data"] ?? {}) as Record<string, string>;
      for (const v of vectors.filter((x) => x.scope === scope)) assert.equal(data[v.description] ?? "", v.plaintext_b64, `${scope} ${v.description}`);
      assert.equal(s.metadata.ownerReferences?.[0]?.kind, "SealedSecret");
      assert.equal(s.metadata.ownerReferences?.[0]?.blockOwnerDeletion, true, "blockOwnerDeletion passed OwnerReferencesPermissionEnforcement");
      const synced = await until("Synced", () => f.condition(SS(ns, name), "Synced"));
      assert.equal(synced.status, "True");
    }

    // `sealbridge seal` with the certificate the controller serves.
    const input = join(f.ws.dir, "db.yaml");
    writeFileSync(input, toYaml({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, type: "kubernetes.io/basic-auth", stringData: { username: "app", password: `${CANARY}-db` } }));
    const out = await run(process.execPath, ["--import", "tsx", CLI, "seal", "--cert", `http://127.0.0.1:${controller.port}/v1/cert.pem`, "-f", input, "-o", "yaml"], { env: f.ws.env });
    assert.equal(out.code, 0, out.stderr);
    const sealedFile = join(f.ws.dir, "db-sealed.yaml");
    writeFileSync(sealedFile, out.stdout);
    assert.equal((await f.ws.kubectl(["apply", "-f", sealedFile])).code, 0);
    await until("db Secret", async () => (await f.secretData("prod", "db"))?.["password"] === `${CANARY}-db`);
    assert.equal(((await f.admin.get("/api/v1/namespaces/prod/secrets/db")) as { type?: string }).type, "kubernetes.io/basic-auth");

    const recipient = (await (await fetch(`http://127.0.0.1:${controller.port}/v1/age-recipient`)).text()).trim();
    const armored = await encryptAgeValue(Buffer.from(`${CANARY}-age`), "strict", "prod", "api", [recipient]);
    await f.apply([{ apiVersion: "sealbridge.io/v1alpha1", kind: "AgeSecret", metadata: { name: "api", namespace: "prod" }, spec: { encryptedData: { token: armored }, template: { metadata: { labels: { via: "age" } } } } }]);
    await until("age Secret", async () => (await f.secretData("prod", "api"))?.["token"] === `${CANARY}-age`);
  });

  test("deleting a SealedSecret garbage-collects its Secret (kube-controller-manager)", async () => {
    assert.equal((await f.ws.kubectl(["delete", "sealedsecret", "any-name", "-n", "my-namespace"])).code, 0);
    await until("the Secret collected", async () => (await f.admin.get("/api/v1/namespaces/my-namespace/secrets/any-name")) === undefined, 120_000);
  });

  test("ESO examples sync from OpenBao: kubernetes auth (TokenRequest + TokenReview, audience vault), appRole and a token", async () => {
    await f.bao("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
    await f.bao("POST", "secret/data/my-app", { data: { database_url: CANARY } });
    await f.bao("POST", "secret/data/foo", { data: { "my-value": `${CANARY}-foo` } });
    // kubernetes auth: a role bound to a ServiceAccount of my-app, audience vault.
    await f.admin.ensure("/api/v1/namespaces/my-app/serviceaccounts", { metadata: { name: "eso-reader" } });
    await f.bao("POST", "auth/kubernetes/role/eso", { bound_service_account_names: ["eso-reader"], bound_service_account_namespaces: ["my-app"], audience: "vault", token_policies: ["reader"], token_ttl: "1h" });
    await f.apply([
      {
        apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "vault-backend" },
        spec: { provider: { vault: { server: f.stack.vault!.addr, path: "secret", version: "v2", auth: { kubernetes: { mountPath: "kubernetes", role: "eso", serviceAccountRef: { name: "eso-reader", namespace: "my-app", audiences: ["vault"] } } } } } },
      },
      parseYaml(HOMELAB_EXTERNAL_SECRET) as KubeObject,
    ]);
    await until("homelab Secret via kubernetes auth", async () => (await f.secretData("my-app", "app-credentials"))?.["DATABASE_URL"] === CANARY, 90_000);
    const w = await f.ws.kubectl(["wait", "--for=condition=Ready", "externalsecret/app-credentials", "-n", "my-app", "--timeout=60s"]);
    assert.equal(w.code, 0, w.stderr);
    const secret = (await f.admin.get("/api/v1/namespaces/my-app/secrets/app-credentials")) as KubeObject;
    assert.equal(secret.metadata.ownerReferences?.[0]?.kind, "ExternalSecret");

    // appRole and token, with the stores of ESO's documentation (server pointed at OpenBao).
    await f.bao("POST", "sys/auth/approle", { type: "approle" });
    await f.bao("POST", "auth/approle/role/eso", { token_policies: "reader", token_ttl: "1h" });
    const roleId = (await f.bao<{ data: { role_id: string } }>("GET", "auth/approle/role/eso/role-id")).data.role_id;
    const secretId = (await f.bao<{ data: { secret_id: string } }>("POST", "auth/approle/role/eso/secret-id", {})).data.secret_id;
    const readerToken = (await f.bao<{ auth: { client_token: string } }>("POST", "auth/token/create", { policies: ["reader"], ttl: "2h" })).auth.client_token;
    await f.admin.ensure("/api/v1/namespaces/example/secrets", { metadata: { name: "my-secret" }, stringData: { "vault-token": readerToken, "secret-id": secretId } });
    const tokenStore = esoDoc("docs/snippets/vault-token-store.yaml");
    const approleStore = esoDoc("docs/snippets/vault-approle-store.yaml");
    type VaultSpec = { provider: { vault: { server: string; auth: { appRole?: { roleId: string } } } } };
    (tokenStore["spec"] as VaultSpec).provider.vault.server = f.stack.vault!.addr;
    (approleStore["spec"] as VaultSpec).provider.vault.server = f.stack.vault!.addr;
    (approleStore["spec"] as VaultSpec).provider.vault.auth.appRole!.roleId = roleId;
    approleStore.metadata.name = "vault-backend-approle"; // both examples are named vault-backend
    const es = (name: string, store: string): KubeObject => ({
      apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name, namespace: "example" },
      spec: { refreshInterval: "1h", secretStoreRef: { name: store, kind: "SecretStore" }, target: { name }, data: [{ secretKey: "foobar", remoteRef: { key: "foo", property: "my-value" } }] },
    });
    await f.apply([tokenStore, approleStore, es("via-token", "vault-backend"), es("via-approle", "vault-backend-approle")]);
    for (const name of ["via-token", "via-approle"]) {
      await until(`${name} Secret`, async () => (await f.secretData("example", name))?.["foobar"] === `${CANARY}-foo`, 60_000);
    }
    for (const store of ["vault-backend", "vault-backend-approle"]) {
      const c = await until(`store ${store} Ready`, () => f.condition(`/apis/external-secrets.io/v1/namespaces/example/secretstores/${store}`, "Ready"));
      assert.equal(c.reason, "Valid", c.message);
    }
  });

  test("a change in OpenBao reaches the Secret on force-sync and restarts the consuming Deployment once (a new ReplicaSet rolls)", async () => {
    await f.apply([{
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: "my-app", annotations: { "sealbridge.io/reload": "auto" } },
      spec: { replicas: 1, selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "registry.invalid/app:1", envFrom: [{ secretRef: { name: "app-credentials" } }] }] } } },
    }]);
    const replicaSets = async () =>
      ((await f.admin.must("GET", "/apis/apps/v1/namespaces/my-app/replicasets")) as { items: KubeObject[] }).items.filter((r) => r.metadata.ownerReferences?.some((o) => o.kind === "Deployment" && o.name === "app"));
    await until("the first ReplicaSet", async () => (await replicaSets()).length === 1);
    const dep = async () => (await f.admin.get("/apis/apps/v1/namespaces/my-app/deployments/app")) as KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
    const gen0 = (await dep()).metadata.generation ?? 0;

    await f.bao("POST", "secret/data/my-app", { data: { database_url: `${CANARY}-rotated` } });
    await f.admin.must("PATCH", ES("my-app", "app-credentials"), { metadata: { annotations: { "force-sync": "1" } } }, { contentType: "application/merge-patch+json" });
    await until("the rotated value", async () => (await f.secretData("my-app", "app-credentials"))?.["DATABASE_URL"] === `${CANARY}-rotated`, 60_000);
    await until("the restart", async () => (await dep()).metadata.generation === gen0 + 1, 30_000);
    assert.ok((await dep()).spec.template.metadata.annotations?.["sealbridge.io/restartedAt"], "restart annotation on the pod template");
    await until("a second ReplicaSet (the rollout)", async () => (await replicaSets()).length === 2, 60_000);

    // Unchanged content on another force-sync and resyncs: no second restart.
    await f.admin.must("PATCH", ES("my-app", "app-credentials"), { metadata: { annotations: { "force-sync": "2" } } }, { contentType: "application/merge-patch+json" });
    await new Promise((r) => setTimeout(r, 12_000)); // a force-sync and two resync periods (5 s) pass
    assert.equal((await dep()).metadata.generation, gen0 + 1, "restarted exactly once");
    assert.equal((await replicaSets()).length, 2);
  });

  test("deleting an ExternalSecret garbage-collects its Secret", async () => {
    assert.equal((await f.ws.kubectl(["delete", "externalsecret", "via-token", "-n", "example"])).code, 0);
    await until("the Secret collected", async () => (await f.admin.get("/api/v1/namespaces/example/secrets/via-token")) === undefined, 120_000);
  });

  test("no value or token in the controller's logs, Events or status; no 403 in its logs", async () => {
    const dump = async (path: string) => JSON.stringify(await f.admin.must("GET", path));
    const haystacks = {
      logs: controller.output(),
      events: await dump("/api/v1/events"),
      sealedSecrets: await dump("/apis/bitnami.com/v1alpha1/sealedsecrets"),
      ageSecrets: await dump("/apis/sealbridge.io/v1alpha1/agesecrets"),
      externalSecrets: await dump("/apis/external-secrets.io/v1/externalsecrets"),
    };
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(!text.includes(CANARY), `no value in ${where}`);
      assert.ok(!text.includes(f.stack.vault!.rootToken), `no token in ${where}`);
    }
    assert.doesNotMatch(controller.output(), /\b403\b|forbidden/i, "every request was allowed by the RBAC");
  });
});
