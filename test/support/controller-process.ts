/**
 * End-to-end helpers: run the real `kubectl` against the test Kubernetes server (fresh cache
 * dir), and spawn `sealbridge controller` from source as a separate process whose stdout/stderr
 * are captured (for canary checks) and which can be SIGKILLed mid-run.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeTestServer } from "../harness/kube/index.js";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

/** A scratch directory with a kubeconfig for `server`; `cleanup()` removes it. */
export interface KubeWorkspace {
  dir: string;
  kubeconfig: string;
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): void;
}

/** Runs a program to completion, collecting its output. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Makes the workspace: kubeconfig written, kubectl with its own KUBECACHEDIR and HOME. */
export async function kubeWorkspace(server: Pick<KubeTestServer, "writeKubeconfig">): Promise<KubeWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), "sb-e2e-"));
  await server.writeKubeconfig(join(dir, "kubeconfig"));
  return workspaceAt(dir);
}

/** The workspace around `dir`, whose `kubeconfig` the caller has written. */
export function workspaceAt(dir: string): KubeWorkspace {
  const kubeconfig = join(dir, "kubeconfig");
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, "kubecache"), HOME: dir };
  return {
    dir,
    kubeconfig,
    env,
    kubectl: (args, input) => run("kubectl", args, { env, ...(input !== undefined ? { input } : {}) }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A running `sealbridge controller` process. */
export interface ControllerProcess {
  child: ChildProcess;
  /** The port of its HTTP server (/v1/…, /healthz). */
  port: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (no graceful shutdown) and wait for exit. */
  kill(): Promise<void>;
}

/**
 * Spawns `sealbridge controller` from source and waits until its HTTP server listens.
 * @throws Error when it exits or does not listen within `timeoutMs`.
 */
export async function startController(ws: KubeWorkspace, args: string[], timeoutMs = 30_000): Promise<ControllerProcess> {
  const env = { ...ws.env };
  delete env["KUBECONFIG"];
  const child = spawn(
    process.execPath,
    ["--import", "tsx", CLI, "controller", "--kubeconfig", ws.kubeconfig, "--http-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", ...args],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`controller did not listen within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split("\n")) {
        if (!line.includes('"http server listening"')) continue;
        try {
          const port = (JSON.parse(line) as { port?: number }).port;
          if (typeof port === "number") {
            clearTimeout(timer);
            resolve(port);
          }
        } catch {
          // a partial line: wait for more
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`controller exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    child,
    port,
    output: () => out,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      // A graceful shutdown that hangs must not hang the tests: SIGKILL after 10 s.
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (!exited) child.kill("SIGKILL");
      await exit;
    },
  };
}

/** Polls `check` every 50 ms until it returns a truthy value. */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
