import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKubeConfig, loadKubeConnection } from "../../src/kube/config.js";
import { InputError } from "../../src/errors.js";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443/" } }]
users: [{ name: u, user: { token: CANARY-token-value } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: ops } }]
current-context: x
`;

describe("kube config loading", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sealbridge-kubeconfig-"));
    await mkdir(join(dir, ".kube"));
    await writeFile(join(dir, ".kube", "config"), KUBECONFIG);
    await writeFile(join(dir, "empty"), "apiVersion: v1\nkind: Config\n");
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test("explicit file: server, namespace, bearer token header", async () => {
    const conn = await loadKubeConnection({ kubeconfig: join(dir, ".kube", "config"), env: {} });
    try {
      assert.equal(conn.server.href, "https://127.0.0.1:6443/");
      assert.equal(conn.namespace, "ops");
      assert.deepEqual(await conn.headers(), { authorization: "Bearer CANARY-token-value" });
    } finally {
      conn.agent.destroy();
    }
  });

  test("falls back to ~/.kube/config when nothing else is given", () => {
    const kc = loadKubeConfig({ kubeconfig: undefined, env: { HOME: dir } });
    assert.equal(kc.getCurrentCluster()?.name, "c");
  });

  test("in-cluster service account when KUBERNETES_SERVICE_HOST is set and no kubeconfig exists (kubectl: files first)", () => {
    // @kubernetes/client-node reads the service address from process.env itself.
    const saved = { host: process.env["KUBERNETES_SERVICE_HOST"], port: process.env["KUBERNETES_SERVICE_PORT"] };
    process.env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
    process.env["KUBERNETES_SERVICE_PORT"] = "443";
    try {
      const kc = loadKubeConfig({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", HOME: join(dir, "nohome") } });
      assert.equal(kc.getCurrentCluster()?.server, "https://10.96.0.1:443");
      assert.equal(kc.getCurrentCluster()?.caFile, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
      assert.equal(kc.getCurrentUser()?.authProvider?.config?.["tokenFile"], "/var/run/secrets/kubernetes.io/serviceaccount/token");
      const explicit = loadKubeConfig({ kubeconfig: join(dir, ".kube", "config"), env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" } });
      assert.equal(explicit.getCurrentCluster()?.server, "https://127.0.0.1:6443", "--kubeconfig wins over in-cluster");
      const home = loadKubeConfig({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", HOME: dir } });
      assert.equal(home.getCurrentCluster()?.server, "https://127.0.0.1:6443", "~/.kube/config wins over in-cluster");
    } finally {
      for (const [name, value] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test("errors name the file and what to do, never the token", async () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "missing"), env: {} }), (e: unknown) => e instanceof InputError && /kubeconfig not found: .*missing \(pass/.test(e.message));
    assert.throws(() => loadKubeConfig({ kubeconfig: undefined, env: { HOME: join(dir, "nohome") } }), (e: unknown) => e instanceof InputError && e.code === "NoClusterConfigured" && /^no cluster is configured: no --kubeconfig, no KUBECONFIG, no .*nohome\/\.kube\/config, and not running in a cluster \(pass --kubeconfig FILE or set KUBECONFIG\)$/.test(e.message));
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "empty"), env: {} }), (e: unknown) => e instanceof InputError && !/CANARY/.test(e.message));
    await writeFile(join(dir, "broken"), "apiVersion: v1\nusers:\n- name: u\n  user: {token: CANARY-broken-token}\n   bad: indentation\n");
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "broken"), env: {} }), (e: unknown) => e instanceof InputError && /^cannot load kubeconfig: .*broken \(/.test(e.message) && !/CANARY/.test(e.message) && !e.message.includes("\n"));
  });

  test("KUBECONFIG a:b is merged as kubectl merges it: first file to define a name or current-context wins, missing files skipped", async () => {
    const a = join(dir, "a.yaml");
    const b = join(dir, "b.yaml");
    await writeFile(a, `apiVersion: v1
kind: Config
clusters: [{ name: shared, cluster: { server: "https://a.example:6443" } }]
users: [{ name: ua, user: { token: CANARY-a } }]
contexts: [{ name: ctx-a, context: { cluster: shared, user: ua } }]
current-context: ctx-b
`);
    await writeFile(b, `apiVersion: v1
kind: Config
clusters: [{ name: shared, cluster: { server: "https://b.example:6443" } }, { name: only-b, cluster: { server: "https://only-b.example:6443" } }]
users: [{ name: ub, user: { token: CANARY-b } }]
contexts: [{ name: ctx-b, context: { cluster: only-b, user: ub, namespace: from-b } }, { name: ctx-a, context: { cluster: only-b, user: ub } }]
current-context: ctx-a
`);
    const env = { KUBECONFIG: [a, join(dir, "missing.yaml"), b].join(":"), HOME: dir };
    const kc = loadKubeConfig({ kubeconfig: undefined, env });
    assert.equal(kc.getCurrentContext(), "ctx-b", "current-context from the first file that sets it");
    assert.equal(kc.getCurrentCluster()?.server, "https://only-b.example:6443", "a context only the second file defines");
    const conn = await loadKubeConnection({ env, context: "ctx-a" });
    try {
      assert.equal(conn.server.host, "a.example:6443", "the first file's ctx-a and its cluster win");
      assert.deepEqual(await conn.headers(), { authorization: "Bearer CANARY-a" });
    } finally {
      conn.agent.destroy();
    }
    const flagOnly = loadKubeConfig({ kubeconfig: b, env });
    assert.equal(flagOnly.getCurrentContext(), "ctx-a", "--kubeconfig alone, KUBECONFIG ignored");
  });

  test("--context: an unknown one is named, with the contexts that exist", () => {
    assert.throws(
      () => loadKubeConfig({ kubeconfig: join(dir, ".kube", "config"), context: "nosuch", env: {} }),
      (e: unknown) => e instanceof InputError && e.code === "UnknownContext" && /^context "nosuch" is not in the kubeconfig: .*\.kube\/config \(contexts in it: x; pass one of them to --context\)$/.test(e.message),
    );
    assert.equal(loadKubeConfig({ kubeconfig: undefined, context: "x", env: { HOME: dir } }).getCurrentContext(), "x");
  });
});
