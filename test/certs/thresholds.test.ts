import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatLimit, limitMs, parseLimit } from "../../src/certs/thresholds.js";
import { InputError } from "../../src/errors.js";

describe("parseLimit", () => {
  const table: Array<[string, unknown]> = [
    ["1/3", { fraction: 1 / 3 }],
    ["0.1", { fraction: 0.1 }],
    ["10%", { fraction: 0.1 }],
    ["1", { fraction: 1 }],
    ["28d", { durationMs: 28 * 86_400_000 }],
    ["14d12h", { durationMs: 14.5 * 86_400_000 }],
    ["720h", { durationMs: 720 * 3_600_000 }],
  ];
  for (const [text, want] of table) test(`${text}`, () => assert.deepEqual(parseLimit(text, "--warn"), want));
  for (const bad of ["", "3/2", "150%", "-1d", "soon", "1.5"]) {
    test(`rejects "${bad}" with a message naming the flag`, () =>
      assert.throws(() => parseLimit(bad, "--warn"), (e: unknown) => e instanceof InputError && /--warn/.test(e.message) && /1\/3/.test(e.message)));
  }
  test("limitMs of a fraction scales with the lifetime", () => {
    assert.equal(limitMs({ fraction: 1 / 3 }, 90 * 86_400_000), 30 * 86_400_000);
    assert.equal(limitMs({ durationMs: 5 }, 1e12), 5);
  });
  test("property: formatLimit round-trips through parseLimit", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 100 }).map((p) => ({ fraction: p / 100 })), fc.integer({ min: 0, max: 3650 }).map((d) => ({ durationMs: d * 86_400_000 }))), (limit) => {
        const back = parseLimit(formatLimit(limit), "x");
        if ("fraction" in limit) return "fraction" in back && Math.abs(back.fraction - limit.fraction) < 1e-9;
        return "durationMs" in back && back.durationMs === limit.durationMs;
      }),
    );
  });
  test("property: parseLimit never throws anything but InputError", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseLimit(s, "x");
        } catch (e) {
          return e instanceof InputError;
        }
        return true;
      }),
    );
  });
});
