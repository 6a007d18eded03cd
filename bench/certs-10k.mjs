// 10,000 kubernetes.io/tls Secrets (plus 1,000 Opaque ones the field selector skips): scanner
// start to every certificate gauge set (time, peak RSS), then steady rescans (same certificates,
// nothing changed) that must make zero Kubernetes writes. Targets: < 10 s, < 250 MB.
// CERTS_BENCH_N scales it down for a quick look.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lineReader, startBenchServers, stopChild } from "./support/bench-process.mjs";

const N = Number(process.env["CERTS_BENCH_N"] ?? 10_000);
const TARGET_MS = 10_000;
const TARGET_RSS_MB = 250;

/** CPU seconds (user + system) the process used so far: the work, whatever the machine's load. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function loadAverage() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

function peakRssMb(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

export const benchmarks = [
  {
    name: "certs-10k",
    title: `${N} TLS Secrets: scanner start to every gauge set, then steady rescans with zero writes`,
    async run(ctx) {
      ctx.ensureBuilt();
      const servers = startBenchServers(ctx.root, "certs", [N]);
      try {
        const setupStarted = performance.now();
        const { kubeconfig } = await servers.ready(600_000, "the test server with the TLS Secrets");
        const setupMs = performance.now() - setupStarted;
        const child = spawn(process.execPath, [join(ctx.root, "bench", "certs", "scanner.mjs"), kubeconfig], { stdio: ["pipe", "pipe", "inherit"] });
        const next = lineReader(child);
        const first = JSON.parse(await next(300_000, "every gauge set"));
        const startCpu = cpuSeconds(child.pid);
        const startRss = peakRssMb(child.pid);
        const startLoad = loadAverage();
        const afterStart = await servers.command("counters", 30_000);
        const rescans = [];
        for (let i = 0; i < 3; i++) {
          child.stdin.write("rescan\n");
          rescans.push(JSON.parse(await next(60_000, "a rescan")));
        }
        const afterRescans = await servers.command("counters", 30_000);
        const rescanCpu = (cpuSeconds(child.pid) - startCpu) / rescans.length;
        const rss = peakRssMb(child.pid);
        await stopChild(child);
        const writes = afterRescans.kubeWrites - afterStart.kubeWrites;
        const rescanLists = afterRescans.lists - afterStart.lists;
        const ok = first.ms < TARGET_MS && startRss < TARGET_RSS_MB && first.series === N && writes === 0 && rescans.every((r) => r.series === N);
        return {
          lines: [
            `setup (test server, ${N} TLS + ${Math.floor(N / 10)} Opaque Secrets from a pool of openssl certificates): ${(setupMs / 1000).toFixed(1)} s (not measured)`,
            `scanner start to every gauge set: ${(first.ms / 1000).toFixed(2)} s wall, ${startCpu.toFixed(2)} s CPU, for ${first.series} certificates (target < ${TARGET_MS / 1000} s; load average ${startLoad}); states ${JSON.stringify(first.states)}`,
            `Kubernetes writes during the start scan: ${afterStart.kubeWrites}`,
            `steady rescans (re-judge all ${N}): ${rescans.map((r) => `${r.ms} ms`).join(", ")} wall; ${rescanCpu.toFixed(2)} s CPU each with a /metrics scrape (${rescans[0]?.scrapeMs} ms, ${(rescans[0]?.scrapeBytes / 1e6).toFixed(1)} MB)`,
            `Kubernetes writes during the rescans: ${writes} (target 0); Secret list/watch requests meanwhile: ${rescanLists} (watch reconnects; no re-list is needed to rescan)`,
            `scanner peak RSS: ${startRss.toFixed(0)} MB at every gauge set (target < ${TARGET_RSS_MB} MB); ${rss.toFixed(0)} MB after the rescans and /metrics scrapes`,
          ],
          verdict: ok ? "PASS" : "FAIL",
        };
      } finally {
        await servers.quit();
      }
    },
  },
];
