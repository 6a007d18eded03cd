/**
 * The Cloudflare and DigitalOcean providers, `dns verify` and `dns rotate` against local servers
 * answering with the shapes of the providers' public API documentation (the pages are cited in
 * test/harness/acme/provider-apis.ts): records created and deleted, propagation read back from
 * the zone's (fake) authoritative server, refusals naming HTTP 401/403, token expiry from the
 * verify endpoint, a token rotated (a new one with the same policies created, proven, stored, the
 * old one deleted). Canary tokens never in output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CloudflareProvider } from "../../../src/acme/dns/cloudflare.js";
import { DigitalOceanProvider } from "../../../src/acme/dns/digitalocean.js";
import { probeCredential } from "../../../src/acme/dns/probe.js";
import { DnsProviderError } from "../../../src/acme/dns/provider.js";
import { startProviderApis, type ProviderApis } from "../../harness/acme/provider-apis.js";

const CLI = fileURLToPath(new URL("../../support/cli.ts", import.meta.url));
const GOOD = "cf-canary-good-Qz81xLmN0pTr4sVu";
const READONLY = "cf-canary-readonly-Hh27Jj93Kk";
const DO_GOOD = "do-canary-good-Yy55Zz66";

let apis: ProviderApis;
let dir = "";
const lookup = () => ({ resolvers: [{ host: "127.0.0.1", port: apis.dnsPort }], authoritativePort: apis.dnsPort, timeoutMs: 2000 });
const noSleep = { sleep: async () => undefined, timeoutMs: 0 };

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { env: { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
function noCanary(...texts: string[]): void {
  for (const t of texts) for (const c of [GOOD, READONLY, DO_GOOD, ...apis.tokens.map((x) => x.value)]) assert.ok(!t.includes(c), `token in output:\n${t}`);
}

before(async () => {
  apis = await startProviderApis();
  apis.tokens.push({ id: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", value: GOOD, status: "active", expiresOn: "2027-01-01T00:00:00Z", dnsEdit: true });
  apis.tokens.push({ id: "ffffeeeeddddccccbbbbaaaa99998888", value: READONLY, status: "active", dnsEdit: false });
  apis.doTokens.add(DO_GOOD);
  dir = await mkdtemp(join(tmpdir(), "sealbridge-providers-"));
});
after(async () => {
  await apis?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("cloudflare provider", () => {
  test("a DNS-01 round trip with a token that may edit DNS", async () => {
    const cf = new CloudflareProvider({ apiToken: GOOD, apiUrl: apis.cloudflareUrl });
    const r = await probeCredential(cf, "example.test", lookup(), noSleep);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(apis.records.length, 0, "the probe record is deleted");
  });

  test("the verify endpoint's expires_on is read", async () => {
    const status = await new CloudflareProvider({ apiToken: GOOD, apiUrl: apis.cloudflareUrl }).verifyToken();
    assert.deepEqual(status, { id: "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6", status: "active", expiresOn: new Date("2027-01-01T00:00:00Z") });
  });

  const refusals: Array<[string, string, string, RegExp]> = [
    ["an unknown token", "cf-canary-unknown-000", "HTTP 401", /HTTP 401 \(1000 Invalid API Token\)/],
    ["a token without Zone:DNS:Edit", READONLY, "HTTP 403", /HTTP 403 \(10000 Authentication error\)/],
  ];
  for (const [what, token, answer, re] of refusals) {
    test(`${what} is refused with ${answer}`, async () => {
      const r = await probeCredential(new CloudflareProvider({ apiToken: token, apiUrl: apis.cloudflareUrl }), "example.test", lookup(), noSleep);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.answer, answer);
      assert.match(r.message, re);
      assert.ok(!r.message.includes(token));
    });
  }

  test("an answer that is not Cloudflare's envelope is a clear error", async () => {
    const cf = new CloudflareProvider({ apiToken: GOOD, apiUrl: `${apis.digitaloceanUrl}/v2` });
    await assert.rejects(cf.verifyToken(), /Cloudflare token verify failed: HTTP 401 with an answer that is not the v4 envelope/);
  });
});

describe("digitalocean provider", () => {
  test("a DNS-01 round trip", async () => {
    const r = await probeCredential(new DigitalOceanProvider({ token: DO_GOOD, apiUrl: apis.digitaloceanUrl }), "example.test", lookup(), noSleep);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.ok(apis.requests.some((l) => l.startsWith("POST /v2/domains/example.test/records")));
    assert.equal(apis.records.length, 0);
  });
  test("a bad token is refused with HTTP 401 and DigitalOcean's error id", async () => {
    const err = await new DigitalOceanProvider({ token: "do-bad", apiUrl: apis.digitaloceanUrl }).present({ zone: "example.test", fqdn: "_acme-challenge.x.example.test", value: "v" }).catch((e: unknown) => e);
    assert.ok(err instanceof DnsProviderError);
    assert.equal(err.answer, "HTTP 401");
    assert.match(err.message, /Unauthorized: Unable to authenticate you/);
  });
});

describe("dns verify / dns rotate (CLI)", () => {
  const cfArgs = (token: string) => ["--dns", "cloudflare", "--zone", "example.test", "--dns-opt", `apiToken=${token}`, "--dns-opt", `apiUrl=${apis.cloudflareUrl}`, "--dns-resolver", `127.0.0.1:${apis.dnsPort}`, "--authoritative-port", String(apis.dnsPort)];
  test("verify: exit 0 for a good token, 1 naming HTTP 403 for a read-only one", async () => {
    const good = await run(["dns", "verify", ...cfArgs(GOOD)]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /credential works/);
    const bad = await run(["dns", "verify", ...cfArgs(READONLY)]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: DNS credential failed \(HTTP 403\)/m);
    noCanary(good.stdout, good.stderr, bad.stdout, bad.stderr);
  });

  test("verify: digitalocean with a good token", async () => {
    const r = await run(["dns", "verify", "--dns", "digitalocean", "--zone", "example.test", "--dns-opt", `token=${DO_GOOD}`, "--dns-opt", `apiUrl=${apis.digitaloceanUrl}`, "--dns-resolver", `127.0.0.1:${apis.dnsPort}`, "--authoritative-port", String(apis.dnsPort)]);
    assert.equal(r.code, 0, r.stderr);
    noCanary(r.stdout, r.stderr);
  });

  test("an unknown option name is refused without echoing values", async () => {
    const r = await run(["dns", "verify", "--dns", "cloudflare", "--zone", "example.test", "--dns-opt", `apiKey=${GOOD}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid --dns-opt for cloudflare/);
    noCanary(r.stderr);
  });

  test("rotate: a new token with the same policies, proven, stored in the source file, then the old one deleted", async () => {
    const source = join(dir, "cf-token");
    const rolling = { id: "0123456789abcdef0123456789abcdef", value: "cf-canary-rolling-Ww44", status: "active" as const, dnsEdit: true, tokensWrite: true, name: "dns-edit" };
    apis.tokens.push(rolling);
    await writeFile(source, `${rolling.value}\n`);
    const r = await run(["dns", "rotate", ...cfArgs(rolling.value), "--source-file", source]);
    assert.equal(r.code, 0, r.stderr);
    const stored = (await readFile(source, "utf8")).trim();
    assert.notEqual(stored, "cf-canary-rolling-Ww44");
    const created = apis.tokens.find((t) => t.value === stored);
    assert.ok(created, "the source holds the created token");
    assert.equal(created.name, "dns-edit");
    assert.ok(!apis.tokens.includes(rolling), "the old token was deleted");
    assert.match(r.stdout, /token 0123456789abcdef0123456789abcdef rotated to [0-9a-f]{32}/);
    assert.ok(!r.stdout.includes(stored) && !r.stderr.includes(stored), "the new token is never printed");
    const old = await run(["dns", "verify", ...cfArgs("cf-canary-rolling-Ww44")]);
    assert.equal(old.code, 1);
  });

  test("rotate: a token that may not manage tokens is refused before anything changes; --admin-token-file names one that may", async () => {
    const source = join(dir, "cf-token-2");
    const dnsOnly = { id: "11112222333344445555666677778888", value: "cf-canary-dnsonly-Qq77", status: "active" as const, dnsEdit: true, name: "dns-only" };
    const admin = { id: "99990000aaaabbbbccccddddeeeeffff", value: "cf-canary-admin-Rr88", status: "active" as const, dnsEdit: false, tokensWrite: true, name: "token-admin" };
    apis.tokens.push(dnsOnly, admin);
    await writeFile(source, `${dnsOnly.value}\n`);
    const refused = await run(["dns", "rotate", ...cfArgs(dnsOnly.value), "--source-file", source]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Cloudflare token details refused: HTTP 403 .*User › API Tokens › Edit/);
    assert.equal((await readFile(source, "utf8")).trim(), dnsOnly.value);
    assert.ok(apis.tokens.includes(dnsOnly));
    const adminFile = join(dir, "cf-admin");
    await writeFile(adminFile, `${admin.value}\n`);
    const count = apis.tokens.length;
    const r = await run(["dns", "rotate", ...cfArgs(dnsOnly.value), "--source-file", source, "--admin-token-file", adminFile]);
    assert.equal(r.code, 0, r.stderr);
    const stored = (await readFile(source, "utf8")).trim();
    const created = apis.tokens.find((t) => t.value === stored);
    assert.ok(created && created.dnsEdit && !created.tokensWrite, "the new token has the old one's policies, not the admin's");
    assert.ok(!apis.tokens.includes(dnsOnly) && apis.tokens.includes(admin));
    assert.equal(apis.tokens.length, count);
    noCanary(refused.stdout, refused.stderr, r.stdout, r.stderr);
  });
});
