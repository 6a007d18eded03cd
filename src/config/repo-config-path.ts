/**
 * Locating `.sealbridge.yaml` without loading its schema (zod is only loaded when a file is
 * found, which keeps `sealbridge seal --cert FILE` start-up fast).
 */
import { stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

export const REPO_CONFIG_FILE = ".sealbridge.yaml";

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The `.sealbridge.yaml` governing `startDir`: the nearest one walking up, stopping at the
 * repository root (the directory holding `.git`); `null` when there is none. Never throws.
 */
export async function findRepoConfigPath(startDir: string): Promise<string | null> {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, REPO_CONFIG_FILE);
    if (await exists(candidate)) return candidate;
    if (await exists(join(dir, ".git"))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
