// Sealing 1,000 Secret files in place in one run (`sealbridge seal -w -f DIR`) against running a
// per-file sealer once per file. Per-file runs: PER_FILE_SAMPLE processes of
// `sealbridge seal --cert FILE -f one.yaml -w`, extrapolated to 1,000. Also compared with the
// ~4 ms a file kubeseal (a Go binary) takes. Target: at least 5x faster than per-file runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const FILES = 1000;
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

function run(args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`sealbridge ${args.slice(1).join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

export const benchmarks = [
  {
    name: "seal-bulk",
    title: `seal ${FILES} Secret files in place in one run vs one process per file`,
    async run(ctx) {
      ctx.ensureBuilt();
      const bin = join(ctx.root, "bin", "sealbridge");
      const cert = "/work/shared/vectors/sealed-secrets/go-generated-key/tls.crt";
      const dir = mkdtempSync(join(tmpdir(), "sb-bench-bulk-"));
      try {
        const tree = join(dir, "tree");
        for (let i = 0; i < FILES; i++) {
          const sub = join(tree, `ns-${i % 10}`);
          if (i < 10) mkdirSync(sub, { recursive: true });
          writeFileSync(join(sub, `secret-${i}.yaml`), secret(i));
        }
        const bulkMs = run([bin, "seal", "--cert", cert, "-w", "-f", tree]);
        const check = readFileSync(join(tree, "ns-7", "secret-7.yaml"), "utf8");
        if (!check.includes("kind: SealedSecret") || check.includes("bench-not-a-secret")) throw new Error("bulk run did not seal in place");

        const single = join(dir, "single");
        mkdirSync(single);
        const perFile = [];
        for (let i = 0; i < PER_FILE_SAMPLE; i++) {
          const file = join(single, `secret-${i}.yaml`);
          writeFileSync(file, secret(i));
          perFile.push(run([bin, "seal", "--cert", cert, "-f", file, "-w"]));
        }
        const perFileTotal = perFile.reduce((a, b) => a + b, 0);
        const perFileMs = perFileTotal / PER_FILE_SAMPLE;
        const extrapolated = perFileMs * FILES;
        const speedup = extrapolated / bulkMs;
        const kubesealTotal = KUBESEAL_MS_PER_FILE * FILES;
        return {
          lines: [
            `one run, ${FILES} files (3 keys each, RSA-4096 cert): ${bulkMs.toFixed(0)} ms (${(bulkMs / FILES).toFixed(2)} ms a file)`,
            `per-file sealbridge processes: ${PER_FILE_SAMPLE} runs measured, mean ${perFileMs.toFixed(1)} ms; extrapolated to ${FILES}: ${(extrapolated / 1000).toFixed(1)} s`,
            `speed-up over per-file processes: ${speedup.toFixed(1)}x (target >= ${TARGET}x)`,
            `vs kubeseal at ~${KUBESEAL_MS_PER_FILE} ms a file (${(kubesealTotal / 1000).toFixed(1)} s for ${FILES}, not measured here): ${(kubesealTotal / bulkMs).toFixed(1)}x`,
          ],
          verdict: speedup >= TARGET ? "PASS" : "FAIL",
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
