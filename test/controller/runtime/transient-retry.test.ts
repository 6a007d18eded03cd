import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { retryDelay, retryTransient } from "../../../src/controller/runtime/transient-retry.js";
import { KubeApiError } from "../../../src/kube/errors.js";
import { RemoteError } from "../../../src/errors.js";
import { ManualTimers } from "./manual-timers.js";

const target = { verb: "list", resource: "secrets", namespace: "sealbridge" };
const apiError = (status: number | undefined, retryAfterMs?: number) =>
  new KubeApiError(target, status, status === undefined ? "ECONNREFUSED" : "Failing", "", retryAfterMs !== undefined ? { retryAfterMs } : {});
/** As the key store wraps it. */
const wrapped = (cause: unknown) => new RemoteError("listing sealing key Secrets failed: namespace sealbridge (check …)", { cause });
const POLICY = { baseMs: 100, capMs: 1000, factor: 2, jitter: 0 };

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("retryTransient", () => {
  test("retries 500, 503, 429 and no answer with backoff, waiting at least Retry-After; then succeeds", async () => {
    const timers = new ManualTimers();
    const failures = [wrapped(apiError(500)), wrapped(apiError(503)), wrapped(apiError(429, 1000)), apiError(undefined)];
    const waits: number[] = [];
    let calls = 0;
    const done = retryTransient(
      async () => {
        calls += 1;
        const failure = failures.shift();
        if (failure) throw failure;
        return "loaded";
      },
      { timers, signal: new AbortController().signal, backoff: POLICY, onRetry: (_err, _n, ms) => waits.push(ms) },
    );
    for (let i = 0; i < 10 && calls < 5; i++) {
      await settle();
      timers.advance(1000);
    }
    assert.equal(await done, "loaded");
    assert.equal(calls, 5);
    assert.deepEqual(waits, [100, 200, 1000, 800], "backoff doubles; the 429's Retry-After (1 s) wins over 400 ms");
  });

  test("a non-transient failure (403, not an API error) is thrown at once; abort ends the retries with the last error", async () => {
    const timers = new ManualTimers();
    await assert.rejects(
      retryTransient(async () => Promise.reject(wrapped(apiError(403))), { timers, signal: new AbortController().signal }),
      /listing sealing key Secrets failed/,
    );
    await assert.rejects(retryTransient(async () => Promise.reject(new Error("bug")), { timers, signal: new AbortController().signal }), /bug/);
    const abort = new AbortController();
    const retrying = retryTransient(async () => Promise.reject(apiError(503)), { timers, signal: abort.signal, backoff: POLICY });
    await settle();
    abort.abort();
    await assert.rejects(retrying, (err: unknown) => err instanceof KubeApiError && err.status === 503);
  });

  test("retryDelay: the longer of backoff and Retry-After", () => {
    assert.equal(retryDelay(apiError(429, 5000), 1, POLICY, () => 0), 5000);
    assert.equal(retryDelay(apiError(429, 50), 3, POLICY, () => 0), 400);
    assert.equal(retryDelay(new Error("x"), 20, POLICY, () => 0), 1000);
  });
});
