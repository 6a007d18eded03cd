import { Command, CommanderError } from "commander";
import { isSealbridgeError } from "../errors.js";
import { VERSION } from "../version.js";
import { handleOutputErrors } from "./output-errors.js";

/**
 * The command groups. Each module registers its commands on the program and imports the code
 * behind them lazily inside its actions, so `sealbridge seal --cert FILE` never loads the
 * Kubernetes client. Add a group by adding its module here.
 */
const commandGroups: Array<() => Promise<{ register(program: Command): void }>> = [
  // e.g. () => import("./seal.js"),
  () => import("./seal.js"),
  () => import("./check.js"),
  () => import("./hook.js"),
  () => import("./controller.js"),
  () => import("./keys.js"),
  () => import("./certs.js"),
  () => import("./dns.js"),
  // After the certs group (certs check) so that `issue` joins it; see certs-issue.ts.
  () => import("./certs-issue.js"),
  () => import("./vault.js"),
  () => import("./doctor.js"),
];

/** Builds the program with every command group registered. */
export async function buildProgram(): Promise<Command> {
  const program = new Command("sealbridge")
    .description("Seal secrets for git (kubeseal-compatible SealedSecrets, or age) and sync them from Vault into Kubernetes: one CLI and one controller.")
    .version(VERSION, "-V, --version")
    .option("--debug", "print stack traces on errors")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  const groups = await Promise.all(commandGroups.map((load) => load()));
  for (const group of groups) group.register(program);
  return program;
}

/** Runs the CLI; the only place that turns errors into `error: …` and an exit code. */
export async function main(argv: string[]): Promise<void> {
  handleOutputErrors(process);
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed help/version/usage errors.
      process.exitCode = err.exitCode;
      return;
    }
    const debug = argv.includes("--debug");
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    if (!isSealbridgeError(err) && !debug) process.stderr.write("(unexpected error: run with --debug for details)\n");
    process.exitCode = typeof (err as { exitCode?: unknown }).exitCode === "number" ? (err as { exitCode: number }).exitCode : 1;
  }
}
