// Test servers for bench/eso-10k.mjs, in their own process so the controller's RSS is its own:
// a Kubernetes API test server holding N ExternalSecrets over P Vault paths (one SecretStore,
// token auth), and a Vault test server holding the P secrets. Prints one JSON line when ready,
// then answers "counters" on stdin with one JSON line; "quit" stops.
import { createInterface } from "node:readline";
import { createExternalSecrets, startEsoBenchServers } from "../support/eso-servers.js";

const N = Number(process.argv[2] ?? 10_000);
const P = Number(process.argv[3] ?? 500);
const NAMESPACES = Number(process.argv[4] ?? 20);

const { kube, vault, kubeconfig, client } = await startEsoBenchServers("sb-bench-eso-");
for (let p = 0; p < P; p++) {
  const res = await fetch(`${vault.addr}/v1/secret/data/app-${p}`, {
    method: "POST",
    headers: { "X-Vault-Token": vault.rootToken ?? "", "Content-Type": "application/json" },
    body: JSON.stringify({ data: { password: `bench-value-${p}`, user: `user-${p}` } }),
  });
  if (!res.ok) throw new Error(`vault write ${p}: ${res.status}`);
}
await createExternalSecrets(client, { n: N, paths: P, namespaces: NAMESPACES, refreshInterval: "1h" });
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
