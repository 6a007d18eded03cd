// `sealbridge seal --cert FILE -f secret.yaml` (a 5-key Secret) against bare `node -e ''`, both as
// whole processes. Target: under 2.5x bare Node start-up.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

function timeRun(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return ms;
}

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
        const cert = "/work/shared/vectors/sealed-secrets/go-generated-key/tls.crt";
        const seal = [join(ctx.root, "bin", "sealbridge"), "seal", "--cert", cert, "-f", file];
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
