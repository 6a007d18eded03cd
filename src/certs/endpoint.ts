/**
 * The endpoint adapter: a TLS connection to `host:port` with SNI that returns the served chain
 * (leaf first) and OpenSSL's verdict against the given trust bundle (or Node's root store). No
 * data is sent; the connection closes after the handshake. Failures come back as a message.
 */
import { X509Certificate } from "node:crypto";
import { connect, type PeerCertificate, type DetailedPeerCertificate } from "node:tls";

/** What a TLS endpoint served. */
export type ServedChain =
  | { ok: true; chain: X509Certificate[]; pem: string; authorizationError?: string }
  | { ok: false; message: string };

/** Where to connect. */
export interface EndpointTarget {
  host: string;
  port: number;
  /** SNI name; defaults to `host` unless `host` is an IP address. */
  serverName?: string;
  /** PEM trust bundle; Node's built-in roots when absent. */
  caPem?: string;
  timeoutMs?: number;
}

/** Parses `host:port` (IPv6 in brackets). @returns null when it is not of that form. */
export function parseHostPort(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2] ?? "", port };
}

function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const out: X509Certificate[] = [];
  const seen = new Set<string>();
  let cur: PeerCertificate | DetailedPeerCertificate | undefined = peer;
  while (cur && cur.raw && !seen.has(cur.fingerprint256)) {
    seen.add(cur.fingerprint256);
    out.push(new X509Certificate(cur.raw));
    cur = (cur as DetailedPeerCertificate).issuerCertificate;
  }
  return out;
}

/** Connects and reads the served chain. Never throws. */
export async function fetchServedChain(target: EndpointTarget): Promise<ServedChain> {
  const where = `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
  const isIp = /^[\d.]+$|:/.test(target.host);
  const servername = target.serverName ?? (isIp ? undefined : target.host);
  return await new Promise<ServedChain>((resolve) => {
    let settled = false;
    const done = (r: ServedChain): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    const socket = connect({
      host: target.host,
      port: target.port,
      ...(servername === undefined ? {} : { servername }),
      ...(target.caPem === undefined ? {} : { ca: target.caPem }),
      rejectUnauthorized: false,
      timeout: target.timeoutMs ?? 10_000,
    });
    socket.once("secureConnect", () => {
      try {
        const chain = chainOf(socket.getPeerCertificate(true));
        if (chain.length === 0) return done({ ok: false, message: `${where} served no certificate` });
        const pem = chain.map((c) => c.toString()).join("");
        const err = socket.authorized ? undefined : String(socket.authorizationError ?? "not trusted");
        done(err === undefined ? { ok: true, chain, pem } : { ok: true, chain, pem, authorizationError: err });
      } catch {
        done({ ok: false, message: `${where} served a certificate that does not parse` });
      }
    });
    socket.once("timeout", () => done({ ok: false, message: `${where} did not complete a TLS handshake in ${target.timeoutMs ?? 10_000} ms (check the host, port and firewall)` }));
    socket.once("error", (err: Error & { code?: string }) =>
      done({ ok: false, message: `${where} unreachable: ${err.code ?? err.message} (check the host and port, and that it speaks TLS)` }),
    );
  });
}
