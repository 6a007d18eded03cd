// Test servers for bench/eso-recovery-1k.mjs, in their own process: a Kubernetes API test server
// holding N ExternalSecrets over P Vault paths (refreshInterval 5s, so every one is failing and
// backing off during the outage; one ClusterSecretStore, token auth) and a dev-mode
// Vault test server. Prints one JSON line when ready, then answers commands on stdin, one JSON
// line each: "synced" (waits until every Secret has the current value), "seal", "unseal" (unseals
// with the dev unseal key, writes a new value to every path at once, then waits until every
// Secret has it: `{ms}` from the unseal answer), "quit".
import { createInterface } from "node:readline";
import { createExternalSecrets, startEsoBenchServers } from "../support/eso-servers.js";

const N = Number(process.argv[2] ?? 1_000);
const P = Number(process.argv[3] ?? 50);
const NAMESPACES = 10;

const { kube, vault, kubeconfig, client } = await startEsoBenchServers("sb-bench-eso-recovery-");
const token = vault.rootToken ?? "";
let round = 0;

async function writeValues(): Promise<void> {
  await Promise.all(
    Array.from({ length: P }, async (_, p) => {
      const res = await fetch(`${vault.addr}/v1/secret/data/app-${p}`, {
        method: "POST",
        headers: { "X-Vault-Token": token, "Content-Type": "application/json" },
        body: JSON.stringify({ data: { password: `bench-value-${p}-round-${round}` } }),
      });
      if (!res.ok) throw new Error(`vault write ${p}: ${res.status}`);
    }),
  );
}

/** How many Secrets hold the current round's value. */
function syncedCount(): number {
  let n = 0;
  for (let t = 0; t < NAMESPACES; t++) {
    for (const s of kube.objects("secrets", `team-${t}`)) {
      const i = Number(/^secret-(\d+)$/.exec(s.metadata.name ?? "")?.[1] ?? NaN);
      const b64 = (s["data"] as Record<string, string> | undefined)?.["PASSWORD"];
      if (Number.isInteger(i) && b64 !== undefined && Buffer.from(b64, "base64").toString() === `bench-value-${i % P}-round-${round}`) n++;
    }
  }
  return n;
}

async function waitSynced(timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let n = syncedCount();
  while (n < N && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    n = syncedCount();
  }
  return n;
}

await writeValues();
await createExternalSecrets(client, { n: N, paths: P, namespaces: NAMESPACES, refreshInterval: "5s" });
process.stdout.write(`${JSON.stringify({ kubeconfig })}\n`);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === "synced") {
    process.stdout.write(`${JSON.stringify({ synced: await waitSynced(180_000) })}\n`);
  } else if (line === "seal") {
    vault.faults.sealAll();
    process.stdout.write(`${JSON.stringify({ sealed: vault.node(0).sealed })}\n`);
  } else if (line === "unseal") {
    round++;
    const started = performance.now();
    const res = await fetch(`${vault.addr}/v1/sys/unseal`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key: vault.unsealKeys?.[0] ?? "" }) });
    if (!res.ok) throw new Error(`vault unseal: ${res.status}`);
    await writeValues();
    const valuesMs = performance.now() - started;
    const synced = await waitSynced(60_000);
    process.stdout.write(`${JSON.stringify({ synced, ms: Math.round(performance.now() - started), valuesMs: Math.round(valuesMs) })}\n`);
  } else if (line === "quit") {
    break;
  }
}
await vault.stop();
await kube.stop();
process.exit(0);
