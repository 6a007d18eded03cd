// The driving side of the controller benchmarks: read a child's stdout line by line, and run the
// test-server process (bench/<name>/servers.ts) that answers commands on stdin with JSON lines.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** `next(timeoutMs, what)` resolves with the child's next stdout line. */
export function lineReader(child) {
  const rl = createInterface({ input: child.stdout });
  const waiting = [];
  const buffered = [];
  rl.on("line", (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else buffered.push(line);
  });
  return (timeoutMs, what) =>
    new Promise((resolve, reject) => {
      const b = buffered.shift();
      if (b !== undefined) return resolve(b);
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
}

/**
 * Spawns `bench/<dir>/servers.ts` with `args`. `ready(timeoutMs, what)` parses its first line
 * (`{"kubeconfig":…}`), `command(cmd, timeoutMs)` sends one command and parses the answer, and
 * `quit()` ends it (SIGKILL after 5 s).
 */
export function startBenchServers(root, dir, args) {
  const servers = spawn(process.execPath, ["--import", "tsx", join(root, "bench", dir, "servers.ts"), ...args.map(String)], {
    cwd: root,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const next = lineReader(servers);
  return {
    ready: async (timeoutMs, what) => JSON.parse(await next(timeoutMs, what)),
    async command(cmd, timeoutMs) {
      servers.stdin.write(`${cmd}\n`);
      return JSON.parse(await next(timeoutMs, cmd));
    },
    async quit() {
      servers.stdin.write("quit\n");
      await new Promise((r) => {
        const t = setTimeout(() => {
          servers.kill("SIGKILL");
          r();
        }, 5_000);
        servers.once("exit", () => {
          clearTimeout(t);
          r();
        });
      });
    },
  };
}

/** SIGTERM and wait for exit. */
export async function stopChild(child) {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}
