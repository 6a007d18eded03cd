// `npm run test:real`: builds the real-stack components that are missing (one progress line per
// step), then runs every *.real.test.ts and, with SEALBRIDGE_BACKEND=real, the scenario tests that
// run against either backend (those calling startBackend() or backendClusterFixture()). Arguments
// filter files by substring.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureRealstack } from "../test/harness/realstack/build.js";

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

try {
  await ensureRealstack();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
const filters = process.argv.slice(2);
const all = findTests("test").filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
const files = all.filter((f) => f.endsWith(".real.test.ts") || /\b(startBackend|backendClusterFixture)\(/.test(readFileSync(f, "utf8")));
if (files.length === 0) {
  process.stderr.write(`test:real: no real-tier test matches ${filters.join(" ")}\n`);
  process.exit(1);
}
const started = Date.now();
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=600000", "--test-reporter=spec", ...files],
  { stdio: "inherit", env: { ...process.env, SEALBRIDGE_BACKEND: "real" } },
);
process.stderr.write(`test:real: ${files.length} files in ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exit(result.status ?? 1);
