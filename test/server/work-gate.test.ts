import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WorkGate } from "../../src/server/work-gate.js";

describe("WorkGate", () => {
  test("runs jobs one at a time in order, each in its own macrotask", async () => {
    const gate = new WorkGate({ maxWaiting: 4 });
    const order: string[] = [];
    const jobs = [1, 2, 3].map((n) =>
      gate.run(() => {
        order.push(`job ${n}`);
        // Work queued as a macrotask while a job runs is served before the next job.
        setImmediate(() => order.push(`io after ${n}`));
        return n * 10;
      }),
    );
    assert.deepEqual(order, [], "nothing runs synchronously");
    assert.deepEqual(await Promise.all(jobs), [1, 2, 3].map((n) => ({ ok: true, value: n * 10 })));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, ["job 1", "io after 1", "job 2", "io after 2", "job 3", "io after 3"]);
  });

  test("refuses at once when maxWaiting jobs wait; a throwing job rejects and the gate goes on", async () => {
    const gate = new WorkGate({ maxWaiting: 2 });
    const first = gate.run(() => {
      throw new Error("bad job");
    });
    const second = gate.run(() => "b");
    const third = gate.run(() => "c");
    assert.deepEqual(await gate.run(() => "refused"), { ok: false, busy: true }, "one running and two waiting");
    await assert.rejects(first, /bad job/);
    assert.deepEqual(await Promise.all([second, third]), [{ ok: true, value: "b" }, { ok: true, value: "c" }]);
    assert.deepEqual(await gate.run(() => "d"), { ok: true, value: "d" });
  });
});
