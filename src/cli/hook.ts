/** `sealbridge hook install|uninstall`: a plain git pre-commit hook running `sealbridge check --staged`. */
import type { Command } from "commander";

/** Registers `hook install` and `hook uninstall`. */
export function register(program: Command): void {
  const hook = program.command("hook").description("manage the git pre-commit hook that runs sealbridge check --staged");
  hook
    .command("install")
    .description("write the repository's pre-commit hook (honours core.hooksPath)")
    .option("--force", "replace a pre-commit hook sealbridge did not write (the old one is kept as pre-commit.sealbridge-backup)")
    .action(async (opts: { force?: boolean }) => {
      const { installPreCommitHook } = await import("../check/git-hook.js");
      const result = await installPreCommitHook(process.cwd(), { force: opts.force === true });
      process.stdout.write(`${result.message}\n`);
    });
  hook
    .command("uninstall")
    .description("remove the pre-commit hook if sealbridge wrote it")
    .action(async () => {
      const { uninstallPreCommitHook } = await import("../check/git-hook.js");
      process.stdout.write(`${(await uninstallPreCommitHook(process.cwd())).message}\n`);
    });
}
