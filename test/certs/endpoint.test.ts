import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer as createNetServer } from "node:net";
import { createServer, type Server } from "node:tls";
import { fetchServedChain, parseHostPort } from "../../src/certs/endpoint.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../support/openssl-certs.js";

describe("parseHostPort", () => {
  const table: Array<[string, { host: string; port: number } | null]> = [
    ["www.example.test:443", { host: "www.example.test", port: 443 }],
    ["127.0.0.1:8443", { host: "127.0.0.1", port: 8443 }],
    ["[::1]:443", { host: "::1", port: 443 }],
    ["www.example.test", null],
    ["::1:443", null],
    ["host:0", null],
    ["host:70000", null],
  ];
  for (const [text, want] of table) test(text, () => assert.deepEqual(parseHostPort(text), want));
});

describe("fetchServedChain", () => {
  let ca: TestCa;
  let leaf: TestLeaf;
  let server: Server;
  let port: number;
  const sni: string[] = [];
  before(async () => {
    ca = opensslCa();
    leaf = opensslLeaf(ca, ["www.example.test"], new Date(Date.now() - 86_400_000), new Date(Date.now() + 30 * 86_400_000));
    server = createServer({ key: leaf.keyPem, cert: leaf.certPem + ca.certPem, SNICallback: (name, cb) => (sni.push(name), cb(null, undefined)) });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    server.close();
    ca.dispose();
  });
  test("sends SNI and returns the served chain leaf first, trusted against the given bundle", async () => {
    const r = await fetchServedChain({ host: "127.0.0.1", port, serverName: "www.example.test", caPem: ca.certPem });
    assert.ok(r.ok);
    assert.deepEqual(sni, ["www.example.test"]);
    assert.equal(r.chain.length, 2);
    assert.match(r.chain[0]?.subject ?? "", /CN=www\.example\.test/);
    assert.equal(r.authorizationError, undefined);
    assert.match(r.pem, /^-----BEGIN CERTIFICATE-----/);
  });
  test("without the bundle the verdict is OpenSSL's error, not an exception", async () => {
    const r = await fetchServedChain({ host: "127.0.0.1", port, serverName: "www.example.test" });
    assert.ok(r.ok);
    assert.ok(r.authorizationError);
  });
  test("a closed port and a non-TLS server are messages", async () => {
    const closed = await fetchServedChain({ host: "127.0.0.1", port: 1 });
    assert.deepEqual(closed, { ok: false, message: "127.0.0.1:1 unreachable: ECONNREFUSED (check the host and port, and that it speaks TLS)" });
    const plain = createNetServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    try {
      const r = await fetchServedChain({ host: "127.0.0.1", port: (plain.address() as { port: number }).port });
      assert.equal(r.ok, false);
      assert.match(r.ok ? "" : r.message, /^127\.0\.0\.1:\d+ unreachable: \S+ \(check the host and port, and that it speaks TLS\)$/);
    } finally {
      plain.close();
    }
  });
});
