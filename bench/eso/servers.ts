// Test servers for bench/eso-10k.mjs, in their own process so the controller's RSS is its own:
// a Kubernetes API test server holding N ExternalSecrets over P Vault paths (one SecretStore,
// token auth), and a Vault test server holding the P secrets. Prints one JSON line when ready,
// then answers "counters" on stdin with one JSON line; "quit" stops.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse as parseYaml } from "yaml";
import { HttpKubeClient } from "../../src/kube/client.js";
import { loadKubeConnection } from "../../src/kube/config.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { NAMESPACES as NS, SECRETS } from "../../src/kube/resources.js";
import { externalSecretResource as ES } from "../../src/api/external-secret.js";
import { clusterSecretStoreResource as CSS } from "../../src/api/secret-store.js";
import { startKubeServer } from "../../test/harness/kube/index.js";
import { startVaultServer } from "../../test/harness/vault/index.js";
import { fileURLToPath } from "node:url";

const N = Number(process.argv[2] ?? 10_000);
const P = Number(process.argv[3] ?? 500);
const NAMESPACES = Number(process.argv[4] ?? 20);
const root = fileURLToPath(new URL("../../", import.meta.url));

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };

const kube = await startKubeServer({ bookmarkIntervalMs: 5_000 });
const vault = await startVaultServer({ mode: "dev" });
const dir = mkdtempSync(join(tmpdir(), "sb-bench-eso-"));
const kubeconfig = join(dir, "kubeconfig");
await kube.writeKubeconfig(kubeconfig);
const client = new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));

for (const plural of ["externalsecrets", "secretstores", "clustersecretstores"]) {
  await client.create(CRDS, parseYaml(readFileSync(join(root, "crds", `${plural}.external-secrets.io.yaml`), "utf8")) as KubeObject);
}
await client.create(NS, { metadata: { name: "sealbridge" } });
await client.create(SECRETS, { metadata: { name: "vault-token", namespace: "sealbridge" }, stringData: { token: vault.rootToken ?? "" } });
await client.create(CSS, {
  metadata: { name: "vault-backend" },
  spec: { provider: { vault: { server: vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token", namespace: "sealbridge" } } } } },
});
for (let p = 0; p < P; p++) {
  const res = await fetch(`${vault.addr}/v1/secret/data/app-${p}`, {
    method: "POST",
    headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" },
    body: JSON.stringify({ data: { password: `bench-value-${p}`, user: `user-${p}` } }),
  });
  if (!res.ok) throw new Error(`vault write ${p}: ${res.status}`);
}
for (let n = 0; n < NAMESPACES; n++) await client.create(NS, { metadata: { name: `team-${n}` } });
const queue = Array.from({ length: N }, (_, i) => i);
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      await client.create(ES, {
        metadata: { name: `es-${i}`, namespace: `team-${i % NAMESPACES}` },
        spec: {
          refreshInterval: "1h",
          secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" },
          target: { name: `secret-${i}` },
          data: [{ secretKey: "PASSWORD", remoteRef: { key: `secret/data/app-${i % P}`, property: "password" } }],
        },
      });
    }
  }),
);
vault.counters.reset();
kube.counters.reset();
process.stdout.write(`${JSON.stringify({ kubeconfig, vaultAddr: vault.addr })}\n`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === "counters") {
    process.stdout.write(`${JSON.stringify({ vaultReads: vault.counters.requests("GET", /\/v1\/secret\/data\//), kubeWrites: kube.counters.writes(), kubeRequests: Object.fromEntries(["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [m, kube.counters.requests(m)])) })}\n`);
  } else if (line === "quit") {
    break;
  }
}
await vault.stop();
await kube.stop();
process.exit(0);
