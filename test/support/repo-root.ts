// Paths inside this repository, derived from this file's own location (never a machine's
// absolute path, never URL.pathname: a checkout under a path with a space must work).
import { fileURLToPath } from "node:url";

/** The repository's root directory (the package root). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** `parts` joined under the repository root, e.g. `repoPath("crds")`. */
export function repoPath(...parts: string[]): string {
  return fileURLToPath(new URL(parts.join("/"), new URL("../../", import.meta.url)));
}
