// Runs every test file under test/ with node's test runner (Node 20's --test does not expand globs).
// The real-stack tier (*.real.test.ts) is not run here: `npm run test:real` runs it.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith(".test.ts") && !entry.endsWith(".real.test.ts")) out.push(path);
  }
  return out;
}

// Paths are relative to the package root, wherever it is checked out and whatever the cwd.
process.chdir(fileURLToPath(new URL("..", import.meta.url)));
const filters = process.argv.slice(2);
const files = findTests("test").filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=3", "--test-timeout=600000", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
