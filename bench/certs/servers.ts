// Test server for bench/certs-10k.mjs, in its own process so the scanner's RSS is its own: a
// Kubernetes API test server holding N kubernetes.io/tls Secrets (over 20 namespaces; the
// certificates come from a pool of openssl-made ones of 90/64/45-day lifetimes at different
// ages) plus N/10 Opaque Secrets the field selector must skip. Prints one JSON line when ready,
// then answers "counters" on stdin with one JSON line; "quit" stops.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { HttpKubeClient } from "../../src/kube/client.js";
import { loadKubeConnection } from "../../src/kube/config.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import { startKubeServer } from "../../test/harness/kube/index.js";
import { opensslCa, opensslLeaf, type TestLeaf } from "../../test/support/openssl-certs.js";

const N = Number(process.argv[2] ?? 10_000);
const POOL = Number(process.argv[3] ?? 60);
const NAMESPACES = 20;
const DAY = 86_400_000;
const NS: ResourceRef = { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false };
const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };

const ca = opensslCa("bench CA");
const pool: TestLeaf[] = [];
const now = Date.now();
for (let i = 0; i < POOL; i++) {
  const lifetime = [90, 64, 45][i % 3] ?? 90;
  const age = (i * 7) % lifetime;
  pool.push(opensslLeaf(ca, [`host-${i}.example.test`], new Date(now - age * DAY), new Date(now + (lifetime - age) * DAY)));
}
ca.dispose();

const kube = await startKubeServer({ bookmarkIntervalMs: 5_000 });
const dir = mkdtempSync(join(tmpdir(), "sb-bench-certs-"));
const kubeconfig = join(dir, "kubeconfig");
await kube.writeKubeconfig(kubeconfig);
const client = new HttpKubeClient(await loadKubeConnection({ kubeconfig, env: {} }));
for (let n = 0; n < NAMESPACES; n++) await client.create(NS, { metadata: { name: `team-${n}` } });

function secret(i: number, type: string): KubeObject {
  const leaf = pool[i % POOL] as TestLeaf;
  return {
    metadata: { name: `${type === "Opaque" ? "opaque" : "tls"}-${i}`, namespace: `team-${i % NAMESPACES}` },
    type,
    data: type === "Opaque" ? { password: Buffer.from(`value-${i}`).toString("base64") } : { "tls.crt": Buffer.from(leaf.certPem).toString("base64"), "tls.key": Buffer.from(leaf.keyPem).toString("base64") },
  };
}
const queue = [...Array.from({ length: N }, (_, i) => secret(i, "kubernetes.io/tls")), ...Array.from({ length: Math.floor(N / 10) }, (_, i) => secret(i, "Opaque"))];
await Promise.all(
  Array.from({ length: 16 }, async () => {
    for (let s = queue.shift(); s !== undefined; s = queue.shift()) await client.create(SECRETS, s);
  }),
);
kube.counters.reset();
process.stdout.write(`${JSON.stringify({ kubeconfig })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === "counters") process.stdout.write(`${JSON.stringify({ kubeWrites: kube.counters.writes(), lists: kube.counters.requests("GET", /\/secrets\?/) })}\n`);
  else if (line === "quit") break;
}
await kube.stop();
