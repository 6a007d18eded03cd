// Spawns the CLI from source as a separate process and collects its output.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository this file belongs to, and its CLI entry (never another checkout). */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export async function runCli(args: string[], options: { input?: string; cwd?: string; env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), ...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env["PATH"] ?? "", HOME: options.env?.["HOME"] ?? "/nonexistent", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, ms: Date.now() - started };
}
