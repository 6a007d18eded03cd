// `--cert URL` that does not answer (issue 2, "Done means"): a server that accepts the connection
// but never replies must give a one-line RemoteError after the timeout, not hang; credentials in
// the URL are never printed.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fetchCertificateUrl } from "../../src/seal/cert-source.js";
import { RemoteError } from "../../src/errors.js";

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

describe("fetchCertificateUrl", () => {
  test("a server that accepts but never answers times out with one line naming the URL", async () => {
    const server = createServer(() => {
      // Never respond.
    });
    const port = await listen(server);
    try {
      const started = Date.now();
      await assert.rejects(fetchCertificateUrl(`http://user:CANARY-pw@127.0.0.1:${port}/v1/cert.pem?token=CANARY-q`, 200), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.message, `cannot fetch certificate: http://127.0.0.1:${port}/v1/cert.pem did not answer (ETIMEDOUT; check the URL, or pass --cert FILE)`);
        return true;
      });
      assert.ok(Date.now() - started < 3_000, "the timeout applies");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("a 2xx answer gives its body; a non-2xx answer is a RemoteError with the status", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/ok.pem") res.writeHead(200).end("PEM TEXT");
      else res.writeHead(503).end("CANARY-body");
    });
    const port = await listen(server);
    try {
      assert.deepEqual(await fetchCertificateUrl(`http://127.0.0.1:${port}/ok.pem`, 2_000), { pem: "PEM TEXT", source: `http://127.0.0.1:${port}/ok.pem` });
      await assert.rejects(fetchCertificateUrl(`http://127.0.0.1:${port}/down.pem`, 2_000), (err: unknown) => {
        assert.ok(err instanceof RemoteError);
        assert.match(err.message, /^cannot fetch certificate: http:\/\/127\.0\.0\.1:\d+\/down\.pem answered HTTP 503 \(/);
        assert.doesNotMatch(err.message, /CANARY/);
        return true;
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
