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
import { Worker } from "node:worker_threads";
import { X509Certificate } from "node:crypto";
import { hybridEncrypt } from "../../src/crypto/hybrid-encryption.js";
import { startController, waitFor } from "../support/controller-process.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { opensslKey, keySecret } from "../support/openssl-keys.js";
import { clusterFixture } from "../controller/support/controller-fixtures.js";
import type { ClusterFixture } from "../controller/support/controller-fixtures.js";

const LIVENESS_BUDGET_MS = 1000;

/** A /healthz prober (plain JS for a worker thread): one GET at a time, posting each latency until told to stop. */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
const { request } = require("node:http");
const { performance } = require("node:perf_hooks");
let stopping = false;
parentPort.on("message", () => (stopping = true));
function once() {
  const started = performance.now();
  const req = request({ host: "127.0.0.1", port: workerData.port, path: "/healthz", agent: false }, (res) => {
    res.resume();
    res.on("end", () => {
      parentPort.postMessage({ ms: performance.now() - started, status: res.statusCode });
      next();
    });
  });
  req.setTimeout(30000, () => req.destroy(new Error("no answer in 30 s")));
  req.on("error", (err) => {
    parentPort.postMessage({ ms: performance.now() - started, error: err.message });
    next();
  });
  req.end();
}
function next() {
  if (stopping) process.exit(0);
  setTimeout(once, 10);
}
once();
`;

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
    // Start-up done (keys loaded, caches synced, decrypt workers up), so what follows measures the bombs alone.
    await waitFor("ready", async () => (await call(port, "GET", "/readyz")).status === 200, 60_000);
    const genuine = (): Buffer => {
      const value = hybridEncrypt(new X509Certificate(key.certificatePem).publicKey, "demo/db", Buffer.from("v")).toString("base64");
      return Buffer.from(JSON.stringify({ apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret", metadata: { name: "db", namespace: "demo" }, spec: { encryptedData: { password: value } } }));
    };
    assert.equal((await call(port, "POST", "/v1/rotate", genuine())).status, 200);
    const bomb = Buffer.from(`${"[".repeat(1_900_000)}${"]".repeat(1_900_000)}`);
    assert.ok(bomb.length > 3_700_000 && bomb.length < 4 * 1024 * 1024);

    // The probe runs on its own thread, as a kubelet probes from outside: what the sender does on
    // the test's main thread does not delay it, so the latencies are the controller's.
    const probe = new Worker(PROBE, { eval: true, workerData: { port } });
    const latencies: number[] = [];
    const probeFailures: string[] = [];
    probe.on("message", (m: { ms?: number; status?: number; error?: string }) => {
      if (m.error !== undefined || m.status !== 200) probeFailures.push(m.error ?? `status ${m.status}`);
      if (m.ms !== undefined) latencies.push(m.ms);
    });
    const probeDone = new Promise<void>((resolve) => probe.once("exit", () => resolve()));
    const answers: Array<{ path: string; status: number; body: string }> = [];
    try {
      for (let round = 0; round < 5; round++) {
        const posts = ["/v1/rotate", "/v1/rotate", "/v1/rotate", "/v1/verify", "/v1/verify", "/v1/verify"].map(async (path) => {
          const res = await call(port, "POST", path, bomb);
          answers.push({ path, ...res });
        });
        await Promise.all(posts);
      }
    } finally {
      probe.postMessage("stop");
      await probeDone;
    }
    assert.deepEqual(probeFailures, [], "every /healthz probe answered 200");

    assert.equal(controller!.child.exitCode, null, `the controller is still running:\n${controller!.output().slice(-2000)}`);
    for (const a of answers) {
      // /v1/verify is rate limited (2/s, burst 2) before the body is parsed: 429 or the same 400.
      if (a.path === "/v1/verify" && a.status === 429) continue;
      assert.equal(a.status, 400, `${a.path}: ${a.body}`);
      assert.match(a.body, /nests deeper than 64 levels/);
    }
    assert.ok(answers.filter((a) => a.status === 400).length >= 15, JSON.stringify(answers.map((a) => a.status)));
    assert.ok(latencies.length >= 3, `probed /healthz ${latencies.length} times`);
    const worst = Math.max(...latencies);
    t.diagnostic(`/healthz: ${latencies.length} probes, worst ${Math.round(worst)} ms`);
    assert.ok(worst < LIVENESS_BUDGET_MS, `/healthz took ${Math.round(worst)} ms at worst (latencies ${latencies.map(Math.round).join(", ")})`);

    // And the endpoint still serves a genuine request afterwards.
    const rotated = await call(port, "POST", "/v1/rotate", genuine());
    assert.equal(rotated.status, 200, rotated.body);
  });
});
