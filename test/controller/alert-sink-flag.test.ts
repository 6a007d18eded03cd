import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseControllerConfig } from "../../src/controller/config.js";
import { InputError } from "../../src/errors.js";

const base = { env: {}, hostname: "node-1", randomSuffix: "abcd" };

describe("controller --alert-sink", () => {
  test("none by default; repeatable", () => {
    assert.deepEqual(parseControllerConfig({ ...base, flags: {} }).alertSinks, []);
    assert.deepEqual(parseControllerConfig({ ...base, flags: { alertSink: ["alertmanager=http://am:9093", "ntfy=https://ntfy.sh/certs"] } }).alertSinks, [
      { alertmanager: { url: "http://am:9093" } },
      { ntfy: { url: "https://ntfy.sh", topic: "certs" } },
    ]);
  });
  test("a bad value fails at start-up with the flag named", () => {
    assert.throws(
      () => parseControllerConfig({ ...base, flags: { alertSink: ["pager=http://x"] } }),
      (e: unknown) => e instanceof InputError && /--alert-sink/.test(e.message) && /unknown sink type "pager"/.test(e.message),
    );
  });
});
