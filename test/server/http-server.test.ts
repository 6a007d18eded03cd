import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { HttpServer } from "../../src/server/http-server.js";
import { addMetricsRoute, createControllerMetrics } from "../../src/server/metrics.js";

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: body ? { "content-length": Buffer.byteLength(body) } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("HttpServer", () => {
  test("probes, routes, 404/405, body limit, handler failure", async () => {
    const server = new HttpServer({ maxBodyBytes: 16 });
    const unset = await server.listen({ host: "127.0.0.1", port: 0 });
    assert.deepEqual(await call(unset.port, "GET", "/readyz").then((r) => [r.status, r.body]), [503, "starting\n"], "not ready before the owner sets readiness");
    await server.close();
    let ready = false;
    server.setReadiness(() => ({ ok: ready, reason: ready ? "ok" : "caches not synced: secrets" }));
    server.addRoute("POST", "/v1/verify", async (req) => ({ status: 200, headers: { "content-type": "text/plain" }, body: `got ${req.body.length} ${req.query.get("x")}` }));
    server.addRoute("GET", "/boom", async () => {
      throw new Error("secret-bearing internal detail");
    });
    assert.throws(() => server.addRoute("POST", "/v1/verify", async () => ({ status: 200, body: "" })), /twice/);
    const { port, host } = await server.listen({ host: "127.0.0.1", port: 0 });
    try {
      assert.equal(host, "127.0.0.1");
      assert.equal((await call(port, "GET", "/healthz")).status, 200);
      const notReady = await call(port, "GET", "/readyz");
      assert.equal(notReady.status, 503);
      assert.match(notReady.body, /caches not synced/);
      ready = true;
      assert.equal((await call(port, "GET", "/readyz")).status, 200);
      const ok = await call(port, "POST", "/v1/verify?x=1", "hello");
      assert.deepEqual([ok.status, ok.body], [200, "got 5 1"]);
      assert.equal((await call(port, "GET", "/v1/verify")).status, 405);
      assert.equal((await call(port, "GET", "/nope")).status, 404);
      assert.equal((await call(port, "POST", "/v1/verify", "x".repeat(100))).status, 413);
      const boom = await call(port, "GET", "/boom");
      assert.equal(boom.status, 500);
      assert.doesNotMatch(boom.body, /secret-bearing/);
      const head = await call(port, "HEAD", "/healthz");
      assert.deepEqual([head.status, head.body], [200, ""]);
    } finally {
      await server.close();
    }
  });

  test("bodies buffered at once stay within maxBufferedBytes: beyond it 503 with Retry-After, freed when the handler answers", async () => {
    const server = new HttpServer({ maxBodyBytes: 1000, maxBufferedBytes: 1500 });
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    let entered: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    let calls = 0;
    server.addRoute("POST", "/v1/rotate", async (req) => {
      calls += 1;
      if (calls === 1) {
        entered();
        await blocked;
      }
      return { status: 200, body: `got ${req.body.length}` };
    });
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    try {
      const first = call(port, "POST", "/v1/rotate", "a".repeat(1000));
      await inHandler;
      const second = await call(port, "POST", "/v1/rotate", "b".repeat(1000));
      assert.equal(second.status, 503);
      assert.equal(second.headers["retry-after"], "1");
      assert.equal((await call(port, "POST", "/v1/rotate", "c".repeat(400))).status, 200, "what fits in the budget is served");
      unblock();
      assert.deepEqual([(await first).status, (await first).body], [200, "got 1000"]);
      assert.deepEqual((await call(port, "POST", "/v1/rotate", "d".repeat(1000))).body, "got 1000", "the budget is free again");
      assert.equal(calls, 3);
    } finally {
      await server.close();
    }
  });

  test("/metrics serves the sealbridge metrics", async () => {
    const server = new HttpServer();
    const metrics = createControllerMetrics({ defaults: true });
    addMetricsRoute(server, metrics);
    metrics.reconcileTotal.inc({ kind: "sealedsecret", result: "success" });
    metrics.reconcileErrors.inc({ kind: "sealedsecret", reason: "DecryptFailed" });
    metrics.reconcileDuration.observe({ kind: "sealedsecret" }, 0.02);
    metrics.queueDepth.set({ kind: "sealedsecret" }, 3);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    try {
      const res = await call(port, "GET", "/metrics");
      assert.equal(res.status, 200);
      assert.match(String(res.headers["content-type"]), /text\/plain/);
      assert.match(res.body, /sealbridge_reconcile_total\{kind="sealedsecret",result="success"\} 1/);
      assert.match(res.body, /sealbridge_reconcile_errors_total\{kind="sealedsecret",reason="DecryptFailed"\} 1/);
      assert.match(res.body, /sealbridge_reconcile_duration_seconds_bucket\{le="0.025",kind="sealedsecret"\} 1/);
      assert.match(res.body, /sealbridge_workqueue_depth\{kind="sealedsecret"\} 3/);
      assert.match(res.body, /process_cpu_user_seconds_total/);
    } finally {
      await server.close();
    }
  });
});
