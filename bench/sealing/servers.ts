// Test server for bench/controller-sealedsecrets.mjs, in its own process: a Kubernetes API test
// server holding an existing sealing key (the Go-generated vector key) and N SealedSecrets of K
// values each, sealed to it. Prints one JSON line when ready; answers "counters" on stdin with
// one JSON line ({ secrets, writes }); "quit" stops.
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parse as parseYaml } from "yaml";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { HttpKubeClient } from "../../src/kube/client.js";
import { loadKubeConnection } from "../../src/kube/config.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { startKubeServer } from "../../test/harness/kube/index.js";
import { fileURLToPath } from "node:url";

const N = Number(process.argv[2] ?? 2000);
const K = Number(process.argv[3] ?? 3);
const root = fileURLToPath(new URL("../../", import.meta.url));
const KEY_DIR = fileURLToPath(new URL("../../test/fixtures/sealed-secrets/go-generated-key/", import.meta.url));

const CRDS: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
const NS: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };
const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
const SS: ResourceRef = { group: "bitnami.com", version: "v1alpha1", plural: "sealedsecrets", kind: "SealedSecret", namespaced: true };

const kube = await startKubeServer({ bookmarkIntervalMs: 5_000 });
const dir = mkdtempSync(join(tmpdir(), "sb-bench-ss-"));
const kubeconfig = join(dir, "kubeconfig");
await kube.writeKubeconfig(kubeconfig);
const client = new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));
await client.create(CRDS, parseYaml(readFileSync(join(root, "crds", "sealedsecrets.bitnami.com.yaml"), "utf8")) as KubeObject);
await client.create(CRDS, parseYaml(readFileSync(join(root, "crds", "agesecrets.sealbridge.io.yaml"), "utf8")) as KubeObject);
for (const name of ["sealbridge", "apps"]) await client.create(NS, { metadata: { name } });
const keyPem = readFileSync(join(KEY_DIR, "tls.key"), "utf8");
await client.create(SECRETS, {
  metadata: { name: "sealed-secrets-keybench", namespace: "sealbridge", labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
  type: "kubernetes.io/tls",
  data: { "tls.key": Buffer.from(keyPem).toString("base64"), "tls.crt": readFileSync(join(KEY_DIR, "tls.crt")).toString("base64") },
});
const pub = createPublicKey(keyPem);
const queue = Array.from({ length: N }, (_, i) => i);
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
      const name = `app-${i}`;
      const encryptedData: Record<string, string> = {};
      for (let k = 0; k < K; k++) encryptedData[`key${k}`] = hybridEncrypt(pub, `apps/${name}`, Buffer.from(`bench-value-${i}-${k}`)).toString("base64");
      await client.create(SS, { metadata: { name, namespace: "apps" }, spec: { encryptedData, template: { metadata: { labels: { app: name } } } } });
    }
  }),
);
kube.counters.reset();
process.stdout.write(`${JSON.stringify({ kubeconfig })}\n`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === "counters") {
    process.stdout.write(`${JSON.stringify({ secrets: kube.objects("secrets", "apps").length, writes: kube.counters.writes() })}\n`);
  } else if (line === "wipe") {
    // Back to the start: no Secrets for the SealedSecrets (their status is left as it is).
    for (const s of kube.objects("secrets", "apps")) await client.delete(SECRETS, "apps", s.metadata.name ?? "");
    kube.counters.reset();
    process.stdout.write(`${JSON.stringify({ wiped: true })}\n`);
  } else if (line === "quit") {
    break;
  }
}
await kube.stop();
process.exit(0);
