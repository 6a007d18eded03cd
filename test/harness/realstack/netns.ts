/**
 * A network namespace made for one test, so a process can listen on an address the API server's
 * Endpoints validation accepts (not loopback) without touching any other host: a veth pair with
 * `10.213.<n>.1/30` on the host side and `10.213.<n>.2/30` inside the namespace. Loopback TCP
 * ports of the host can be exposed inside the namespace through a Unix socket bridge (Unix
 * sockets are files, so they cross network namespaces), e.g. the API server for a controller
 * running inside. Needs root and iproute2.
 */
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";

/** A created network namespace. */
export interface NetNs {
  name: string;
  /** The address inside the namespace (the only one traffic is sent to). */
  address: string;
  hostAddress: string;
  /** argv prefix that runs a program inside the namespace. */
  exec: string[];
  /** Makes `127.0.0.1:port` of the host reachable at `127.0.0.1:port` inside the namespace. */
  exposeHostPort(port: number, dir: string): Promise<void>;
  /** Listens on `address:port` inside the namespace, forwarding to `127.0.0.1:targetPort` of the host. */
  serveInside(port: number, targetPort: number, dir: string): Promise<void>;
  remove(): Promise<void>;
}

function ip(args: string[]): void {
  try {
    execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message;
    throw new Error(`netns: ip ${args.join(" ")} failed: ${stderr} (needs root and iproute2; network namespaces must be allowed)`);
  }
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on("error", () => b.destroy());
  b.on("error", () => a.destroy());
  a.on("close", () => b.destroy());
  b.on("close", () => a.destroy());
}

/** The listener run inside the namespace: TCP HOST:PORT → the Unix socket. */
const INNER_FORWARDER = `
const net = require("node:net");
const [host, port, sock] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(sock);
  c.pipe(u); u.pipe(c);
  c.on("error", () => u.destroy()); u.on("error", () => c.destroy());
  c.on("close", () => u.destroy()); u.on("close", () => c.destroy());
}).listen(Number(port), host, () => process.stdout.write("listening\\n"));
`;

/**
 * Creates the namespace and the veth pair.
 * @throws Error naming the failing `ip` command (e.g. not root, namespaces not allowed).
 */
export function createNetNs(): NetNs {
  const id = randomBytes(2).toString("hex");
  const subnet = 16 + (parseInt(id, 16) % 200);
  const name = `sbrs-${id}`;
  const host = `sbh${id}`;
  const inner = `sbn${id}`;
  const hostAddress = `10.213.${subnet}.1`;
  const address = `10.213.${subnet}.2`;
  ip(["netns", "add", name]);
  const servers: Server[] = [];
  const children: ChildProcess[] = [];
  try {
    ip(["link", "add", host, "type", "veth", "peer", "name", inner, "netns", name]);
    ip(["addr", "add", `${hostAddress}/30`, "dev", host]);
    ip(["link", "set", host, "up"]);
    ip(["-n", name, "addr", "add", `${address}/30`, "dev", inner]);
    ip(["-n", name, "link", "set", inner, "up"]);
    ip(["-n", name, "link", "set", "lo", "up"]);
  } catch (err) {
    try {
      ip(["netns", "del", name]);
    } catch {
      // already gone
    }
    throw err;
  }
  const exec = ["ip", "netns", "exec", name];
  /** TCP listen (inside) → Unix socket → 127.0.0.1:targetPort (host). */
  const bridge = async (listenHost: string, port: number, targetPort: number, dir: string): Promise<void> => {
    const sock = join(dir, `netns-${id}-${listenHost}-${port}.sock`);
    rmSync(sock, { force: true });
    const server = createServer((u) => pipeBoth(u, connect(targetPort, "127.0.0.1")));
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(sock, resolve));
    servers.push(server);
    const child = spawn(exec[0] ?? "ip", [...exec.slice(1), process.execPath, "-e", INNER_FORWARDER, listenHost, String(port), sock], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout?.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`netns: forwarder ${listenHost}:${port} exited with ${String(code)}: ${err}`)));
    });
  };
  return {
    name,
    address,
    hostAddress,
    exec,
    exposeHostPort: (port, dir) => bridge("127.0.0.1", port, port, dir),
    serveInside: (port, targetPort, dir) => bridge(address, port, targetPort, dir),
    async remove() {
      for (const c of children) c.kill("SIGKILL");
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      try {
        ip(["netns", "del", name]); // removes the veth pair with it
      } catch {
        // best effort
      }
      try {
        ip(["link", "del", host]);
      } catch {
        // gone with the namespace
      }
    },
  };
}
