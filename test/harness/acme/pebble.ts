/**
 * Launcher for Debian's Pebble (the ACME test CA) on loopback, validating DNS-01 through a given
 * DNS server (the test BIND). The package ships no TLS certificate, so a throwaway CA and a
 * `localhost` certificate are made with openssl; clients trust Pebble through `caPem`. Facts
 * used: shared/reference/realstack.md ("Pebble").
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DnsServer } from "../../../src/acme/dns/transport.js";
import { freeLoopbackPort } from "./free-port.js";
import { requireBinary } from "./which.js";

/** A running Pebble. */
export interface PebbleServer {
  /** `https://127.0.0.1:<port>/dir`. */
  directoryUrl: string;
  /** The CA that signed Pebble's own HTTPS certificate (what clients must trust). */
  caPem: string;
  /** The root that signs issued certificates (regenerated at every start). */
  issuingRoot(): Promise<string>;
  /** What Pebble logged, the last 2 MB (its WFE logs every request by path: `POST /order-plz`, …). */
  output(): string;
  stop(): Promise<void>;
}

/** Options of {@link startPebble}. */
export interface PebbleOptions {
  dnsServer: DnsServer;
  /** Lifetime of issued certificates in seconds (Pebble's default is 5 years). */
  certificateValidityPeriod?: number;
}

function makeTlsFiles(dir: string): void {
  const openssl = requireBinary("openssl", "openssl");
  const run = (args: string[]) => execFileSync(openssl, args, { cwd: dir, stdio: "pipe" });
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=sealbridge test CA"]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "localhost.key", "-out", "localhost.csr", "-subj", "/CN=localhost"]);
  writeFileSync(join(dir, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
  run(["x509", "-req", "-in", "localhost.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "localhost.pem", "-days", "2", "-extfile", "san.ext"]);
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: new Agent({ ca }), timeout: 2000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/**
 * Starts Pebble with no validation sleeps, no nonce rejection and no authorization reuse.
 * @throws Error when pebble or openssl is missing or Pebble does not serve its directory within 15 s.
 */
export async function startPebble(options: PebbleOptions): Promise<PebbleServer> {
  const pebble = requireBinary("pebble", "pebble");
  const dir = mkdtempSync(join(tmpdir(), "sealbridge-pebble-"));
  makeTlsFiles(dir);
  const port = await freeLoopbackPort();
  const managementPort = await freeLoopbackPort();
  writeFileSync(
    join(dir, "pebble.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${port}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: join(dir, "localhost.pem"),
        privateKey: join(dir, "localhost.key"),
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
        ...(options.certificateValidityPeriod ? { certificateValidityPeriod: options.certificateValidityPeriod } : {}),
      },
    }),
  );
  const caPem = readFileSync(join(dir, "ca.pem"), "utf8");
  let output = "";
  const child: ChildProcess = spawn(pebble, ["-config", join(dir, "pebble.json"), "-dnsserver", `${options.dnsServer.host}:${options.dnsServer.port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: "1", PEBBLE_WFE_NONCEREJECT: "0", PEBBLE_AUTHZREUSE: "0" },
  });
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000_000));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const directoryUrl = `https://127.0.0.1:${port}/dir`;
  let ready = false;
  for (let delay = 20, waited = 0; waited < 15_000; waited += delay, delay = Math.min(delay * 2, 500)) {
    if (child.exitCode !== null) break;
    try {
      if ((await get(directoryUrl, caPem)).status === 200) {
        ready = true;
        break;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, delay));
  }
  const stop = async () => {
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (!ready) {
    await stop();
    throw new Error(`pebble did not serve ${directoryUrl} within 15 s:\n${output.slice(-20_000)}`);
  }
  return {
    directoryUrl,
    caPem,
    async issuingRoot() {
      const res = await get(`https://127.0.0.1:${managementPort}/roots/0`, caPem);
      if (res.status !== 200) throw new Error(`pebble management /roots/0 answered ${res.status}`);
      return res.body;
    },
    output: () => output,
    stop,
  };
}
