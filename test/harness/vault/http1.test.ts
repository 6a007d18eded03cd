// The hand-written HTTP/1.1 layer (Node's parser rejects Vault's LIST method): requests split at
// arbitrary byte boundaries, pipelined, with Content-Length or chunked bodies, all answered in order.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import fc from "fast-check";
import { listenRaw } from "./http1.js";
import type { RawServer } from "./http1.js";

/** Sends `payload` in the given chunk sizes and collects everything until the server closes. */
function exchange(port: number, payload: Buffer, sizes: number[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", async () => {
      let pos = 0;
      let i = 0;
      while (pos < payload.length) {
        const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
        s.write(payload.subarray(pos, pos + n));
        pos += n;
        await new Promise((r) => setImmediate(r));
      }
    });
    let got = "";
    s.on("data", (d) => (got += d.toString("utf8")));
    s.on("end", () => resolve(got));
    s.on("error", reject);
  });
}

describe("http1", () => {
  let server: RawServer;
  before(async () => {
    server = await listenRaw(0, async (req) => ({
      status: 200,
      headers: { "Content-Type": "text/plain" },
      body: `${req.method} ${req.target} ${req.body.toString("utf8")}|`,
    }), 1024 * 1024);
  });
  after(async () => {
    await server.close();
  });

  test("pipelined requests split anywhere are parsed and answered in order", async () => {
    const request = fc.record({
      method: fc.constantFrom("GET", "LIST", "POST", "PUT", "DELETE"),
      path: fc.stringMatching(/^\/v1\/[a-z0-9/]{0,20}$/),
      body: fc.string({ maxLength: 300 }),
      chunked: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), async (reqs, sizes) => {
        const parts = reqs.map((r, i) => {
          const last = i === reqs.length - 1 ? "Connection: close\r\n" : "";
          const body = Buffer.from(r.body, "utf8");
          if (r.chunked && body.length > 0) {
            const half = Math.floor(body.length / 2);
            const chunks = [body.subarray(0, half), body.subarray(half)].filter((c) => c.length > 0);
            const encoded = Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from("\r\n")]), Buffer.from("0\r\n\r\n")]);
            return Buffer.concat([Buffer.from(`${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n${last}\r\n`), encoded]);
          }
          return Buffer.concat([Buffer.from(`${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n${last}\r\n`), body]);
        });
        const got = await exchange(server.port, Buffer.concat(parts), sizes);
        const bodies = got.split(/HTTP\/1\.1 200 OK\r\n[\s\S]*?\r\n\r\n/).filter((b) => b !== "");
        assert.deepEqual(bodies, reqs.map((r) => `${r.method} ${r.path} ${r.body}|`));
      }),
      { numRuns: 40 },
    );
  });

  test("a malformed request line is answered 400 and the connection closed", async () => {
    const got = await exchange(server.port, Buffer.from("NOT A REQUEST\r\n\r\n"), [100]);
    assert.match(got, /^HTTP\/1\.1 400 /);
  });
});
