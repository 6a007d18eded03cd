// Sealing 1,000 Secret files in place in one run (`sealbridge seal -w -f DIR`) against running a
// per-file sealer once per file. Two readings of the target "at least 5x faster than running a
// per-file sealer 1,000 times":
//  - against per-file sealbridge processes (PER_FILE_SAMPLE of them, extrapolated to 1,000);
//  - against kubeseal (a Go binary, ~4 ms a file, quoted: not installed here): 1,000 x 4 ms / 5
//    = 0.8 s for the whole run.
// The one run is repeated BULK_RUNS times on fresh trees (median reported).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_CERT, timeProcess } from "./seal-support/process-timing.mjs";

const FILES = 1000;
const BULK_RUNS = Number(process.env["BENCH_BULK_RUNS"] ?? 3);
const PER_FILE_SAMPLE = Number(process.env["BENCH_PER_FILE_RUNS"] ?? 100);
const KUBESEAL_MS_PER_FILE = 4;
const TARGET = 5;

function secret(i) {
  return `apiVersion: v1
kind: Secret
metadata:
  name: app-${i}
  namespace: team-${i % 10}
type: Opaque
stringData:
  username: user-${i}
  password: bench-not-a-secret-${i}
  url: postgres://db-${i}.svc:5432/app
`;
}

function writeTree(tree) {
  for (let i = 0; i < FILES; i++) {
    const sub = join(tree, `ns-${i % 10}`);
    if (i < 10) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `secret-${i}.yaml`), secret(i));
  }
}

const cpu = (t) => (t.user === undefined ? "" : ` (CPU: user ${(t.user / 1000).toFixed(2)} s + sys ${(t.sys / 1000).toFixed(2)} s)`);

export const benchmarks = [
  {
    name: "seal-bulk",
    title: `seal ${FILES} Secret files in place in one run vs one process per file`,
    async run(ctx) {
      ctx.ensureBuilt();
      const bin = join(ctx.root, "bin", "sealbridge");
      const dir = mkdtempSync(join(tmpdir(), "sb-bench-bulk-"));
      try {
        const bulk = [];
        for (let r = 0; r < BULK_RUNS; r++) {
          const tree = join(dir, `tree-${r}`);
          writeTree(tree);
          bulk.push(timeProcess(process.execPath, [bin, "seal", "--cert", BENCH_CERT, "-w", "-f", tree]));
          const check = readFileSync(join(tree, "ns-7", "secret-7.yaml"), "utf8");
          if (!check.includes("kind: SealedSecret") || check.includes("bench-not-a-secret")) throw new Error("bulk run did not seal in place");
        }
        const bulkMs = ctx.median(bulk.map((t) => t.ms));
        const middle = bulk.find((t) => t.ms === bulkMs) ?? bulk[0];

        const single = join(dir, "single");
        mkdirSync(single);
        const perFile = [];
        for (let i = 0; i < PER_FILE_SAMPLE; i++) {
          const file = join(single, `secret-${i}.yaml`);
          writeFileSync(file, secret(i));
          perFile.push(timeProcess(process.execPath, [bin, "seal", "--cert", BENCH_CERT, "-f", file, "-w"]).ms);
        }
        const perFileMs = perFile.reduce((a, b) => a + b, 0) / PER_FILE_SAMPLE;
        const extrapolated = perFileMs * FILES;
        const speedup = extrapolated / bulkMs;
        const kubesealMs = KUBESEAL_MS_PER_FILE * FILES;
        const kubesealSpeedup = kubesealMs / bulkMs;
        const verdicts = [speedup >= TARGET ? "PASS" : "FAIL", kubesealSpeedup >= TARGET ? "PASS" : "FAIL"];
        return {
          lines: [
            `one run, ${FILES} files (3 keys each, RSA-4096 cert): median of ${BULK_RUNS} ${bulkMs.toFixed(0)} ms (${bulk.map((t) => t.ms.toFixed(0)).join(", ")})${cpu(middle)}`,
            `per-file sealbridge processes: ${PER_FILE_SAMPLE} runs measured, mean ${perFileMs.toFixed(1)} ms; extrapolated to ${FILES}: ${(extrapolated / 1000).toFixed(1)} s`,
            `reading 1, vs per-file sealbridge: ${speedup.toFixed(1)}x (target >= ${TARGET}x): ${verdicts[0]}`,
            `reading 2, vs kubeseal at ~${KUBESEAL_MS_PER_FILE} ms a file (${(kubesealMs / 1000).toFixed(1)} s, quoted): ${kubesealSpeedup.toFixed(1)}x (target >= ${TARGET}x, i.e. <= ${(kubesealMs / TARGET / 1000).toFixed(1)} s): ${verdicts[1]}`,
          ],
          verdict: verdicts[1] === "PASS" ? "PASS (both readings)" : `${verdicts[0]} against per-file sealbridge, FAIL against kubeseal`,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
