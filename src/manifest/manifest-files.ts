/**
 * The one walker of manifest files: every `.yaml`, `.yml` and `.json` file under a directory,
 * sorted, skipping hidden directories (`.git`, `.terraform`…) and `node_modules`. `seal` and
 * `check` both walk with it, so a directory means the same files to both.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** File names that are manifests. */
export const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function skippedDirectory(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

/**
 * Every manifest file under `dir`, sorted by path.
 * @throws the readdir error when `dir` (or a directory under it) cannot be read.
 */
export async function walkManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedDirectory(entry.name)) out.push(...(await walkManifestFiles(path)));
    } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}
