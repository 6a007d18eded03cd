/**
 * `sealbridge certs issue` and `sealbridge dns verify` as processes against real BIND 9 and real
 * Pebble on loopback: issuance end to end (files, chain to Pebble's root, TXT records gone),
 * BIND stopped mid-run gives a clean failure and a later run succeeds, and `dns verify` exits
 * non-zero with the server's answer for refused and unknown keys. Canary secrets never printed.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { queryServer } from "../../src/acme/dns/query.js";
import { RRTYPE } from "../../src/acme/dns/wire/record.js";
import { newKey, startBind, type BindKey, type BindServer } from "../harness/acme/bind.js";
import { startPebble, type PebbleServer } from "../harness/acme/pebble.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function run(args: string[], onStdout?: (text: string, kill: () => void) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, () => child.kill("SIGKILL"));
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let bind: BindServer;
let pebble: PebbleServer;
let dir = "";
const keyA = newKey("acme-a", true);
const keyB = newKey("acme-b", true, "hmac-sha512");
const keyC = newKey("acme-c", false);

const dnsArgs = (key: BindKey) => ["--dns", "rfc2136", "--dns-opt", `nameserver=127.0.0.1:${bind.port}`, "--dns-opt", `tsigKeyName=${key.name}`, "--dns-opt", `tsigAlgorithm=${key.algorithm === "hmac-sha256" ? "HMACSHA256" : "HMACSHA512"}`, "--dns-opt", `tsigSecret=${key.secret}`];
const issueArgs = (key: BindKey, out: string, names: string[]) => ["certs", "issue", "--acme-directory", pebble.directoryUrl, "--email", "ops@example.test", ...names.flatMap((n) => ["-d", n]), ...dnsArgs(key), "--ca-file", join(dir, "pebble-ca.pem"), "--out", out];

function noSecrets(...texts: string[]): void {
  for (const t of texts) for (const k of [keyA, keyB, keyC]) assert.ok(!t.includes(k.secret), `TSIG secret of ${k.name} in output:\n${t}`);
}

async function txtAt(name: string): Promise<number> {
  return (await queryServer(bind.server, name, RRTYPE.TXT)).answers.length;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sealbridge-issue-"));
  bind = await startBind({ keys: [keyA, keyB, keyC], records: ["www IN A 127.0.0.1"] });
  pebble = await startPebble({ dnsServer: bind.server });
  await writeFile(join(dir, "pebble-ca.pem"), pebble.caPem);
});
after(async () => {
  await pebble?.stop();
  await bind?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("certs issue against BIND and Pebble", () => {
  test("issues a certificate for two names: tls.crt holds leaf + chain to Pebble's root, tls.key is 0600, TXT records are gone", async () => {
    const out = join(dir, "www");
    const r = await run(issueArgs(keyA, out, ["www.example.test", "api.example.test"]));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const step of ["order created", "TXT records published", "every authoritative server answers", "authorizations valid", "order finalized", "certificate issued"]) assert.match(r.stdout, new RegExp(step));
    const chain = (await readFile(join(out, "tls.crt"), "utf8")).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    assert.ok(chain.length >= 2, "leaf and at least one intermediate");
    const leaf = new X509Certificate(chain[0] ?? "");
    assert.match(leaf.subjectAltName ?? "", /DNS:www\.example\.test/);
    assert.match(leaf.subjectAltName ?? "", /DNS:api\.example\.test/);
    const root = new X509Certificate(await pebble.issuingRoot());
    const last = new X509Certificate(chain.at(-1) ?? "");
    assert.ok(last.verify(root.publicKey), "the chain ends at Pebble's root");
    assert.ok(leaf.checkPrivateKey((await import("node:crypto")).createPrivateKey(await readFile(join(out, "tls.key"), "utf8"))));
    assert.equal((await stat(join(out, "tls.key"))).mode & 0o777, 0o600);
    assert.equal(await txtAt("_acme-challenge.www.example.test"), 0);
    assert.equal(await txtAt("_acme-challenge.api.example.test"), 0);
    noSecrets(r.stdout, r.stderr);
  });

  test("the hmac-sha512 key B issues too", async () => {
    const r = await run(issueArgs(keyB, join(dir, "b"), ["b.example.test"]));
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  test("BIND stopped mid-order: a clean failure naming the server; after it is back, a later run succeeds", async () => {
    const out = join(dir, "flaky");
    let stopped: Promise<void> | undefined;
    const r = await run(issueArgs(keyA, out, ["flaky.example.test"]), (stdout) => {
      if (!stopped && /order created/.test(stdout)) stopped = bind.stop();
    });
    await stopped;
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^error: DNS server did not answer: 127\.0\.0\.1:\d+ over UDP/m);
    assert.doesNotMatch(r.stderr, /unexpected error|TypeError/);
    noSecrets(r.stdout, r.stderr);
    await bind.start();
    const again = await run(issueArgs(keyA, out, ["flaky.example.test"]));
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.ok((await stat(join(out, "tls.crt"))).size > 0);
  });

  test("a refused key fails before any order with the server's answer and the zone's hint", async () => {
    const r = await run(issueArgs(keyC, join(dir, "c"), ["c.example.test"]));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /answered REFUSED/);
    noSecrets(r.stdout, r.stderr);
  });

  test("without trust in Pebble's CA the real cause is named, not acme-client's TypeError", async () => {
    const args = issueArgs(keyA, join(dir, "untrusted"), ["u.example.test"]).filter((a, i, all) => a !== "--ca-file" && all[i - 1] !== "--ca-file");
    const r = await run(args);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unreachable \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)\) \(trust the server's CA/);
  });
});

describe("dns verify against BIND", () => {
  const cases: Array<[string, () => BindKey, number, RegExp]> = [
    ["granted key A", () => keyA, 0, /credential works/],
    ["granted key B (sha512)", () => keyB, 0, /credential works/],
    ["key C, named but not granted", () => keyC, 1, /DNS credential failed \(REFUSED\)/],
    ["a key BIND does not know", () => newKey("acme-x", false), 1, /DNS credential failed \(NOTAUTH\/BADKEY\)/],
    ["key A with a wrong secret", () => ({ ...keyA, secret: newKey("y", false).secret }), 1, /DNS credential failed \(NOTAUTH\/BADSIG\)/],
  ];
  for (const [what, key, code, re] of cases) {
    test(`${what}: exit ${code}`, async () => {
      const r = await run(["dns", "verify", "--zone", "example.test", ...dnsArgs(key())]);
      assert.equal(r.code, code, r.stderr + r.stdout);
      assert.match(code === 0 ? r.stdout : r.stderr, re);
      noSecrets(r.stdout, r.stderr);
    });
  }
});
