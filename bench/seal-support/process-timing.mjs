// Timing one CLI process for the seal benchmarks: wall time, and (on Linux) the CPU time it
// used, read from this process's accumulated children times in /proc/self/stat.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The sealing certificate every seal benchmark uses (RSA-4096, from the Go vectors). */
export const BENCH_CERT = fileURLToPath(new URL("../../test/fixtures/sealed-secrets/go-generated-key/tls.crt", import.meta.url));

const TICKS_PER_SECOND = 100;

/** Children's user and system CPU so far in ms (cutime, cstime), or undefined off Linux. */
function childrenCpu() {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    // After "pid (comm) ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
    return { user: (Number(fields[13]) * 1000) / TICKS_PER_SECOND, sys: (Number(fields[14]) * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/**
 * Runs `command args` to completion.
 * @returns wall ms, and user/sys ms when the platform reports them (10 ms resolution).
 * @throws Error with the process's stderr when it exits non-zero.
 */
export function timeProcess(command, args) {
  const before = childrenCpu();
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  const after = childrenCpu();
  return before && after ? { ms, user: after.user - before.user, sys: after.sys - before.sys } : { ms };
}
