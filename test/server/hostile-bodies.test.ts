/**
 * Issue 8, "two requests crash the controller": concurrent POSTs of a 3.8 MB nesting bomb
 * (`[[[…]]]`, under the 4 MiB body limit) to `/v1/rotate` and `/v1/verify` of a running
 * `sealbridge controller` are refused with 400, the process stays up, and `/healthz` answers
 * within a second throughout (the one timing assertion the issue asks for: an unblocked event
 * loop answers in milliseconds, a blocked one took 16 s).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { performance } from "node:perf_hooks";
import { X509Certificate } from "node:crypto";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { startController, waitFor } from "../support/controller-process.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { opensslKey, keySecret } from "../support/openssl-keys.js";
import { clusterFixture } from "../controller/support/controller-fixtures.js";
import type { ClusterFixture } from "../controller/support/controller-fixtures.js";

const LIVENESS_BUDGET_MS = 1000;

/** One request with node:http (a prepared Buffer body costs the sender next to no CPU, unlike fetch). */
function call(port: number, method: string, path: string, body?: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: body ? { "content-length": body.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer in 60 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

describe("hostile request bodies (issue 8)", { timeout: 120_000 }, () => {
  let f: ClusterFixture;
  let controller: ControllerProcess | undefined;
  const key = opensslKey();

  before(async () => {
    f = await clusterFixture({ namespaces: ["sealbridge"] });
    await f.apply([keySecret("sealed-secrets-keyhostile", key)]);
    controller = await startController(f.ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
  });
  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("concurrent 3.8 MB nesting bombs get 400, the process lives, /healthz answers within 1 s throughout", async (t) => {
    const port = controller!.port;
    await waitFor("the sealing key", async () => (await call(port, "GET", "/v1/cert.pem")).status === 200, 30_000);
    const bomb = Buffer.from(`${"[".repeat(1_900_000)}${"]".repeat(1_900_000)}`);
    assert.ok(bomb.length > 3_700_000 && bomb.length < 4 * 1024 * 1024);

    let posting = true;
    const latencies: number[] = [];
    const probe = (async () => {
      while (posting) {
        const started = performance.now();
        const res = await call(port, "GET", "/healthz");
        latencies.push(performance.now() - started);
        assert.equal(res.status, 200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const answers: Array<{ path: string; status: number; body: string }> = [];
    try {
      for (let round = 0; round < 3; round++) {
        const posts = ["/v1/rotate", "/v1/rotate", "/v1/rotate", "/v1/verify", "/v1/verify", "/v1/verify"].map(async (path) => {
          const res = await call(port, "POST", path, bomb);
          answers.push({ path, ...res });
        });
        await Promise.all(posts);
      }
    } finally {
      posting = false;
      await probe;
    }

    assert.equal(controller!.child.exitCode, null, `the controller is still running:\n${controller!.output().slice(-2000)}`);
    for (const a of answers) {
      // /v1/verify is rate limited (2/s, burst 2) before the body is parsed: 429 or the same 400.
      if (a.path === "/v1/verify" && a.status === 429) continue;
      assert.equal(a.status, 400, `${a.path}: ${a.body}`);
      assert.match(a.body, /nests deeper than 64 levels/);
    }
    assert.ok(answers.filter((a) => a.status === 400).length >= 9, JSON.stringify(answers.map((a) => a.status)));
    assert.ok(latencies.length >= 3, `probed /healthz ${latencies.length} times`);
    const worst = Math.max(...latencies);
    t.diagnostic(`/healthz: ${latencies.length} probes, worst ${Math.round(worst)} ms`);
    assert.ok(worst < LIVENESS_BUDGET_MS, `/healthz took ${Math.round(worst)} ms at worst (latencies ${latencies.map(Math.round).join(", ")})`);

    // And the endpoint still serves a genuine request afterwards.
    const value = hybridEncrypt(new X509Certificate(key.certificatePem).publicKey, "demo/db", Buffer.from("v")).toString("base64");
    const ss = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "db", namespace: "demo" }, spec: { encryptedData: { password: value } } };
    const rotated = await call(port, "POST", "/v1/rotate", Buffer.from(JSON.stringify(ss)));
    assert.equal(rotated.status, 200, rotated.body);
  });
});
