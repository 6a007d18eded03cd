// Runs the benchmarks in bench/*.mjs, in file-name order, as whole processes on this machine.
// Usage: npm run bench [-- NAME_FILTER…]   (a benchmark runs when its name contains a filter)
// Each bench/*.mjs exports `benchmarks`: [{ name, title, run(ctx) → { lines: string[], verdict } }].
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const filters = process.argv.slice(2);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Shared helpers handed to every benchmark. */
const ctx = {
  root,
  /** Builds dist/ with tsc when the compiled CLI is missing or older than a source file. */
  ensureBuilt() {
    const main = join(root, "dist", "cli", "main.js");
    if (existsSync(main) && newestSource(join(root, "src")) <= statSync(main).mtimeMs) return;
    process.stderr.write("bench: building dist/ (npx tsc -p tsconfig.build.json)\n");
    const result = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
    if (!existsSync(join(root, "dist", "cli", "main.js"))) throw new Error(`build failed (exit ${result.status})`);
  },
  median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  },
};

const files = readdirSync(join(root, "bench")).filter((f) => f.endsWith(".mjs")).sort();
let failed = 0;
for (const file of files) {
  const { benchmarks } = await import(pathToFileURL(join(root, "bench", file)).href);
  for (const bench of benchmarks) {
    if (filters.length > 0 && !filters.some((f) => bench.name.includes(f))) continue;
    process.stdout.write(`\n## ${bench.name}: ${bench.title}\n`);
    try {
      const { lines, verdict } = await bench.run(ctx);
      for (const line of lines) process.stdout.write(`${line}\n`);
      process.stdout.write(`verdict: ${verdict}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}
process.exitCode = failed > 0 ? 1 : 0;
