// 2,000 SealedSecrets × 3 values (6,000 RSA-4096 decryptions): controller start to all Secrets
// present, against the physical limit `openssl speed rsa4096` measures on the same machine
// (private-key operations per second, one core and all cores). Then the steady state: a resync
// of the unchanged objects, in the running controller and in a fresh controller process, must do
// no RSA work and no writes. Target: the shipped controller (worker-thread decryption) within
// 1.2× of openssl's one-core limit; stretch: within 1.2× of the all-cores limit. In-thread
// decryption is measured too, for comparison.
// SS_BENCH_N / SS_BENCH_K scale it down for a quick look; BENCH_CPU_PROF_DIR=DIR writes a V8 CPU
// profile of each controller process there (node --cpu-prof), as in eso-10k.
import { spawn, spawnSync } from "node:child_process";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { lineReader, startBenchServers, stopChild } from "./support/bench-process.mjs";

const N = Number(process.env["SS_BENCH_N"] ?? 2000);
const K = Number(process.env["SS_BENCH_K"] ?? 3);
const TARGET = 1.2;
const RESYNC_MS = 4_000;

/** `openssl speed` RSA-4096 private-key operations (sign) per second. */
function opensslSignsPerSecond(multi) {
  const args = ["speed", "-seconds", "3", ...(multi > 1 ? ["-multi", String(multi)] : []), "rsa4096"];
  const out = spawnSync("openssl", args, { encoding: "utf8" });
  const line = out.stdout.split("\n").find((l) => /^rsa\s+4096 bits/.test(l) || /^\+F2?:.*:4096:/.test(l));
  if (!line) throw new Error(`cannot read openssl speed output: ${out.stdout.slice(-300)}`);
  const m = /^rsa\s+4096 bits\s+\S+s\s+\S+s\s+([\d.]+)/.exec(line);
  if (m) return Number(m[1]);
  // -multi prints `+F2:...:4096:<sign s>:<verify s>`: seconds per op, aggregated.
  const parts = line.split(":");
  return 1 / Number(parts[3]);
}

async function runController(root, kubeconfig, env, ask) {
  const t0 = performance.now();
  const prof = process.env["BENCH_CPU_PROF_DIR"] ? ["--cpu-prof", `--cpu-prof-dir=${process.env["BENCH_CPU_PROF_DIR"]}`] : [];
  const child = spawn(process.execPath, [...prof, join(root, "bench", "sealing", "controller.mjs"), kubeconfig, String(N), String(RESYNC_MS)], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const next = lineReader(child);
  const result = JSON.parse(await next(600_000, `${N} SealedSecrets reconciled`));
  const ms = performance.now() - t0;
  const counters = await ask();
  return {
    ms,
    result,
    counters,
    async stats() {
      child.stdin.write("stats\n");
      return JSON.parse(await next(10_000, "stats"));
    },
    stop: () => stopChild(child),
  };
}

export const benchmarks = [
  {
    name: "controller-sealedsecrets",
    title: `${N} SealedSecrets × ${K} values: controller start to all Secrets, against openssl speed rsa4096`,
    async run(ctx) {
      ctx.ensureBuilt();
      const cores = availableParallelism();
      const load0 = loadavg()[0];
      const one = opensslSignsPerSecond(1);
      const all = cores > 1 ? opensslSignsPerSecond(cores) : one;
      const ops = N * K;
      const servers = startBenchServers(ctx.root, "sealing", [N, K]);
      const command = (cmd) => servers.command(cmd, 120_000);
      try {
        const { kubeconfig } = await servers.ready(300_000, "test server with the SealedSecrets");
        // One core: decryption in the main thread.
        const inline = await runController(ctx.root, kubeconfig, { DECRYPT: "inline" }, () => command("counters"));
        await inline.stop();
        if (inline.counters.secrets !== N) throw new Error(`inline run: ${inline.counters.secrets} Secrets, expected ${N}`);
        await command("wipe");
        // All cores: the worker-thread pool.
        const pooled = await runController(ctx.root, kubeconfig, {}, () => command("counters"));
        if (pooled.counters.secrets !== N) throw new Error(`pooled run: ${pooled.counters.secrets} Secrets, expected ${N}`);
        const before = { ...(await command("counters")), ...(await pooled.stats()) };
        await new Promise((r) => setTimeout(r, RESYNC_MS * 1.6));
        const after = { ...(await command("counters")), ...(await pooled.stats()) };
        await pooled.stop();
        // A fresh process over the unchanged objects: a full resync from a cold start.
        const restart = await runController(ctx.root, kubeconfig, { DECRYPT: "inline" }, () => command("counters"));
        await restart.stop();

        const limitOne = ops / one;
        const limitAll = ops / Math.max(all, one);
        const ratioPool = pooled.ms / 1000 / limitOne;
        const ratioPoolAll = pooled.ms / 1000 / limitAll;
        const ratioInline = inline.ms / 1000 / limitOne;
        const resyncWrites = after.writes - before.writes;
        const resyncDecrypts = after.decrypts - before.decrypts;
        const ok = ratioPool <= TARGET && resyncWrites === 0 && resyncDecrypts === 0 && restart.result.decrypts === 0 && restart.counters.writes === after.writes;
        return {
          lines: [
            `openssl speed -seconds 3 rsa4096: ${one.toFixed(1)} private-key ops/s on one core; -multi ${cores}: ${all.toFixed(1)} ops/s${all < one ? " (below one core: the machine was busy)" : ""}`,
            `RSA decryptions needed: ${ops} (the newest key opens every value: one private-key operation each)`,
            `physical limit: ${limitOne.toFixed(2)} s on one core, ${limitAll.toFixed(2)} s on all cores`,
            `shipped configuration (worker-thread pool, ${pooled.result.workers} threads): start to all ${N} Secrets ${(pooled.ms / 1000).toFixed(2)} s = ${ratioPool.toFixed(2)}× the one-core limit (target <= ${TARGET}×), ${ratioPoolAll.toFixed(2)}× the all-cores limit (stretch <= ${TARGET}×); ${pooled.result.decrypts} decryptions`,
            `in-thread decryption only (one core, for comparison): ${(inline.ms / 1000).toFixed(2)} s = ${ratioInline.toFixed(2)}× the one-core limit; the pool is ${(inline.ms / pooled.ms).toFixed(2)}× faster`,
            `controller CPU time for the start (contention-free view): ${(pooled.result.cpuMs / 1000).toFixed(2)} s with the pool, ${(inline.result.cpuMs / 1000).toFixed(2)} s in-thread = ${(inline.result.cpuMs / 1000 / limitOne).toFixed(2)}× the ${limitOne.toFixed(2)} s of RSA work openssl needs`,
            `machine load average (1 min) at start/end: ${load0.toFixed(1)} / ${loadavg()[0].toFixed(1)} on ${cores} cores (the test API server runs on the same cores)`,
            `Kubernetes writes for the start: ${pooled.counters.writes} (${N} Secrets created + ${N} status writes expected)`,
            `resync of unchanged objects in the running controller (${RESYNC_MS / 1000} s period, watched ${(RESYNC_MS * 1.6) / 1000} s): ${resyncDecrypts} RSA decryptions, ${resyncWrites} writes (target 0 and 0)`,
            `fresh controller process over the unchanged objects: all ${N} reconciled in ${(restart.ms / 1000).toFixed(2)} s with ${restart.result.decrypts} RSA decryptions and ${restart.counters.writes - after.writes} writes (target 0 and 0)`,
          ],
          verdict: ok ? (ratioPoolAll <= TARGET ? "PASS (stretch met)" : "PASS (stretch not met)") : "FAIL",
        };
      } finally {
        await servers.quit();
      }
    },
  },
];
