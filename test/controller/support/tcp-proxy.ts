/**
 * A TCP forwarder on a free 127.0.0.1 port that can be taken down (listener closed, every
 * connection cut: clients get ECONNREFUSED) and brought back on the same port, to play a Vault
 * that is down and then recovers.
 */
import { connect, createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";

export interface TcpProxy {
  /** `http://127.0.0.1:PORT`, stable across down/up. */
  readonly addr: string;
  /** Closes the listener and cuts every open connection. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/** Starts a forwarder to `target` (`http://host:port`). @throws Error when no port can be bound. */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const url = new URL(target);
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | null = null;
  const up = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = connect(Number(url.port), url.hostname);
        sockets.add(client);
        sockets.add(upstream);
        const end = (): void => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
        client.pipe(upstream).pipe(client);
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await up();
  return {
    get addr() {
      return `http://127.0.0.1:${port}`;
    },
    async down() {
      const s = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up,
  };
}
