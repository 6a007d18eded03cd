import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../src/duration.js";
import { InputError } from "../src/errors.js";

describe("parseDuration", () => {
  const valid: Array<[string, number]> = [
    ["0", 0],
    ["0s", 0],
    ["10s", 10_000],
    ["1h30m", 5_400_000],
    ["720h", 2_592_000_000],
    ["1.5s", 1500],
    [".5m", 30_000],
    ["250ms", 250],
    ["1m1s1ms", 61_001],
    ["+5s", 5000],
    ["1000us", 1],
    ["2000000ns", 2],
    ["1h0m0s", 3_600_000],
  ];
  for (const [text, ms] of valid) {
    test(`${text} → ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  const invalid = ["", "5", "1d", "-1s", "1h 30m", "s", "1.2.3s", "10S", "abc", "1hm"];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDuration(text, "--resync-period"), (err: unknown) => {
        assert.ok(err instanceof InputError);
        assert.match(err.message, /--resync-period/);
        assert.match(err.message, /Go syntax/);
        return true;
      });
    });
  }
});

describe("formatDuration", () => {
  const cases: Array<[number, string]> = [
    [0, "0s"],
    [250, "250ms"],
    [10_000, "10s"],
    [5_400_000, "1h30m0s"],
    [61_500, "1m1.5s"],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} → ${text}`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text), ms);
    });
  }
});
