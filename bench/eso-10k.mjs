// 10,000 ExternalSecrets over 500 distinct Vault paths: controller start to all Secrets synced
// (time, Vault reads, Kubernetes writes, controller peak RSS), then one full resync by a fresh
// controller process (which must write nothing). Targets: synced within 30 s, Vault reads <= 500
// per refresh window, zero writes on the unchanged resync, peak RSS under 250 MB.
// ESO_BENCH_N / ESO_BENCH_PATHS scale it down for a quick look. BENCH_CONTROLLER_ROOT=DIR runs the
// controller of another built checkout (DIR/bench/eso/controller.mjs, its dist/) against this
// checkout's test servers, to compare two controllers against the same servers.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lineReader, startBenchServers, stopChild } from "./support/bench-process.mjs";

const N = Number(process.env["ESO_BENCH_N"] ?? 10_000);
const P = Number(process.env["ESO_BENCH_PATHS"] ?? 500);
const TARGET_MS = 30_000;
const TARGET_RSS_MB = 250;

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** `BENCH_CPU_PROF_DIR=DIR`: each controller process writes a V8 CPU profile there (node --cpu-prof). */
function profileArgs() {
  const dir = process.env["BENCH_CPU_PROF_DIR"];
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

/** User + system CPU seconds the process `pid` has used so far (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function runController(root, kubeconfig) {
  const child = spawn(process.execPath, [...profileArgs(), join(process.env["BENCH_CONTROLLER_ROOT"] ?? root, "bench", "eso", "controller.mjs"), kubeconfig, String(N)], { stdio: ["ignore", "pipe", "inherit"] });
  const next = lineReader(child);
  const result = JSON.parse(await next(180_000, `${N} ExternalSecrets synced`));
  const rss = peakRssMb(child.pid);
  const cpu = cpuSeconds(child.pid);
  await stopChild(child);
  return { ...result, rss, cpu };
}

export const benchmarks = [
  {
    name: "eso-10k",
    title: `${N} ExternalSecrets over ${P} Vault paths: start to synced, then an unchanged resync`,
    async run(ctx) {
      ctx.ensureBuilt();
      const servers = startBenchServers(ctx.root, "eso", [N, P]);
      const ask = () => servers.command("counters", 30_000);
      try {
        const setupStarted = performance.now();
        const { kubeconfig } = await servers.ready(300_000, "test servers with the ExternalSecrets");
        const setupMs = performance.now() - setupStarted;
        const first = await runController(ctx.root, kubeconfig);
        const afterFirst = await ask();
        const second = await runController(ctx.root, kubeconfig);
        const afterSecond = await ask();
        const resyncWrites = afterSecond.kubeWrites - afterFirst.kubeWrites;
        const resyncReads = afterSecond.vaultReads - afterFirst.vaultReads;
        const requests = (from, to) => Object.entries(to.kubeRequests).map(([m, n]) => `${m} ${n - (from?.kubeRequests[m] ?? 0)}`).join(", ");
        const ok = first.ms <= TARGET_MS && afterFirst.vaultReads <= P && resyncReads <= P && resyncWrites === 0 && first.rss < TARGET_RSS_MB && second.rss < TARGET_RSS_MB;
        return {
          lines: [
            `setup (servers, ${N} ExternalSecrets, ${P} Vault secrets): ${(setupMs / 1000).toFixed(1)} s (not measured)`,
            `start to all synced: ${(first.ms / 1000).toFixed(2)} s (target <= ${TARGET_MS / 1000} s)`,
            `Vault reads: ${afterFirst.vaultReads} (target <= ${P} per refresh window)`,
            `Kubernetes writes: ${afterFirst.kubeWrites} (${N} Secrets created + ${N} status writes expected)`,
            `Kubernetes requests (every one, no-op updates included): ${requests(undefined, afterFirst)}`,
            `controller CPU (user + system) to all synced: ${first.cpu.toFixed(2)} s; reconcile passes ${first.passes}`,
            `controller peak RSS: ${first.rss.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB)`,
            `full resync (a fresh controller process re-reconciles every ExternalSecret; cold read cache): ${(second.ms / 1000).toFixed(2)} s, Vault reads ${resyncReads}, Kubernetes writes ${resyncWrites} (target 0), peak RSS ${second.rss.toFixed(0)} MB, controller CPU ${second.cpu.toFixed(2)} s, reconcile passes ${second.passes}`,
            `full resync Kubernetes requests (every one, no-op updates included): ${requests(afterFirst, afterSecond)}`,
          ],
          verdict: ok ? "PASS" : "FAIL",
        };
      } finally {
        await servers.quit();
      }
    },
  },
];
