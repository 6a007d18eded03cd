/**
 * Runs the real `kubectl` against a Kubernetes test server, isolated per test file: its own
 * HOME, KUBECACHEDIR (kubectl's discovery cache is keyed by host:port and outlives servers,
 * kubectl-requests.md §0.5) and kubeconfig, in a temp dir removed by `cleanup()`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startKubeServer, type KubeTestServer } from "./index.js";

/** What one kubectl run printed and how it exited. */
export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A kubectl process that keeps running (`get -w`): read its output until a pattern shows. */
export interface KubectlStream {
  /** Resolves with all stdout so far once it matches `pattern`. @throws Error after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Kills the process and resolves when it has exited. */
  stop(): Promise<void>;
}

/** An isolated kubectl environment bound to one server. */
export class KubectlEnv {
  private constructor(
    readonly dir: string,
    readonly kubeconfigPath: string,
    private readonly server: KubeTestServer,
  ) {}

  /** Creates the temp dir and an admin kubeconfig (context namespace `default`). */
  static async create(server: KubeTestServer): Promise<KubectlEnv> {
    const dir = await mkdtemp(join(tmpdir(), "sealbridge-kubectl-"));
    const kubeconfigPath = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfigPath);
    return new KubectlEnv(dir, kubeconfigPath, server);
  }

  /** Writes a kubeconfig for another bearer token into the env's dir and returns its path. */
  async kubeconfigFor(token: string, name: string): Promise<string> {
    const path = join(this.dir, `kubeconfig-${name}`);
    await this.server.writeKubeconfig(path, { token });
    return path;
  }

  /**
   * Writes a file (a manifest) into the env's dir, kubectl's working directory, and returns its
   * name as kubectl should be given it (so messages quote `"name.yaml"` as in the reference).
   */
  async file(name: string, content: string): Promise<string> {
    await writeFile(join(this.dir, name), content);
    return name;
  }

  private env(kubeconfig: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const k of ["PATH", "LANG", "TZ"]) if (process.env[k] !== undefined) env[k] = process.env[k];
    env["HOME"] = this.dir;
    env["KUBECACHEDIR"] = join(this.dir, "cache");
    env["KUBECONFIG"] = kubeconfig;
    return env;
  }

  private start(args: string[], kubeconfig?: string): ChildProcessWithoutNullStreams {
    return spawn("kubectl", args, { cwd: this.dir, env: this.env(kubeconfig ?? this.kubeconfigPath), stdio: "pipe" });
  }

  /** Runs kubectl to completion (killed after `timeoutMs`, default 20 s). Never rejects on a non-zero exit. */
  run(args: string[], opts: { stdin?: string; kubeconfig?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = this.start(args, opts.kubeconfig);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
      child.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      child.stdin.end(opts.stdin ?? "");
    });
  }

  /** Starts a long-running kubectl (e.g. `get -w`). */
  stream(args: string[]): KubectlStream {
    const child = this.start(args);
    child.stdin.end();
    let stdout = "";
    const waiters = new Set<() => void>();
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      for (const w of waiters) w();
    });
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    return {
      waitFor(pattern, timeoutMs = 10_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            if (!pattern.test(stdout)) return;
            cleanup();
            resolve(stdout);
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`kubectl output did not match ${String(pattern)} within ${timeoutMs} ms; output so far:\n${stdout}`));
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        });
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  }

  /** Removes the temp dir. */
  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A test server with its own kubectl environment. */
export interface ServerWithKubectl {
  server: KubeTestServer;
  kubectl: KubectlEnv;
  /** Stops the server and removes the kubectl environment. */
  stop(): Promise<void>;
}

/**
 * Starts a Kubernetes test server with an isolated kubectl environment and, when given, applies
 * `seed` (multi-document YAML) to it with `kubectl apply -f`.
 * @throws Error (with kubectl's stderr) when the seed does not apply; the server is stopped then.
 */
export async function startWithKubectl(seed?: string): Promise<ServerWithKubectl> {
  const server = await startKubeServer();
  const kubectl = await KubectlEnv.create(server);
  const stop = async (): Promise<void> => {
    await server.stop();
    await kubectl.cleanup();
  };
  if (seed !== undefined) {
    const seeded = await kubectl.run(["apply", "-f", await kubectl.file("seed.yaml", seed)]);
    if (seeded.code !== 0) {
      await stop();
      throw new Error(`kubectl apply of the seed failed (exit ${String(seeded.code)}): ${seeded.stderr}`);
    }
  }
  return { server, kubectl, stop };
}

/**
 * Parses kubectl's table output into one record per row keyed by the header names, cutting each
 * line at the header's column offsets (columns are separated by 3+ spaces; a name like
 * `CREATED AT` has one) (so empty cells stay empty instead of shifting columns).
 */
export function parseTable(out: string): Record<string, string>[] {
  const lines = out.split("\n").filter((l) => l.trim() !== "");
  const header = lines[0] ?? "";
  const starts: number[] = [];
  for (let i = 0; i < header.length; i++) if (header[i] !== " " && (i === 0 || header.slice(i - 2, i) === "  ")) starts.push(i);
  const names = starts.map((s, i) => header.slice(s, starts[i + 1] ?? header.length).trim());
  return lines.slice(1).map((line) => Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], starts[i + 1] ?? line.length).trim()])));
}
