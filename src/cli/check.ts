/**
 * `sealbridge check [PATH…] [--staged]`: fail when plaintext Secrets are about to reach git.
 * Exit 0 clean, 1 plaintext found, 2 a file could not be checked.
 */
import type { Command } from "commander";

interface CheckOptions {
  staged?: boolean;
  eso?: boolean;
}

/** Registers `check`. */
export function register(program: Command): void {
  program
    .command("check")
    .description("find plaintext Kubernetes Secrets in YAML/JSON files (exit 1 when found)")
    .argument("[paths...]", "files or directories to check (default: the current directory)")
    .option("--staged", "check the files staged in the git index instead of the working tree")
    .option("--eso", "check ExternalSecret/SecretStore manifests in the given files for fields sealbridge does not support")
    .addHelpText(
      "after",
      "\nExit status: 0 clean, 1 plaintext Secrets found, 2 a file could not be read or parsed.\nOnly key names are printed, never values.",
    )
    .action(async (paths: string[], opts: CheckOptions) => {
      if (opts.eso) {
        const { runEsoCheck } = await import("../eso/lint-files.js");
        process.exitCode = await runEsoCheck(paths, process.stdout, process.stderr);
        return;
      }
      const { checkManifests } = await import("../check/secret-check.js");
      const { manifestFilesUnder, stagedManifestFiles } = await import("../check/manifest-files.js");
      const { InputError, isSealbridgeError } = await import("../errors.js");
      if (opts.staged && paths.length > 0) {
        throw new InputError("check: --staged takes no paths (it checks every staged YAML/JSON file)", { code: "InvalidFlags" });
      }
      let sources;
      try {
        sources = opts.staged ? await stagedManifestFiles(process.cwd()) : await manifestFilesUnder(paths.length > 0 ? paths : ["."]);
      } catch (err) {
        // Nothing could be checked: the documented exit status 2, not 1 (which means "plaintext found").
        if (isSealbridgeError(err)) Object.assign(err, { exitCode: 2 });
        throw err;
      }
      const report = await checkManifests(sources);
      for (const line of report.findings) process.stdout.write(`${line}\n`);
      for (const line of report.problems) process.stderr.write(`error: ${line}\n`);
      if (report.findings.length > 0) {
        process.stderr.write(
          `sealbridge check: ${report.findings.length} plaintext Secret(s) in ${report.filesChecked} file(s) checked; seal them before committing\n`,
        );
      }
      process.exitCode = report.exitCode;
    });
}
