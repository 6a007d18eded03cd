/**
 * Launcher for Debian's BIND 9 `named` as the authoritative server of a test zone on loopback:
 * TSIG-signed updates of TXT records accepted for the keys granted, refused for keys only named
 * in the keys file (REFUSED), unknown to named for anything else (NOTAUTH/BADKEY). The zone is
 * written afresh (no journal) at each start; stop/start keeps the port, so a test can take the
 * server away mid-order and bring it back. Facts used: shared/reference/realstack.md ("BIND 9").
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryServer } from "../../../src/acme/dns/query.js";
import type { DnsServer } from "../../../src/acme/dns/transport.js";
import { RRTYPE } from "../../../src/acme/dns/wire/record.js";
import { freeLoopbackPort } from "./free-port.js";
import { requireBinary } from "./which.js";

/** A TSIG key of the test server. */
export interface BindKey {
  name: string;
  algorithm: "hmac-sha256" | "hmac-sha512";
  /** Base64 secret. */
  secret: string;
  /** Whether the zone's update-policy grants it TXT updates. */
  granted: boolean;
}

/** Options of {@link startBind}. */
export interface BindOptions {
  zone?: string;
  keys: BindKey[];
  /** Extra zone-file lines, e.g. `_acme-challenge.alias IN CNAME _acme-challenge.target`. */
  records?: string[];
}

/** A running named. */
export interface BindServer {
  zone: string;
  port: number;
  server: DnsServer;
  keys: BindKey[];
  /** Everything named wrote to stderr, for failure messages. */
  output(): string;
  /** Stops named (the port stays reserved by this object for a later start). */
  stop(): Promise<void>;
  /** Starts named again on the same port with a fresh zone. */
  start(): Promise<void>;
  /** Grants or revokes `keyName`'s updates and reloads named (SIGHUP). */
  setGranted(keyName: string, granted: boolean): Promise<void>;
  /** Stops named and removes its state directory. */
  close(): Promise<void>;
}

/** A fresh random TSIG key. */
export function newKey(name: string, granted: boolean, algorithm: BindKey["algorithm"] = "hmac-sha256"): BindKey {
  return { name, algorithm, secret: randomBytes(algorithm === "hmac-sha256" ? 32 : 64).toString("base64"), granted };
}

/**
 * Starts named on 127.0.0.1 at a free port, authoritative for the zone (default `example.test`).
 * @throws Error when named is not installed or does not answer SOA queries within 15 s.
 */
export async function startBind(options: BindOptions): Promise<BindServer> {
  const named = requireBinary("named", "bind9");
  const zone = options.zone ?? "example.test";
  const dir = mkdtempSync(join(tmpdir(), "sealbridge-bind-"));
  const port = await freeLoopbackPort();
  const keys = options.keys.map((k) => ({ ...k }));
  let child: ChildProcess | undefined;
  let output = "";

  const writeConfig = () => {
    writeFileSync(join(dir, "keys.conf"), keys.map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };\n`).join(""));
    const grants = keys.filter((k) => k.granted).map((k) => `grant ${k.name} zonesub TXT;`);
    writeFileSync(
      join(dir, "named.conf"),
      `options {
  directory "${dir}";
  pid-file "${join(dir, "named.pid")}";
  session-keyfile "${join(dir, "session.key")}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  empty-zones-enable no;
};
controls { };
include "${join(dir, "keys.conf")}";
zone "${zone}" {
  type primary;
  file "${join(dir, "zone.db")}";
  update-policy { ${grants.length > 0 ? grants.join(" ") : `grant "sealbridge-nobody" zonesub TXT;`} };
};
`,
    );
    if (grants.length === 0) writeFileSync(join(dir, "keys.conf"), `key "sealbridge-nobody" { algorithm hmac-sha256; secret "${randomBytes(32).toString("base64")}"; };\n`, { flag: "a" });
  };
  const writeZone = () => {
    rmSync(join(dir, "zone.db.jnl"), { force: true });
    writeFileSync(
      join(dir, "zone.db"),
      [`$TTL 60`, `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 60 60 600 1`, `@ IN NS ns1.${zone}.`, `ns1 IN A 127.0.0.1`, ...(options.records ?? []), ""].join("\n"),
    );
  };

  const start = async () => {
    writeConfig();
    writeZone();
    output = "";
    const proc = spawn(named, ["-c", join(dir, "named.conf"), "-g", "-4"], { stdio: ["ignore", "ignore", "pipe"] });
    child = proc;
    proc.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    let exited = false;
    proc.once("exit", () => (exited = true));
    let delay = 20;
    for (let waited = 0; waited < 15_000; waited += delay, delay = Math.min(delay * 2, 500)) {
      if (exited) throw new Error(`named exited at start:\n${output}`);
      try {
        const reply = await queryServer({ host: "127.0.0.1", port }, zone, RRTYPE.SOA, { timeoutMs: 200 });
        if (reply.flags.rcode === 0 && reply.answers.length > 0) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    throw new Error(`named did not answer SOA ${zone} on 127.0.0.1:${port} within 15 s:\n${output}`);
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  };

  await start();
  return {
    zone,
    port,
    server: { host: "127.0.0.1", port },
    keys,
    output: () => output,
    stop,
    start,
    async setGranted(keyName, granted) {
      const key = keys.find((k) => k.name === keyName);
      if (!key) throw new Error(`no key ${keyName} in this test server`);
      key.granted = granted;
      writeConfig();
      const before = output.length;
      child?.kill("SIGHUP");
      // named logs "reloading configuration succeeded" when the new policy is in force.
      for (let delay = 10, waited = 0; waited < 10_000; waited += delay, delay = Math.min(delay * 2, 200)) {
        if (/reloading (configuration|zones) succeeded|all zones loaded/.test(output.slice(before))) return;
        await new Promise((r) => setTimeout(r, delay));
      }
      throw new Error(`named did not reload within 10 s:\n${output.slice(before)}`);
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
