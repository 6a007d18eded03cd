// Driver for bench/test-servers.mjs: runs the Kubernetes or Vault test server in its own process,
// so the benchmark reads that process's start time and peak RSS alone.
//   driver.ts start kube|vault [WARM_RUNS]  → one JSON line: in-process start times (first = cold)
//   driver.ts kube|vault                    → one JSON line when serving (url, credentials); "quit" on stdin stops
import { createInterface } from "node:readline";
import { startKubeServer } from "../../test/harness/kube/index.js";
import { startVaultServer } from "../../test/harness/vault/index.js";

const [mode, which, runs] = process.argv.slice(2);

async function startOnce(kind: string): Promise<{ ms: number; stop: () => Promise<void> }> {
  const started = performance.now();
  const server = kind === "kube" ? await startKubeServer({ bookmarkIntervalMs: 60_000 }) : await startVaultServer({ mode: "dev" });
  return { ms: performance.now() - started, stop: () => server.stop() };
}

if (mode === "start") {
  const kind = which ?? "kube";
  const times: number[] = [];
  // process.uptime() at the first start: Node start-up plus loading tsx and the harness modules.
  const loadedAfterMs = process.uptime() * 1000;
  for (let i = 0; i <= Number(runs ?? 10); i++) {
    const s = await startOnce(kind);
    times.push(s.ms);
    await s.stop();
  }
  process.stdout.write(`${JSON.stringify({ kind, loadedAfterMs, coldMs: times[0], warmMs: times.slice(1) })}\n`);
} else if (mode === "kube") {
  const kube = await startKubeServer({ bookmarkIntervalMs: 60_000 });
  process.stdout.write(`${JSON.stringify({ url: kube.url, caPem: kube.caPem, token: kube.adminToken })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "watches") process.stdout.write(`${JSON.stringify({ watches: kube.watchCount(), rv: kube.resourceVersion() })}\n`);
    if (line === "quit") break;
  }
  await kube.stop();
} else if (mode === "vault") {
  const vault = await startVaultServer({ mode: "dev" });
  process.stdout.write(`${JSON.stringify({ url: vault.addr, token: vault.rootToken })}\n`);
  for await (const line of createInterface({ input: process.stdin })) if (line === "quit") break;
  await vault.stop();
} else {
  process.stderr.write("usage: driver.ts start kube|vault [RUNS] | kube | vault\n");
  process.exitCode = 2;
}
