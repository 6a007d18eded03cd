// 1,000 ExternalSecrets over 50 Vault paths, then a Vault outage: all synced, Vault sealed for a
// long outage (ESO_RECOVERY_OUTAGE_MS, default 30 s, so the retry backoffs grow), unsealed with a
// new value at every path. Measures unseal to every Secret synced with the new value (the store
// recovery probe and the retry-at-once of src/eso/store-recovery.ts). Target (issue 12): < 5 s.
// ESO_RECOVERY_N scales it down for a quick look.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { startBenchServers, stopChild } from "./support/bench-process.mjs";

const N = Number(process.env["ESO_RECOVERY_N"] ?? 1_000);
const P = 50;
const OUTAGE_MS = Number(process.env["ESO_RECOVERY_OUTAGE_MS"] ?? 30_000);
const TARGET_MS = 5_000;

export const benchmarks = [
  {
    name: "eso-recovery-1k",
    title: `${N} ExternalSecrets, Vault sealed for ${OUTAGE_MS / 1000} s then unsealed: unseal to every Secret synced`,
    async run(ctx) {
      ctx.ensureBuilt();
      const servers = startBenchServers(ctx.root, "eso-recovery", [N, P]);
      let controller;
      try {
        const { kubeconfig } = await servers.ready(300_000, "test servers with the ExternalSecrets");
        controller = spawn(process.execPath, [join(ctx.root, "bench", "eso-recovery", "controller.mjs"), kubeconfig], { stdio: ["ignore", "ignore", "inherit"] });
        const first = await servers.command("synced", 200_000);
        if (first.synced < N) throw new Error(`only ${first.synced} of ${N} Secrets synced before the outage`);
        await servers.command("seal", 10_000);
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        const rec = await servers.command("unseal", 90_000);
        const ok = rec.synced === N && rec.ms < TARGET_MS;
        return {
          lines: [
            `outage: ${OUTAGE_MS / 1000} s sealed (controller retrying with backoff)`,
            `unseal to all ${N} Secrets synced with the new value: ${(rec.ms / 1000).toFixed(2)} s (target < ${TARGET_MS / 1000} s); ${rec.synced}/${N} synced`,
            `  of which unseal + writing the new value to ${P} paths: ${rec.valuesMs} ms`,
          ],
          verdict: ok ? "PASS" : "FAIL",
        };
      } finally {
        if (controller) await stopChild(controller);
        await servers.quit();
      }
    },
  },
];
