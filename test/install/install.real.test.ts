/**
 * `sealbridge install` on the real stack (etcd, kube-apiserver with RBAC, kube-controller-manager,
 * OpenBao): the export applies with real `kubectl apply --server-side` (the ESO CRDs are large)
 * and every CRD becomes Established; `sealbridge install` over it is a no-op (same
 * resourceVersions); the controller runs as a process with the exported Deployment's arguments
 * under a TokenRequest token of the exported ServiceAccount — exactly those permissions — and every
 * reconciler works (no 403); removing a feature removes its permissions (real SubjectAccessReview
 * through `kubectl auth can-i --as`) while the others stay; a field another manager changed is a
 * conflict; `sealbridge uninstall` leaves users' objects, key Secrets and synced Secrets.
 * The same scenario runs against the test server in test/cli/install.test.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { encryptAgeValue } from "../../src/crypto/age-envelope.js";
import type { KubeObject } from "../../src/kube/types.js";
import { realFixture, until, FIXTURES, REPO } from "../harness/realstack/real-fixture.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { run, startController } from "../support/controller-process.js";
import type { ControllerProcess, KubeWorkspace } from "../support/controller-process.js";
import { opensslCa, opensslLeaf } from "../support/openssl-certs.js";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `CANARY-${randomBytes(6).toString("hex")}`;
const CLI = join(REPO, "test", "support", "cli.ts");
const NS = "sealbridge";
const SA = `system:serviceaccount:${NS}:sealbridge`;
const FLAGS = ["--with-compat-crds", "--prometheus"];
const KEY_DIR = join(FIXTURES, "sealed-secrets", "go-generated-key");
const vectors = (JSON.parse(readFileSync(join(FIXTURES, "sealed-secrets", "kubeseal-raw.json"), "utf8")) as {
  vectors: Array<{ description: string; scope: string; plaintext_b64: string; ciphertext_b64: string }>;
}).vectors;

/** Minimal Prometheus Operator CRDs (the real ones are not part of the stack). */
function monitoringCrd(plural: string, kind: string): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: {
      group: "monitoring.coreos.com", scope: "Namespaced",
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
    },
  };
}

function sealbridge(ws: KubeWorkspace, args: string[]) {
  return run(process.execPath, ["--import", "tsx", CLI, ...args], { env: ws.env, timeoutMs: 120_000 });
}

describe("sealbridge install on a real API server", { timeout: 600_000 }, () => {
  let f: RealFixture;
  let controller: ControllerProcess | undefined;
  let exported: KubeObject[] = [];

  /** kind/name → resourceVersion of every object the export holds. */
  async function versions(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const o of exported) {
      const r = await f.ws.kubectl(["get", `${o.kind}.${(o.apiVersion ?? "").includes("/") ? (o.apiVersion ?? "").split("/")[0] : ""}`.replace(/\.$/, ""), o.metadata.name ?? "", ...(o.metadata.namespace ? ["-n", o.metadata.namespace] : []), "-o", "jsonpath={.metadata.resourceVersion}"]);
      if (r.code === 0) out.set(`${o.kind}/${o.metadata.name}`, r.stdout);
    }
    return out;
  }
  const canI = async (verb: string, resource: string, extra: string[] = []) => (await f.ws.kubectl(["auth", "can-i", verb, resource, `--as=${SA}`, ...extra])).stdout.trim();

  before(async () => {
    f = await realFixture();
  });

  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("the export applies with kubectl apply --server-side; every CRD becomes Established", async () => {
    await f.apply([monitoringCrd("servicemonitors", "ServiceMonitor"), monitoringCrd("prometheusrules", "PrometheusRule")]);
    assert.equal((await waitEstablished((a) => f.ws.kubectl(a), ["crd/servicemonitors.monitoring.coreos.com", "crd/prometheusrules.monitoring.coreos.com"])).code, 0);
    const out = await sealbridge(f.ws, ["install", "--export", ...FLAGS]);
    assert.equal(out.code, 0, out.stderr);
    exported = parseAllDocuments(out.stdout).map((d) => d.toJS() as KubeObject | null).filter((d): d is KubeObject => d !== null);
    const file = join(f.ws.dir, "sealbridge.yaml");
    writeFileSync(file, out.stdout);
    // The manager a GitOps applier would use is its own; this one is install's, so install can take over.
    const applied = await f.ws.kubectl(["apply", "--server-side", "--field-manager=sealbridge-install", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    const established = await waitEstablished((a) => f.ws.kubectl(a), exported.filter((x) => x.kind === "CustomResourceDefinition").map((o) => `crd/${o.metadata.name}`));
    assert.equal(established.code, 0, established.stderr);
    assert.equal(exported.filter((x) => x.kind === "CustomResourceDefinition").length, 9);
    // The real server accepted the hardened pod spec (projected token volume, security contexts).
    const dep = (await f.admin.get(`/apis/apps/v1/namespaces/${NS}/deployments/sealbridge-controller`)) as { spec: { template: { spec: { automountServiceAccountToken: boolean; volumes: Array<{ name: string }> } } } };
    assert.equal(dep.spec.template.spec.automountServiceAccountToken, false);
    assert.ok(dep.spec.template.spec.volumes.some((v) => v.name === "kube-api-access"));
  });

  test("sealbridge install over it changes nothing (same resourceVersions)", async () => {
    const beforeRv = await versions();
    assert.equal(beforeRv.size, exported.length);
    const r = await sealbridge(f.ws, ["install", ...FLAGS]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, exported.length);
    assert.ok(lines.every((l) => l.endsWith(" unchanged")), r.stdout);
    assert.deepEqual(await versions(), beforeRv);
  });

  test("the controller with the Deployment's arguments, as the exported ServiceAccount: every reconciler works, no 403", async () => {
    for (const ns of ["app", "web", "vault"]) await f.admin.ensure("/api/v1/namespaces", { metadata: { name: ns } });
    await f.apply([{
      apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
      metadata: { name: "sealed-secrets-keyq2x9z", namespace: NS, labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
      data: { "tls.crt": readFileSync(join(KEY_DIR, "tls.crt")).toString("base64"), "tls.key": readFileSync(join(KEY_DIR, "tls.key")).toString("base64") },
    }]);
    const dep = (await f.admin.get(`/apis/apps/v1/namespaces/${NS}/deployments/sealbridge-controller`)) as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
    const args = dep.spec.template.spec.containers[0]?.args ?? [];
    assert.equal(args[0], "controller");
    const token = await f.admin.serviceAccountToken(NS, "sealbridge", { expirationSeconds: 86_400 });
    const ctl = f.workspaceFor(token);
    assert.equal((await ctl.kubectl(["auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"])).stdout, SA);
    // POD_NAMESPACE comes from the downward API in the pod; here the flag says the same.
    controller = await startController(ctl, [...args.slice(1), "--namespace", NS, "--resync-period", "5s"], 120_000);
    const port = controller.port;
    await until("keys loaded", async () => (await fetch(`http://127.0.0.1:${port}/v1/age-recipient`)).status === 200, 60_000);

    // sealing: a genuine kubeseal SealedSecret; age: an AgeSecret to the controller's recipient.
    const strict = Object.fromEntries(vectors.filter((v) => v.scope === "strict").map((v) => [v.description, v.ciphertext_b64]));
    const recipient = (await (await fetch(`http://127.0.0.1:${port}/v1/age-recipient`)).text()).trim();
    const armored = await encryptAgeValue(Buffer.from(`${CANARY}-age`), "strict", "app", "api", [recipient]);
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "my-namespace" } });
    // vault-sync: a token SecretStore, a ClusterSecretStore and an ExternalSecret on OpenBao.
    await f.bao("POST", "secret/data/app", { data: { password: `${CANARY}-vault` } });
    const vault = f.stack.vault!;
    // certs: a TLS Secret checked by a CertificateCheck.
    const ca = opensslCa();
    const leaf = opensslLeaf(ca, ["www.example.test"], new Date(Date.now() - 86_400_000), new Date(Date.now() + 60 * 86_400_000));
    const caPem = ca.certPem;
    ca.dispose();
    await f.apply([
      { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "my-secret", namespace: "my-namespace" }, spec: { encryptedData: strict } },
      { apiVersion: "sealbridge.io/v1alpha1", kind: "AgeSecret", metadata: { name: "api", namespace: "app" }, spec: { encryptedData: { token: armored } } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "vault-token", namespace: "app" }, stringData: { token: vault.rootToken } },
      { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "bao", namespace: "app" }, spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token" } } } } } },
      { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "bao" }, spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token", namespace: "app" } } } } } },
      { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "db", namespace: "app" }, spec: { refreshInterval: "1h", secretStoreRef: { name: "bao", kind: "SecretStore" }, target: { name: "db" }, data: [{ secretKey: "password", remoteRef: { key: "app", property: "password" } }] } },
      { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls", metadata: { name: "www-tls", namespace: "web" }, stringData: { "tls.crt": leaf.certPem, "tls.key": leaf.keyPem, "ca.crt": caPem } },
      { apiVersion: "sealbridge.io/v1alpha1", kind: "CertificateCheck", metadata: { name: "www", namespace: "web" }, spec: { secrets: [{ name: "www-tls" }] } },
      // acme: an order against a directory that is not there, and a credential whose source is missing: both reconciled to a status.
      { apiVersion: "sealbridge.io/v1alpha1", kind: "AcmeCertificate", metadata: { name: "www", namespace: "web" }, spec: { dnsNames: ["www.example.test"], secretName: "www-acme", issuer: { directoryUrl: "http://127.0.0.1:9/directory", email: "ops@example.test", accountKeySecretRef: { name: "acme-account" } }, dns01: { zone: "example.test", rfc2136: { nameserver: "127.0.0.1:9", tsigKeyName: "k", tsigAlgorithm: "HMACSHA256", tsigSecretSecretRef: { name: "tsig", key: "secret" } } } } },
      { apiVersion: "sealbridge.io/v1alpha1", kind: "DnsCredential", metadata: { name: "tsig", namespace: "web" }, spec: { source: { secretRef: { name: "tsig-incoming", key: "secret" } }, provider: { rfc2136: { nameserver: "127.0.0.1:9", tsigKeyName: "k", tsigAlgorithm: "HMACSHA512" } }, zone: "example.test", targets: [{ name: "tsig", key: "secret" }] } },
      // unseal: OpenBao (unsealed) watched by address.
      { apiVersion: "sealbridge.io/v1alpha1", kind: "VaultUnsealer", metadata: { name: "bao", namespace: "vault" }, spec: { nodes: { addresses: [vault.addr] }, sharesToUse: 0, alertAfter: "2m" } },
    ]);

    const s = await until("SealedSecret's Secret", async () => (await f.admin.get("/api/v1/namespaces/my-namespace/secrets/my-secret")) as { data?: Record<string, string> } | undefined);
    for (const v of vectors.filter((x) => x.scope === "strict")) assert.equal(s.data?.[v.description], v.plaintext_b64);
    await until("AgeSecret's Secret", async () => (await f.secretData("app", "api"))?.["token"] === `${CANARY}-age`);
    await until("ExternalSecret's Secret", async () => (await f.secretData("app", "db"))?.["password"] === `${CANARY}-vault`, 90_000);
    for (const [path, type, status] of [
      ["/apis/external-secrets.io/v1/namespaces/app/secretstores/bao", "Ready", "True"],
      ["/apis/external-secrets.io/v1/clustersecretstores/bao", "Ready", "True"],
      ["/apis/external-secrets.io/v1/namespaces/app/externalsecrets/db", "Ready", "True"],
      ["/apis/sealbridge.io/v1alpha1/namespaces/web/certificatechecks/www", "Ready", "True"],
      ["/apis/sealbridge.io/v1alpha1/namespaces/web/acmecertificates/www", "Ready", "False"],
      ["/apis/sealbridge.io/v1alpha1/namespaces/web/dnscredentials/tsig", "Ready", "False"],

      ["/apis/sealbridge.io/v1alpha1/namespaces/vault/vaultunsealers/bao", "Unsealed", "True"],
    ] as const) {
      const c = await until(`${path} ${type}=${status}`, async () => {
        const got = await f.condition(path, type);
        return got?.status === status ? got : undefined;
      }, 90_000).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; condition now: ${JSON.stringify(await f.condition(path, type))}`);
      });
      assert.ok(c.reason, `${path}: a reason`);
    }
    // The metrics the PrometheusRule alerts on are served.
    const metricsPort = Number(/"server":"metrics".*?"port":(\d+)/.exec(controller.output())?.[1]);
    const metrics = await until("metrics", async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return text.includes("sealbridge_vault_sealed{") && text.includes("sealbridge_certificate_not_after_timestamp_seconds{") ? text : undefined;
    }, 60_000);
    assert.match(metrics, /sealbridge_vault_sealed\{namespace="vault",name="bao",node="[^"]+"\} 0/);
    assert.match(metrics, /externalsecret_sync_calls_total\{name="db",namespace="app"\}/);
    const lease = (await f.admin.get(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/sealbridge-controller`)) as { spec?: { holderIdentity?: string } } | undefined;
    assert.ok(lease?.spec?.holderIdentity, "leader election Lease held in its namespace");
    assert.doesNotMatch(controller.output(), /\b403\b|forbidden/i, "every request was allowed by the exported RBAC");
    assert.ok(!controller.output().includes(CANARY), "no value in the logs");
  });

  test("removing a feature removes its permissions (SubjectAccessReview), the others stay", async () => {
    await controller?.stop();
    controller = undefined;
    assert.equal(await canI("list", "vaultunsealers.sealbridge.io"), "yes");
    assert.equal(await canI("update", "pods", ["--subresource=proxy", "-n", "vault"]), "yes");
    const r = await sealbridge(f.ws, ["install", ...FLAGS, "--features", "sealing,age,vault-sync,certs,acme"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^clusterrole\.rbac\.authorization\.k8s\.io\/sealbridge-controller configured$/m);
    assert.match(r.stdout, /^deployment\.apps\/sealbridge-controller configured$/m);
    assert.equal(await canI("list", "vaultunsealers.sealbridge.io"), "no");
    assert.equal(await canI("patch", "vaultunsealers.sealbridge.io", ["--subresource=status", "-n", "vault"]), "no");
    assert.equal(await canI("update", "pods", ["--subresource=proxy", "-n", "vault"]), "no");
    assert.equal(await canI("watch", "pods"), "no");
    assert.equal(await canI("watch", "sealedsecrets.bitnami.com"), "yes");
    assert.equal(await canI("create", "serviceaccounts", ["--subresource=token", "-n", "app"]), "yes");
    assert.equal(await canI("watch", "certificatechecks.sealbridge.io"), "yes");
    assert.equal(await canI("update", "leases", ["-n", NS]), "yes");
    assert.equal(await canI("update", "leases", ["-n", "default"]), "no");
    const dep = (await f.admin.get(`/apis/apps/v1/namespaces/${NS}/deployments/sealbridge-controller`)) as { spec: { template: { spec: { containers: Array<{ args: string[] }> } } } };
    const args = dep.spec.template.spec.containers[0]?.args ?? [];
    assert.ok(!args.includes("--vault-unsealer") && !(args[args.indexOf("--reconcilers") + 1] ?? "").includes("vaultunsealer"));
  });

  test("a field another manager changed is a conflict (no force)", async () => {
    const patch = (n: number) => f.ws.kubectl(["patch", "deployment", "sealbridge-controller", "-n", NS, "--type", "merge", "-p", JSON.stringify({ spec: { replicas: n } })]);
    assert.equal((await patch(3)).code, 0);
    const r = await sealbridge(f.ws, ["install", ...FLAGS, "--features", "sealing,age,vault-sync,certs,acme"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using apps\/v1: \.spec\.replicas/);
    assert.equal((await patch(1)).code, 0);
    const again = await sealbridge(f.ws, ["install", ...FLAGS, "--features", "sealing,age,vault-sync,certs,acme"]);
    assert.equal(again.code, 0, again.stderr);
  });

  test("uninstall removes what install applied and keeps users' objects, key and synced Secrets, the Namespace and CRDs", async () => {
    const r = await sealbridge(f.ws, ["uninstall"]);
    assert.equal(r.code, 0, r.stderr);
    for (const gone of ["deployment.apps/sealbridge-controller", "service/sealbridge", "serviceaccount/sealbridge", "clusterrole.rbac.authorization.k8s.io/sealbridge-controller", "clusterrolebinding.rbac.authorization.k8s.io/sealbridge-controller", "role.rbac.authorization.k8s.io/sealbridge-controller", "rolebinding.rbac.authorization.k8s.io/sealbridge-controller", "servicemonitor.monitoring.coreos.com/sealbridge", "prometheusrule.monitoring.coreos.com/sealbridge"]) {
      assert.match(r.stdout, new RegExp(`^${gone.replace(/\./g, "\\.")} deleted$`, "m"));
    }
    assert.match(r.stdout, /^namespace\/sealbridge kept/m);
    assert.match(r.stdout, /^customresourcedefinition\.apiextensions\.k8s\.io\/externalsecrets\.external-secrets\.io kept/m);
    assert.equal(await f.admin.get(`/apis/apps/v1/namespaces/${NS}/deployments/sealbridge-controller`), undefined);
    assert.equal(await f.admin.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/sealbridge-controller"), undefined);
    for (const path of [
      `/api/v1/namespaces/${NS}`,
      `/api/v1/namespaces/${NS}/secrets/sealed-secrets-keyq2x9z`,
      "/api/v1/namespaces/my-namespace/secrets/my-secret",
      "/apis/bitnami.com/v1alpha1/namespaces/my-namespace/sealedsecrets/my-secret",
      "/apis/sealbridge.io/v1alpha1/namespaces/app/agesecrets/api",
      "/api/v1/namespaces/app/secrets/api",
      "/apis/external-secrets.io/v1/namespaces/app/externalsecrets/db",
      "/api/v1/namespaces/app/secrets/db",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sealedsecrets.bitnami.com",
    ]) {
      assert.ok(await f.admin.get(path), `${path} kept`);
    }
    const identities = (await f.admin.must("GET", `/api/v1/namespaces/${NS}/secrets`)) as { items: KubeObject[] };
    assert.ok(identities.items.length >= 2, "the sealing key and the age identity stay");
  });
});
