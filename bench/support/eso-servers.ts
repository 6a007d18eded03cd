// The Kubernetes and Vault test servers the ESO benchmarks share (bench/eso, bench/eso-recovery):
// ESO's CRDs, the ClusterSecretStore `vault-backend` with token auth, and N ExternalSecrets over
// P Vault paths spread across `team-0…` namespaces.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { HttpKubeClient } from "../../src/kube/client.js";
import { loadKubeConnection } from "../../src/kube/config.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { NAMESPACES as NS, SECRETS } from "../../src/kube/resources.js";
import { externalSecretResource as ES } from "../../src/api/external-secret.js";
import { clusterSecretStoreResource as CSS } from "../../src/api/secret-store.js";
import { startKubeServer } from "../../test/harness/kube/index.js";
import { startVaultServer } from "../../test/harness/vault/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };

/** Starts both servers with ESO's CRDs and the ClusterSecretStore `vault-backend` (token auth). */
export async function startEsoBenchServers(dirPrefix: string) {
  const kube = await startKubeServer({ bookmarkIntervalMs: 5_000 });
  const vault = await startVaultServer({ mode: "dev" });
  const kubeconfig = join(mkdtempSync(join(tmpdir(), dirPrefix)), "kubeconfig");
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
  return { kube, vault, kubeconfig, client };
}

/** Creates `namespaces` namespaces `team-N` and `n` ExternalSecrets `es-I` reading `secret/data/app-(I % paths)`. */
export async function createExternalSecrets(client: HttpKubeClient, opts: { n: number; paths: number; namespaces: number; refreshInterval: string }): Promise<void> {
  for (let t = 0; t < opts.namespaces; t++) await client.create(NS, { metadata: { name: `team-${t}` } });
  const queue = Array.from({ length: opts.n }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await client.create(ES, {
          metadata: { name: `es-${i}`, namespace: `team-${i % opts.namespaces}` },
          spec: {
            refreshInterval: opts.refreshInterval,
            secretStoreRef: { name: "vault-backend", kind: "ClusterSecretStore" },
            target: { name: `secret-${i}` },
            data: [{ secretKey: "PASSWORD", remoteRef: { key: `secret/data/app-${i % opts.paths}`, property: "password" } }],
          },
        });
      }
    }),
  );
}
