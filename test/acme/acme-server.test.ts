/**
 * The acme-client adapter against a local HTTP server speaking just enough ACME (RFC 8555
 * directory, newNonce, newAccount) to fail in the ways that matter: a 429 rateLimited problem
 * with Retry-After becomes AcmeRateLimitError at the right time (no in-process sleeps), another
 * problem keeps its type and detail, and ARI (RFC 9773) is read when the directory offers it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AcmeProblemError, AcmeRateLimitError, retryAfterTime } from "../../src/acme/acme-errors.js";
import { AcmeServer, newAccountKey } from "../../src/acme/acme-server.js";
import { ariCertId, renewalWindow } from "../../src/acme/ari.js";

let server: Server;
let base = "";
let accountAnswer: { status: number; headers: Record<string, string>; body: unknown } = { status: 201, headers: {}, body: {} };
let ariPath = "";
const clock = { now: () => new Date("2026-06-01T12:00:00Z") };

before(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/dir") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ newNonce: `${base}/nonce`, newAccount: `${base}/account`, newOrder: `${base}/order`, renewalInfo: `${base}/ari` }));
    }
    if (url === "/nonce") {
      res.writeHead(200, { "replay-nonce": `n${Math.random()}`.replace(".", ""), "cache-control": "no-store" });
      return res.end();
    }
    if (url === "/account") {
      req.resume();
      res.writeHead(accountAnswer.status, { "content-type": "application/problem+json", "replay-nonce": "n2", ...accountAnswer.headers });
      return res.end(JSON.stringify(accountAnswer.body));
    }
    if (url.startsWith("/ari/")) {
      ariPath = url;
      res.writeHead(200, { "content-type": "application/json", "retry-after": "21600" });
      return res.end(JSON.stringify({ suggestedWindow: { start: "2026-06-10T00:00:00Z", end: "2026-06-12T00:00:00Z" }, explanationURL: "https://ca.example.test/why" }));
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe("AcmeServer errors", () => {
  test("429 rateLimited with Retry-After: AcmeRateLimitError retrying at now + Retry-After", async () => {
    accountAnswer = { status: 429, headers: { "retry-after": "120" }, body: { type: "urn:ietf:params:acme:error:rateLimited", detail: "too many new accounts" } };
    const acme = new AcmeServer({ directoryUrl: `${base}/dir`, accountKeyPem: await newAccountKey(), clock });
    const err = await acme.account("ops@example.test").catch((e: unknown) => e);
    assert.ok(err instanceof AcmeRateLimitError, String(err));
    assert.equal(err.retryAt.toISOString(), "2026-06-01T12:02:00.000Z");
    assert.match(err.message, /rate-limited: .* answered 429 rateLimited: too many new accounts \(retrying at 2026-06-01T12:02:00.000Z\)/);
  });

  test("another problem keeps its type and detail", async () => {
    accountAnswer = { status: 400, headers: {}, body: { type: "urn:ietf:params:acme:error:invalidContact", detail: "contact email has an invalid domain" } };
    const acme = new AcmeServer({ directoryUrl: `${base}/dir`, accountKeyPem: await newAccountKey(), clock });
    const err = await acme.account("ops@invalid").catch((e: unknown) => e);
    assert.ok(err instanceof AcmeProblemError && !(err instanceof AcmeRateLimitError));
    assert.equal(err.problemType, "urn:ietf:params:acme:error:invalidContact");
    assert.match(err.message, /answered 400 invalidContact: contact email has an invalid domain/);
  });

  test("a server that is not there names the transport cause", async () => {
    const acme = new AcmeServer({ directoryUrl: "http://127.0.0.1:9/dir", accountKeyPem: await newAccountKey(), clock });
    await assert.rejects(acme.account(undefined), /ACME account registration failed: http:\/\/127\.0\.0\.1:9\/dir unreachable \(ECONNREFUSED\)/);
  });

  const retryAfter: Array<[string | undefined, string]> = [
    ["120", "2026-06-01T12:02:00.000Z"],
    ["Mon, 01 Jun 2026 13:00:00 GMT", "2026-06-01T13:00:00.000Z"],
    ["Mon, 01 Jun 2026 11:00:00 GMT", "2026-06-01T12:00:00.000Z"],
    [undefined, "2026-06-01T12:01:00.000Z"],
    ["soon", "2026-06-01T12:01:00.000Z"],
  ];
  for (const [header, expected] of retryAfter) test(`Retry-After ${header ?? "(absent)"} → ${expected}`, () => assert.equal(retryAfterTime(header, clock.now(), 60_000).toISOString(), expected));
});

describe("ACME Renewal Information", () => {
  test("the certificate id is base64url(AKI keyIdentifier).base64url(serial), and the window is read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sealbridge-ari-"));
    try {
      const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" }).toString();
      run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ari test CA"]);
      run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=www.example.test"]);
      writeFileSync(join(dir, "leaf.ext"), "authorityKeyIdentifier=keyid\nsubjectAltName=DNS:www.example.test\n");
      run(["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "0x87654321", "-out", "leaf.pem", "-days", "1", "-extfile", "leaf.ext"]);
      const leaf = readFileSync(join(dir, "leaf.pem"), "utf8");
      const aki = /keyid:([0-9A-F:]+)|([0-9A-F]{2}(?::[0-9A-F]{2}){19})/.exec(run(["x509", "-in", "leaf.pem", "-noout", "-ext", "authorityKeyIdentifier"]));
      const keyId = Buffer.from((aki?.[1] ?? aki?.[2] ?? "").replace(/:/g, ""), "hex").toString("base64url");
      // 0x87654321 has its high bit set: DER adds a leading zero byte.
      assert.equal(ariCertId(leaf), `${keyId}.${Buffer.from("0087654321", "hex").toString("base64url")}`);
      const acme = new AcmeServer({ directoryUrl: `${base}/dir`, accountKeyPem: await newAccountKey(), clock });
      const window = await renewalWindow(acme, leaf);
      assert.deepEqual(window, { start: new Date("2026-06-10T00:00:00Z"), end: new Date("2026-06-12T00:00:00Z"), explanationURL: "https://ca.example.test/why" });
      assert.equal(ariPath, `/ari/${ariCertId(leaf)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
