// `sealbridge seal --cert FILE -f secret.yaml` (a 5-key Secret) against bare `node -e ''`, both as
// whole processes. Target: under 2.5x bare Node start-up.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_CERT, timeProcess } from "./seal-support/process-timing.mjs";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 25);
const TARGET = 2.5;
const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
type: Opaque
stringData:
  username: admin
  password: bench-not-a-secret
  host: db.prod.svc
  port: "5432"
  database: app
`;

const timeRun = (command, args) => timeProcess(command, args).ms;

export const benchmarks = [
  {
    name: "seal-startup",
    title: "seal of a 5-key Secret with --cert FILE vs bare Node start-up",
    async run(ctx) {
      ctx.ensureBuilt();
      const dir = mkdtempSync(join(tmpdir(), "sb-bench-startup-"));
      try {
        const file = join(dir, "secret.yaml");
        writeFileSync(file, SECRET);
        const seal = [join(ctx.root, "bin", "sealbridge"), "seal", "--cert", BENCH_CERT, "-f", file];
        // Warm the file cache, then alternate so both see the same machine state.
        timeRun(process.execPath, ["-e", ""]);
        timeRun(process.execPath, seal);
        const bare = [];
        const sealed = [];
        for (let i = 0; i < RUNS; i++) {
          bare.push(timeRun(process.execPath, ["-e", ""]));
          sealed.push(timeRun(process.execPath, seal));
        }
        const bareMs = ctx.median(bare);
        const sealMs = ctx.median(sealed);
        const ratio = sealMs / bareMs;
        return {
          lines: [
            `runs: ${RUNS} each, alternating; Node ${process.version}`,
            `node -e '' median: ${bareMs.toFixed(1)} ms`,
            `sealbridge seal --cert FILE -f secret.yaml median: ${sealMs.toFixed(1)} ms`,
            `ratio: ${ratio.toFixed(2)}x (target < ${TARGET}x)`,
          ],
          verdict: ratio < TARGET ? "PASS" : "FAIL",
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
