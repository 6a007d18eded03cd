// Builds the real-stack components missing from the cache (see test/harness/realstack/build.ts).
import { ensureRealstack, missingComponents } from "../test/harness/realstack/build.js";
import { realstackCacheRoot } from "../test/harness/realstack/versions.js";

const started = Date.now();
const missing = missingComponents();
try {
  await ensureRealstack();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
process.stderr.write(
  missing.length === 0
    ? `realstack build: everything cached in ${realstackCacheRoot()}\n`
    : `realstack build: built ${missing.join(", ")} in ${Math.round((Date.now() - started) / 1000)} s\n`,
);
