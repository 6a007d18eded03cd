// Weakly typed request fields as Vault's framework decodes them (vault-api.md §1.4: "2" is an int,
// "true" a bool; durations as Go's time.ParseDuration or seconds) and Go-formatted output.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { boolField, durationField, formatDuration, intField, parseDuration, rfc3339, stringListField } from "./fields.js";

describe("fields", () => {
  test("durations: seconds, numeric strings, Go units", () => {
    const cases: [unknown, number | null][] = [
      [3600, 3600], ["3600", 3600], ["1h", 3600], ["1h30m", 5400], ["768h", 2764800], ["10s", 10], ["1.5h", 5400],
      ["", 0], ["1x", null], ["h", null], [true, null],
    ];
    for (const [input, want] of cases) assert.equal(parseDuration(input), want, JSON.stringify(input));
    assert.throws(() => durationField({ ttl: "soon" }, "ttl", 0), /Field validation failed/);
  });

  test("Go duration strings as Vault prints them", () => {
    assert.deepEqual([0, 59, 60, 3600, 12319].map(formatDuration), ["0s", "59s", "1m0s", "1h0m0s", "3h25m19s"]);
  });

  test("weak ints and bools; comma lists", () => {
    assert.equal(intField({ n: "2" }, "n", 0), 2);
    assert.equal(intField({}, "n", 7), 7);
    assert.throws(() => intField({ n: "two" }, "n", 0), /Field validation failed/);
    assert.equal(boolField({ b: "true" }, "b", false), true);
    assert.equal(boolField({ b: "0" }, "b", true), false);
    assert.throws(() => boolField({ b: "maybe" }, "b", false), /Field validation failed/);
    assert.deepEqual(stringListField({ p: "a, b,,c" }, "p"), ["a", "b", "c"]);
    assert.deepEqual(stringListField({ p: ["x"] }, "p"), ["x"]);
    assert.equal(stringListField({}, "p"), undefined);
  });

  test("RFC3339Nano trims trailing zeros like Go", () => {
    assert.equal(rfc3339(Date.parse("2024-05-01T10:00:00.100Z")), "2024-05-01T10:00:00.1Z");
    assert.equal(rfc3339(Date.parse("2024-05-01T10:00:00.000Z")), "2024-05-01T10:00:00Z");
  });
});
