/**
 * Sending one DNS message to one server and reading its reply, over UDP (falling back to TCP
 * when the reply is truncated) or TCP (two-byte length prefix, RFC 1035 §4.2.2). A reply with
 * another ID is ignored on UDP (it belongs to someone else); a server that does not answer in
 * time is a RemoteError naming it.
 */
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { isIP } from "node:net";
import { RemoteError } from "../../errors.js";

/** A DNS server address. */
export interface DnsServer {
  host: string;
  port: number;
}

/** How to reach a server. */
export interface ExchangeOptions {
  /** "udp" (TCP when truncated) or "tcp". Default "udp". */
  transport?: "udp" | "tcp";
  /** How long to wait for the reply, in milliseconds. Default 5000. */
  timeoutMs?: number;
}

/** `host:port` text for messages. */
export function serverText(server: DnsServer): string {
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}

function unreachable(server: DnsServer, transport: string, detail: string, cause?: unknown): RemoteError {
  return new RemoteError(`DNS server did not answer: ${serverText(server)} over ${transport}, ${detail} (check that it runs and the address and port are right)`, {
    code: "DnsUnreachable",
    cause,
  });
}

function udpExchange(server: DnsServer, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? "udp6" : "udp4");
    const id = request.readUInt16BE(0);
    const finish = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(unreachable(server, "UDP", `no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (err) => finish(unreachable(server, "UDP", (err as NodeJS.ErrnoException).code ?? err.message, err)));
    socket.on("message", (reply) => {
      if (reply.length >= 2 && reply.readUInt16BE(0) === id) finish(null, reply);
    });
    socket.send(request, server.port, server.host);
  });
}

function tcpExchange(server: DnsServer, request: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (err: Error | null, reply?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(unreachable(server, "TCP", `no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.on("error", (err) => finish(unreachable(server, "TCP", (err as NodeJS.ErrnoException).code ?? err.message, err)));
    socket.on("connect", () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(request.length);
      socket.write(Buffer.concat([length, request]));
    });
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      const all = Buffer.concat(chunks, received);
      if (all.length >= 2 && all.length >= 2 + all.readUInt16BE(0)) finish(null, all.subarray(2, 2 + all.readUInt16BE(0)));
    });
    socket.on("end", () => finish(unreachable(server, "TCP", "the connection closed before a whole reply arrived")));
  });
}

/**
 * Sends `request` to `server` and returns the raw reply (not yet decoded).
 * @throws RemoteError (code DnsUnreachable) when the server does not answer in time or refuses the connection.
 */
export async function exchange(server: DnsServer, request: Buffer, options: ExchangeOptions = {}): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (options.transport === "tcp") return tcpExchange(server, request, timeoutMs);
  const reply = await udpExchange(server, request, timeoutMs);
  const truncated = reply.length >= 4 && (reply.readUInt16BE(2) & 0x0200) !== 0;
  return truncated ? tcpExchange(server, request, timeoutMs) : reply;
}
