/**
 * The plain git pre-commit hook: a small sh script that runs `sealbridge check --staged`, marked
 * so sealbridge recognises its own hook and never clobbers someone else's without --force.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { promisify } from "node:util";
import { InputError } from "../errors.js";

const run = promisify(execFile);

/** The line that marks a hook as written by sealbridge. */
export const HOOK_MARKER = "# sealbridge-hook: pre-commit v1";

/** The hook script: sealbridge from PATH, else the project's own through npx (no download). */
export const PRE_COMMIT_HOOK = `#!/bin/sh
${HOOK_MARKER}
# Installed by \`sealbridge hook install\`: refuses commits that add plaintext Kubernetes Secrets.
# Bypass once with \`git commit --no-verify\`; remove with \`sealbridge hook uninstall\`.
if command -v sealbridge >/dev/null 2>&1; then
  exec sealbridge check --staged
fi
exec npx --no-install sealbridge check --staged
`;

/** What an install or uninstall did, as a sentence for the user. */
export interface HookResult {
  path: string;
  message: string;
}

/**
 * Writes the pre-commit hook of the repository holding `cwd` (where `git rev-parse --git-path
 * hooks/pre-commit` points, so core.hooksPath is honoured). Re-installing over our own hook is
 * fine; a foreign hook is replaced only with `force`, and then kept as `pre-commit.sealbridge-backup`.
 * @throws InputError when `cwd` is not in a git repository, or a foreign hook exists without `force`.
 */
export async function installPreCommitHook(cwd: string, opts: { force: boolean }): Promise<HookResult> {
  const path = await hookPath(cwd);
  const existing = await readFile(path, "utf8").catch(() => null);
  let note = "";
  if (existing !== null && !existing.includes(HOOK_MARKER)) {
    if (!opts.force) {
      throw new InputError(
        `pre-commit hook exists and was not written by sealbridge: ${path} (add \`sealbridge check --staged\` to it yourself, or pass --force to replace it)`,
        { code: "HookExists" },
      );
    }
    await rename(path, `${path}.sealbridge-backup`);
    note = ` (previous hook kept as ${path}.sealbridge-backup)`;
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, PRE_COMMIT_HOOK, { mode: 0o755 });
  await chmod(path, 0o755);
  return { path, message: `installed pre-commit hook: ${path}${note}` };
}

/**
 * Removes the pre-commit hook if sealbridge wrote it.
 * @throws InputError when `cwd` is not in a git repository, or the hook is someone else's.
 */
export async function uninstallPreCommitHook(cwd: string): Promise<HookResult> {
  const path = await hookPath(cwd);
  const existing = await readFile(path, "utf8").catch(() => null);
  if (existing === null) return { path, message: `no pre-commit hook: ${path}` };
  if (!existing.includes(HOOK_MARKER)) {
    throw new InputError(`pre-commit hook was not written by sealbridge: ${path} (left as is)`, { code: "HookExists" });
  }
  await rm(path);
  return { path, message: `removed pre-commit hook: ${path}` };
}

async function hookPath(cwd: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["rev-parse", "--git-path", "hooks/pre-commit"], { cwd, encoding: "utf8" });
    return resolve(cwd, stdout.trim());
  } catch (err) {
    throw new InputError(`not a git repository: ${cwd} (run sealbridge hook install inside one)`, { code: "GitFailed", cause: err });
  }
}
