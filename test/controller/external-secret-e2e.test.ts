/**
 * ExternalSecrets end to end against the Kubernetes and Vault test servers, with the real
 * runtime: the homelab manifest (v1beta1, ClusterSecretStore with kubernetes auth through
 * TokenRequest + TokenReview), ESO's documented store examples (token, appRole, KV v1/v2,
 * property, version, dataFrom extract, templates), force-sync, reload, coalescing, and failures
 * (sealed, missing property, wrong store kind, unsupported fields) that keep the last good Secret
 * and never leak a value.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { testRuntimeConfig } from "./support/runtime-config.js";
import { HOMELAB_EXTERNAL_SECRET } from "../eso/homelab-manifest.js";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ControllerRuntime } from "../../src/controller/runtime/runtime.js";
import { externalSecretReconciler } from "../../src/controller/external-secret/index.js";
import { secretStoreReconciler } from "../../src/controller/secret-store/index.js";
import { StoreConnections } from "../../src/eso/store-connections.js";
import { VaultReader } from "../../src/eso/vault-reader.js";
import { silentLogger } from "../../src/log.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { eventually, kubeFixture, type KubeFixture } from "../kube/kube-fixture.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;
const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const NAMESPACES: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };
const SAS: ResourceRef = { group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true };
const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
const DEPLOYMENTS: ResourceRef = { group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true };
const es = (version = "v1"): ResourceRef => ({ group: "external-secrets.io", version, plural: "externalsecrets", kind: "ExternalSecret", namespaced: true });
const SS: ResourceRef = { group: "external-secrets.io", version: "v1", plural: "secretstores", kind: "SecretStore", namespaced: true };
const CSS: ResourceRef = { group: "external-secrets.io", version: "v1", plural: "clustersecretstores", kind: "ClusterSecretStore", namespaced: false };

async function api(v: VaultTestCluster, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${v.addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": v.rootToken ?? "", "Content-Type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

describe("ExternalSecret end to end", { timeout: 60_000 }, () => {
  let k: KubeFixture;
  let vault: VaultTestCluster;
  let runtime: ControllerRuntime;
  let reader: VaultReader;

  const secretData = (ns: string, name: string): Record<string, string> | undefined => {
    const s = k.server.objects("secrets", ns).find((o) => o.metadata.name === name);
    const data = s?.["data"] as Record<string, string> | undefined;
    return data && Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v, "base64").toString("utf8")]));
  };
  const ready = (ns: string, name: string): { status?: string; reason?: string; message?: string } | undefined => {
    const o = k.server.objects("externalsecrets.external-secrets.io", ns).find((x) => x.metadata.name === name);
    return (o?.["status"] as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined)?.conditions?.find((c) => c.type === "Ready");
  };
  const esStatus = (ns: string, name: string): Record<string, unknown> | undefined =>
    k.server.objects("externalsecrets.external-secrets.io", ns).find((x) => x.metadata.name === name)?.["status"] as Record<string, unknown> | undefined;

  before(async () => {
    k = await kubeFixture();
    for (const plural of ["externalsecrets", "secretstores", "clustersecretstores"]) {
      await k.kube.create(CRDS, parseYaml(readFileSync(new URL(`../../crds/${plural}.external-secrets.io.yaml`, import.meta.url), "utf8")) as KubeObject);
    }
    for (const ns of ["my-app", "example", "sealbridge-system"]) await k.kube.create(NAMESPACES, { metadata: { name: ns } });
    await k.kube.create(SAS, { metadata: { name: "sealbridge", namespace: "sealbridge-system" } });

    vault = await startVaultServer({ mode: "dev" });
    await api(vault, "PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }\npath "kv1/*" { capabilities = ["read"] }' });
    await api(vault, "POST", "sys/auth/kubernetes", { type: "kubernetes" });
    await api(vault, "POST", "auth/kubernetes/config", { kubernetes_host: k.server.url, kubernetes_ca_cert: k.server.caPem, token_reviewer_jwt: k.server.adminToken });
    await api(vault, "POST", "auth/kubernetes/role/external-secrets", {
      bound_service_account_names: ["sealbridge"],
      bound_service_account_namespaces: ["sealbridge-system"],
      audience: "vault",
      token_policies: ["reader"],
      token_ttl: "1h",
    });
    await api(vault, "POST", "secret/data/my-app", { data: { database_url: CANARY } });

    reader = new VaultReader({ now: () => new Date() }, { concurrency: 8, backoffBaseMs: 200, backoffMaxMs: 1_000 });
    // The controller's own service account token, as mounted in its pod.
    writeFileSync(join(k.dir, "sa-token"), k.server.issueServiceAccountToken("sealbridge-system", "sealbridge", { audiences: ["vault"] }));
    const connections = new StoreConnections(k.kube, { now: () => new Date() }, { inClusterTokenPath: join(k.dir, "sa-token") });
    runtime = new ControllerRuntime({
      kube: k.kube,
      reconcilers: [externalSecretReconciler({ reader, connections }), secretStoreReconciler("SecretStore", connections), secretStoreReconciler("ClusterSecretStore", connections)],
      config: testRuntimeConfig({ resyncPeriodMs: 1_000, namespace: "sealbridge-system" }),
      log: silentLogger,
      backoff: { baseMs: 100, capMs: 1_000 },
    });
    await runtime.start();
  });

  after(async () => {
    await runtime?.stop({ timeoutMs: 2_000 });
    await vault?.stop();
    await k?.close();
  });

  test("the homelab manifest (v1beta1) with a kubernetes-auth ClusterSecretStore produces the Secret", async () => {
    await k.kube.create(CSS, {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: "vault-backend" },
      spec: {
        provider: {
          vault: {
            server: vault.addr,
            path: "secret",
            version: "v2",
            auth: { kubernetes: { mountPath: "kubernetes", role: "external-secrets", serviceAccountRef: { name: "sealbridge", namespace: "sealbridge-system", audiences: ["vault"] } } },
          },
        },
      },
    });
    await k.kube.create(es("v1beta1"), parseYaml(HOMELAB_EXTERNAL_SECRET) as KubeObject);
    await eventually(() => secretData("my-app", "app-credentials")?.["DATABASE_URL"] === CANARY, 10_000, "the Secret");
    await eventually(() => ready("my-app", "app-credentials")?.reason === "SecretSynced", 5_000, "Ready");
    const secret = k.server.objects("secrets", "my-app").find((o) => o.metadata.name === "app-credentials");
    assert.equal(secret?.metadata.labels?.["reconcile.external-secrets.io/managed"], "true");
    assert.equal(secret?.metadata.ownerReferences?.[0]?.kind, "ExternalSecret");
    const status = esStatus("my-app", "app-credentials");
    assert.ok(status?.["refreshTime"]);
    assert.match(String(status?.["syncedResourceVersion"]), /^1-/);
    await eventually(() => {
      const css = k.server.objects("clustersecretstores.external-secrets.io").find((o) => o.metadata.name === "vault-backend");
      const st = css?.["status"] as { conditions?: Array<{ reason: string }>; capabilities?: string } | undefined;
      return st?.conditions?.[0]?.reason === "Valid" && st.capabilities === "ReadOnly";
    }, 5_000, "store Valid");
  });

  test("a value changed in Vault reaches the Secret on force-sync and restarts the consuming Deployment exactly once", async () => {
    await k.kube.create(DEPLOYMENTS, {
      metadata: { name: "app", namespace: "my-app", annotations: { "sealbridge.io/reload": "auto" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "app" } },
        template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "app:1", envFrom: [{ secretRef: { name: "app-credentials" } }] }] } },
      },
    });
    await k.kube.create(DEPLOYMENTS, {
      metadata: { name: "unrelated", namespace: "my-app", annotations: { "sealbridge.io/reload": "other-secret" } },
      spec: { replicas: 1, selector: { matchLabels: { app: "u" } }, template: { metadata: { labels: { app: "u" } }, spec: { containers: [{ name: "u", image: "u:1" }] } } },
    });
    const gen = (name: string) => k.server.objects("deployments.apps", "my-app").find((d) => d.metadata.name === name)?.metadata.generation;
    const genBefore = gen("app");
    await api(vault, "POST", "secret/data/my-app", { data: { database_url: `${CANARY}-rotated` } });
    await k.kube.mergePatch(es(), "my-app", "app-credentials", { metadata: { annotations: { "force-sync": "1" } } });
    await eventually(() => secretData("my-app", "app-credentials")?.["DATABASE_URL"] === `${CANARY}-rotated`, 10_000, "the rotated value");
    await eventually(() => gen("app") === (genBefore ?? 0) + 1, 5_000, "the restart");
    const dep = k.server.objects("deployments.apps", "my-app").find((d) => d.metadata.name === "app");
    const annotations = (dep?.["spec"] as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations ?? {};
    assert.ok(annotations["sealbridge.io/restartedAt"]);
    // Another force-sync with unchanged content, and a watch-triggered reconcile: no second restart.
    await k.kube.mergePatch(es(), "my-app", "app-credentials", { metadata: { annotations: { "force-sync": "2" } } });
    await eventually(() => String(esStatus("my-app", "app-credentials")?.["syncedResourceVersion"]) !== "", 2_000);
    await new Promise((r) => setTimeout(r, 1_200)); // at least one full resync
    assert.equal(gen("app"), (genBefore ?? 0) + 1);
    assert.equal(gen("unrelated"), 1);
  });

  test("a value changed in Vault reaches the Secret on the next refresh (refreshInterval 1s)", async () => {
    await api(vault, "POST", "secret/data/fast", { data: { v: "one" } });
    await k.kube.create(es(), { metadata: { name: "fast", namespace: "my-app" }, spec: { refreshInterval: "1s", secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, data: [{ secretKey: "v", remoteRef: { key: "fast", property: "v" } }] } });
    await eventually(() => secretData("my-app", "fast")?.["v"] === "one", 5_000, "first value");
    await api(vault, "POST", "secret/data/fast", { data: { v: "two" } });
    await eventually(() => secretData("my-app", "fast")?.["v"] === "two", 5_000, "refreshed value");
    await k.kube.delete(es(), "my-app", "fast");
    await eventually(() => secretData("my-app", "fast") === undefined, 5_000, "Owner Secret garbage-collected with its ExternalSecret");
  });

  test("refreshInterval 0 fetches once; force-sync fetches again", async () => {
    await api(vault, "POST", "secret/data/once", { data: { v: "first" } });
    await k.kube.create(es(), { metadata: { name: "once", namespace: "my-app" }, spec: { refreshInterval: "0", secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, data: [{ secretKey: "v", remoteRef: { key: "once", property: "v" } }] } });
    await eventually(() => secretData("my-app", "once")?.["v"] === "first", 5_000, "first fetch");
    await eventually(() => ready("my-app", "once")?.status === "True", 5_000, "Ready");
    await api(vault, "POST", "secret/data/once", { data: { v: "second" } });
    await new Promise((r) => setTimeout(r, 1_300)); // a full resync passes
    assert.equal(secretData("my-app", "once")?.["v"], "first");
    await k.kube.mergePatch(es(), "my-app", "once", { metadata: { annotations: { "force-sync": "now" } } });
    await eventually(() => secretData("my-app", "once")?.["v"] === "second", 5_000, "force-synced value");
  });

  test("deletionPolicy Delete: the Secret goes when its Vault source is gone", async () => {
    await api(vault, "POST", "secret/data/del", { data: { v: "x" } });
    await k.kube.create(es(), { metadata: { name: "del", namespace: "my-app" }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, target: { deletionPolicy: "Delete" }, data: [{ secretKey: "v", remoteRef: { key: "del", property: "v" } }] } });
    await eventually(() => secretData("my-app", "del")?.["v"] === "x", 5_000, "Secret");
    await api(vault, "DELETE", "secret/metadata/del");
    await k.kube.mergePatch(es(), "my-app", "del", { metadata: { annotations: { "force-sync": "gone" } } });
    await eventually(() => secretData("my-app", "del") === undefined, 5_000, "Secret deleted");
    await eventually(() => ready("my-app", "del")?.reason === "SecretDeleted", 5_000, "SecretDeleted");
  });

  test("ESO's documented stores: token (KV v2, dataFrom extract, version, template) and appRole (KV v1, property; roleRef at a non-default mount)", async () => {
    await api(vault, "POST", "secret/data/grafana/admin", { data: { credentials: { user: "admin", password: `${CANARY}-pw` } } });
    await api(vault, "POST", "secret/data/grafana/db", { data: { url: "postgres://db-v1" } });
    await api(vault, "POST", "secret/data/grafana/db", { data: { url: "postgres://db-v2" } });
    await api(vault, "POST", "secret/data/grafana/db", { data: { url: "postgres://db-v3" } });
    await api(vault, "POST", "secret/data/grafana/db", { data: { url: "postgres://db-v4" } });
    await api(vault, "POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } });
    await api(vault, "POST", "kv1/app", { user: "kv1-user", nested: { a: { b: "deep" } } });
    await api(vault, "POST", "sys/auth/approle", { type: "approle" });
    await api(vault, "POST", "auth/approle/role/eso", { token_policies: "reader", token_ttl: "1h" });
    const roleId = (await api(vault, "GET", "auth/approle/role/eso/role-id")).data.role_id as string;
    const secretId = (await api(vault, "POST", "auth/approle/role/eso/secret-id", {})).data.secret_id as string;
    await k.kube.create(SECRETS, { metadata: { name: "my-secret", namespace: "example" }, stringData: { "vault-token": vault.rootToken ?? "", "secret-id": secretId } });
    await k.kube.create(SS, { metadata: { name: "vault-backend", namespace: "example" }, spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "my-secret", key: "vault-token" } } } } } });
    await k.kube.create(SS, { metadata: { name: "vault-approle", namespace: "example" }, spec: { provider: { vault: { server: vault.addr, path: "kv1", version: "v1", auth: { appRole: { path: "approle", roleId, secretRef: { name: "my-secret", key: "secret-id" } } } } } } });
    await k.kube.create(es(), parseYaml(readFileSync(new URL("../../crds/examples/external-secrets/valid-externalsecret-template.yaml", import.meta.url), "utf8").replace("namespace: monitoring", "namespace: example")) as KubeObject);
    await k.kube.create(es(), {
      metadata: { name: "kv1", namespace: "example" },
      spec: { secretStoreRef: { name: "vault-approle" }, target: { name: "kv1-secret", creationPolicy: "Orphan" }, data: [{ secretKey: "user", remoteRef: { key: "app", property: "user" } }, { secretKey: "deep", remoteRef: { key: "kv1/app", property: "nested.a.b" } }] },
    });
    await eventually(() => secretData("example", "grafana-config") !== undefined, 10_000, "grafana-config");
    assert.deepEqual(secretData("example", "grafana-config"), {
      "config.yaml": `user: "admin"\npassword: "${CANARY}-pw"\n`,
      url: "postgresql://db-v3", // remoteRef.version: "3", not the latest (v4)
    });
    await eventually(() => secretData("example", "kv1-secret") !== undefined, 10_000, "kv1-secret");
    assert.deepEqual(secretData("example", "kv1-secret"), { user: "kv1-user", deep: "deep" });
    const kv1 = k.server.objects("secrets", "example").find((o) => o.metadata.name === "kv1-secret");
    assert.equal(kv1?.metadata.ownerReferences, undefined);

    // appRole at a non-default mount, with the role ID from a Secret (roleRef).
    await api(vault, "POST", "sys/auth/approle-eso", { type: "approle" });
    await api(vault, "POST", "auth/approle-eso/role/eso", { token_policies: "reader", token_ttl: "1h" });
    const refRoleId = (await api(vault, "GET", "auth/approle-eso/role/eso/role-id")).data.role_id as string;
    const refSecretId = (await api(vault, "POST", "auth/approle-eso/role/eso/secret-id", {})).data.secret_id as string;
    await k.kube.create(SECRETS, { metadata: { name: "approle-eso", namespace: "example" }, stringData: { "role-id": refRoleId, "secret-id": refSecretId } });
    const loginsBefore = vault.counters.requests("POST", /auth\/approle-eso\/login/);
    await k.kube.create(SS, {
      metadata: { name: "vault-approle-ref", namespace: "example" },
      spec: { provider: { vault: { server: vault.addr, path: "kv1", version: "v1", auth: { appRole: { path: "approle-eso", roleRef: { name: "approle-eso", key: "role-id" }, secretRef: { name: "approle-eso", key: "secret-id" } } } } } },
    });
    await k.kube.create(es(), { metadata: { name: "kv1-ref", namespace: "example" }, spec: { secretStoreRef: { name: "vault-approle-ref" }, data: [{ secretKey: "user", remoteRef: { key: "app", property: "user" } }] } });
    await eventually(() => secretData("example", "kv1-ref") !== undefined, 10_000, "kv1-ref through appRole roleRef");
    assert.deepEqual(secretData("example", "kv1-ref"), { user: "kv1-user" });
    assert.ok(vault.counters.requests("POST", /auth\/approle-eso\/login/) > loginsBefore, "logged in at the store's appRole path");
  });

  test("kubernetes auth with a JWT in a Secret (secretRef), creationPolicy Merge into an existing Secret", async () => {
    const jwt = k.server.issueServiceAccountToken("sealbridge-system", "sealbridge", { audiences: ["vault"] });
    await k.kube.create(SECRETS, { metadata: { name: "sa-jwt", namespace: "example" }, stringData: { token: jwt } });
    await k.kube.create(SS, { metadata: { name: "vault-k8s-secret", namespace: "example" }, spec: { provider: { vault: { server: vault.addr, path: "secret", auth: { kubernetes: { role: "external-secrets", secretRef: { name: "sa-jwt" } } } } } } });
    await k.kube.create(SECRETS, { metadata: { name: "merged", namespace: "example", labels: { app: "mine" } }, type: "Opaque", stringData: { other: "kept" } });
    await k.kube.create(es(), { metadata: { name: "merge", namespace: "example" }, spec: { secretStoreRef: { name: "vault-k8s-secret" }, target: { name: "merged", creationPolicy: "Merge" }, data: [{ secretKey: "DATABASE_URL", remoteRef: { key: "my-app", property: "database_url" } }] } });
    await eventually(() => secretData("example", "merged")?.["DATABASE_URL"] !== undefined, 10_000, "merged key");
    assert.equal(secretData("example", "merged")?.["other"], "kept");
    const merged = k.server.objects("secrets", "example").find((o) => o.metadata.name === "merged");
    assert.equal(merged?.metadata.labels?.["app"], "mine");
    assert.equal(merged?.metadata.labels?.["reconcile.external-secrets.io/managed"], undefined, "Merge does not take the Secret over");
    assert.equal(merged?.metadata.ownerReferences, undefined);
  });

  test("kubernetes auth with neither ref uses the controller's own service account token", async () => {
    await k.kube.create(CSS, { metadata: { name: "vault-own-sa" }, spec: { provider: { vault: { server: vault.addr, path: "secret", auth: { kubernetes: { role: "external-secrets" } } } } } });
    await k.kube.create(es(), { metadata: { name: "own-sa", namespace: "my-app" }, spec: { secretStoreRef: { name: "vault-own-sa", kind: "ClusterSecretStore" }, data: [{ secretKey: "u", remoteRef: { key: "secret/my-app", property: "database_url" } }] } });
    await eventually(() => secretData("my-app", "own-sa")?.["u"] !== undefined, 10_000, "Secret through the controller's own token");
  });

  test("kubernetes auth at a non-default mountPath logs in at auth/<mountPath>/login, never at the default mount", async () => {
    await api(vault, "POST", "sys/auth/k8s-other", { type: "kubernetes" });
    await api(vault, "POST", "auth/k8s-other/config", { kubernetes_host: k.server.url, kubernetes_ca_cert: k.server.caPem, token_reviewer_jwt: k.server.adminToken });
    // The role exists only at this mount: a login at auth/kubernetes would be refused.
    await api(vault, "POST", "auth/k8s-other/role/other-mount-role", {
      bound_service_account_names: ["sealbridge"],
      bound_service_account_namespaces: ["sealbridge-system"],
      audience: "vault",
      token_policies: ["reader"],
      token_ttl: "1h",
    });
    await api(vault, "POST", "secret/data/other-mount", { data: { url: `${CANARY}-other` } });
    const otherBefore = vault.counters.requests("POST", /auth\/k8s-other\/login$/);
    const defaultBefore = vault.counters.requests("POST", /auth\/kubernetes\/login$/);
    await k.kube.create(CSS, {
      metadata: { name: "vault-other-mount" },
      spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { kubernetes: { mountPath: "k8s-other", role: "other-mount-role", serviceAccountRef: { name: "sealbridge", namespace: "sealbridge-system", audiences: ["vault"] } } } } } },
    });
    await k.kube.create(es(), { metadata: { name: "other-mount", namespace: "my-app" }, spec: { secretStoreRef: { name: "vault-other-mount", kind: "ClusterSecretStore" }, data: [{ secretKey: "URL", remoteRef: { key: "other-mount", property: "url" } }] } });
    await eventually(() => secretData("my-app", "other-mount")?.["URL"] === `${CANARY}-other`, 10_000, "Secret through the k8s-other mount");
    await eventually(() => ready("my-app", "other-mount")?.reason === "SecretSynced", 5_000, "Ready");
    assert.ok(vault.counters.requests("POST", /auth\/k8s-other\/login$/) - otherBefore >= 1, "logged in at auth/k8s-other/login");
    assert.equal(vault.counters.requests("POST", /auth\/kubernetes\/login$/) - defaultBefore, 0, "the default kubernetes mount is not used");
  });

  test("failures give clear conditions, keep the last good Secret and never show a value", async () => {
    await k.kube.create(es(), { metadata: { name: "no-prop", namespace: "my-app" }, spec: { secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, data: [{ secretKey: "x", remoteRef: { key: "my-app", property: "nope" } }] } });
    await k.kube.create(es(), { metadata: { name: "wrong-kind", namespace: "my-app" }, spec: { secretStoreRef: { name: "vault-backend" }, data: [{ secretKey: "x", remoteRef: { key: "my-app" } }] } });
    await k.kube.create(es(), { metadata: { name: "unsupported", namespace: "my-app" }, spec: { secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, dataFrom: [{ find: { path: "dev" } }] } });
    await eventually(() => /property not found: store ClusterSecretStore vault-backend, key my-app, property nope/.test(ready("my-app", "no-prop")?.message ?? ""), 5_000, "no-prop condition");
    await eventually(() => /SecretStore my-app\/vault-backend not found \(a ClusterSecretStore of that name exists/.test(ready("my-app", "wrong-kind")?.message ?? ""), 5_000, "wrong-kind condition");
    await eventually(() => /unsupported field spec\.dataFrom\[0\]\.find/.test(ready("my-app", "unsupported")?.message ?? ""), 5_000, "unsupported condition");
    await k.kube.create(es(), { metadata: { name: "bad-interval", namespace: "my-app" }, spec: { refreshInterval: "5", secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, data: [{ secretKey: "x", remoteRef: { key: "my-app" } }] } });
    await eventually(() => /invalid duration "5".*missing unit/.test(ready("my-app", "bad-interval")?.message ?? ""), 5_000, "bad interval condition");

    await eventually(
      () => k.server.objects("events", "my-app").some((e) => (e["involvedObject"] as { name?: string }).name === "no-prop" && e["type"] === "Warning" && e["reason"] === "SecretSyncedError"),
      5_000,
      "a Warning Event for the failure",
    );
    vault.faults.sealAll();
    await k.kube.mergePatch(es(), "my-app", "app-credentials", { metadata: { annotations: { "force-sync": "sealed" } } });
    await eventually(() => ready("my-app", "app-credentials")?.status === "False", 5_000, "Ready=False while sealed");
    const cond = ready("my-app", "app-credentials");
    assert.equal(cond?.reason, "SecretSyncedError");
    assert.match(cond?.message ?? "", /Vault is sealed \(HTTP 503\): store ClusterSecretStore vault-backend, path secret\/data\/my-app/);
    assert.equal(secretData("my-app", "app-credentials")?.["DATABASE_URL"], `${CANARY}-rotated`, "the last good Secret stays");
    // Recovery is automatic once Vault is unsealed.
    await api(vault, "PUT", "sys/unseal", { key: vault.unsealKeys?.[0] });
    await eventually(() => ready("my-app", "app-credentials")?.status === "True", 10_000, "recovery");

    const everything = JSON.stringify([k.server.objects("externalsecrets.external-secrets.io"), k.server.objects("events")]);
    assert.ok(!everything.includes(CANARY), "no value in status or events");
    assert.ok(!everything.includes(vault.rootToken ?? "unused"), "no token in status or events");
  });

  test("store status: InvalidProviderConfig for unsupported auth, ValidationFailed for a login Vault refuses", async () => {
    const storeReady = (resource: string, ns: string | undefined, name: string) =>
      ((k.server.objects(resource, ns).find((o) => o.metadata.name === name)?.["status"] as { conditions?: Array<{ type: string; reason: string; message: string }> } | undefined)?.conditions ?? []).find((c) => c.type === "Ready");
    await k.kube.create(CSS, { metadata: { name: "cert-auth" }, spec: { provider: { vault: { server: vault.addr, auth: { cert: { clientCert: { name: "c" } } } } } } });
    await k.kube.create(SECRETS, { metadata: { name: "wrong-token", namespace: "example" }, stringData: { token: "hvs.not-a-real-token" } });
    await k.kube.create(SS, { metadata: { name: "refused", namespace: "example" }, spec: { provider: { vault: { server: vault.addr, path: "secret", auth: { appRole: { roleId: "nope", secretRef: { name: "wrong-token", key: "token" } } } } } } });
    await eventually(() => storeReady("clustersecretstores.external-secrets.io", undefined, "cert-auth")?.reason === "InvalidProviderConfig", 5_000, "InvalidProviderConfig");
    assert.match(storeReady("clustersecretstores.external-secrets.io", undefined, "cert-auth")?.message ?? "", /unsupported field spec\.provider\.vault\.auth\.cert/);
    await eventually(() => storeReady("secretstores.external-secrets.io", "example", "refused")?.reason === "ValidationFailed", 5_000, "ValidationFailed");
    assert.match(storeReady("secretstores.external-secrets.io", "example", "refused")?.message ?? "", /Vault login failed \(HTTP 400\): store SecretStore example\/refused, path auth\/approle\/login/);
  });

  test("ExternalSecrets reading the same path share one Vault read; an unchanged resync reads and writes nothing", async () => {
    await api(vault, "POST", "secret/data/shared", { data: { v: "shared-value" } });
    const before = vault.counters.requests("GET", /secret\/data\/shared/);
    for (let i = 0; i < 20; i++) {
      await k.kube.create(es(), { metadata: { name: `shared-${i}`, namespace: "my-app" }, spec: { refreshInterval: "1h", secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" }, data: [{ secretKey: "v", remoteRef: { key: "shared", property: "v" } }] } });
    }
    await eventually(() => Array.from({ length: 20 }, (_, i) => secretData("my-app", `shared-${i}`)?.["v"] === "shared-value").every(Boolean), 10_000, "20 Secrets");
    await eventually(() => Array.from({ length: 20 }, (_, i) => ready("my-app", `shared-${i}`)?.status === "True").every(Boolean), 10_000, "20 Ready");
    assert.equal(vault.counters.requests("GET", /secret\/data\/shared/) - before, 1);
    assert.ok(reader.coalescer.stats.hits + reader.coalescer.stats.joined >= 19);
    // Steady state: the runtime resyncs every key each second; nothing is read or written.
    const mutations = (re: RegExp) => ["POST", "PUT", "PATCH", "DELETE"].reduce((n, m) => n + k.server.counters.requests(m, re), 0);
    // Let the initial sync's own echoes (watch events of our writes) settle first: no write for 300 ms.
    const count = () => mutations(/\/secrets(\/|\?|$)/) + mutations(/externalsecrets\/shared-/);
    for (let i = 0, before = -1; i < 20 && before !== count(); i++) {
      before = count();
      await new Promise((r) => setTimeout(r, 300));
    }
    const secretWrites = mutations(/\/secrets(\/|\?|$)/);
    const statusWrites = mutations(/externalsecrets\/shared-/);
    const reads = vault.counters.requests("GET", /secret\/data\//);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(mutations(/\/secrets(\/|\?|$)/), secretWrites, "no Secret writes on an unchanged resync");
    assert.equal(mutations(/externalsecrets\/shared-/), statusWrites, "no status writes on an unchanged resync");
    assert.equal(vault.counters.requests("GET", /secret\/data\//), reads, "no Vault reads inside the refresh window");
  });
});
