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

  test("in-cluster service account when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given", () => {
    // @kubernetes/client-node reads the service address from process.env itself.
    const saved = { host: process.env["KUBERNETES_SERVICE_HOST"], port: process.env["KUBERNETES_SERVICE_PORT"] };
    process.env["KUBERNETES_SERVICE_HOST"] = "10.96.0.1";
    process.env["KUBERNETES_SERVICE_PORT"] = "443";
    try {
      const kc = loadKubeConfig({ kubeconfig: undefined, env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", HOME: dir } });
      assert.equal(kc.getCurrentCluster()?.server, "https://10.96.0.1:443");
      assert.equal(kc.getCurrentCluster()?.caFile, "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
      assert.equal(kc.getCurrentUser()?.authProvider?.config?.["tokenFile"], "/var/run/secrets/kubernetes.io/serviceaccount/token");
      const explicit = loadKubeConfig({ kubeconfig: join(dir, ".kube", "config"), env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" } });
      assert.equal(explicit.getCurrentCluster()?.server, "https://127.0.0.1:6443", "--kubeconfig/KUBECONFIG wins over in-cluster");
    } finally {
      for (const [name, value] of [["KUBERNETES_SERVICE_HOST", saved.host], ["KUBERNETES_SERVICE_PORT", saved.port]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test("errors name the file and what to do, never the token", () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "missing"), env: {} }), (e: unknown) => e instanceof InputError && /kubeconfig not found: .*missing \(pass/.test(e.message));
    assert.throws(() => loadKubeConfig({ kubeconfig: undefined, env: { HOME: join(dir, "nohome") } }), (e: unknown) => e instanceof InputError && /no Kubernetes configuration found/.test(e.message));
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, "empty"), env: {} }), (e: unknown) => e instanceof InputError && !/CANARY/.test(e.message));
  });
});
