/**
 * Child processes of the real stack: started with their output in a log file, stopped with
 * SIGTERM (SIGKILL after a grace period), and readiness polled over HTTP(S).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
import { createServer } from "node:net";

/** A started server process. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  logPath: string;
  /** Whether it has exited. */
  exited(): boolean;
  /** The last lines of its log (for error messages). */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (released before returning; the caller binds it next). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `program` with its stdout/stderr appended to `logPath`.
 * @throws Error when the program cannot be spawned.
 */
export function startProcess(name: string, program: string, args: string[], logPath: string, env: NodeJS.ProcessEnv = process.env): ServerProcess {
  const log = createWriteStream(logPath, { flags: "a" });
  log.write(`### ${new Date().toISOString()} ${program} ${args.join(" ")}\n`);
  const child = spawn(program, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      resolve();
    });
    child.once("error", (err) => {
      log.write(`spawn error: ${err.message}\n`);
      done = true;
      resolve();
    });
  });
  void exit.then(() => log.end());
  return {
    name,
    child,
    logPath,
    exited: () => done,
    tail(lines = 30) {
      try {
        return readFileSync(logPath, "utf8").split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    },
    async stop(graceMs = 10_000) {
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** One GET; the status code, or 0 when the connection failed. */
export function httpStatus(url: string, opts: { ca?: string; token?: string } = {}): Promise<number> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const request = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      u,
      { method: "GET", headers: opts.token !== undefined ? { Authorization: `Bearer ${opts.token}` } : {}, ...(opts.ca !== undefined ? { ca: opts.ca } : {}), timeout: 5_000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

/**
 * Polls `url` until it answers 200.
 * @throws Error naming the process and showing its log tail when it exits or the time is up.
 */
export async function waitReady(proc: ServerProcess, url: string, opts: { ca?: string; token?: string; timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    if (proc.exited()) throw new Error(`realstack: ${proc.name} exited during startup (log ${proc.logPath}):\n${proc.tail()}`);
    if ((await httpStatus(url, opts)) === 200) return;
    if (Date.now() > deadline) throw new Error(`realstack: ${proc.name} not ready at ${url} within ${opts.timeoutMs ?? 120_000} ms (log ${proc.logPath}):\n${proc.tail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
