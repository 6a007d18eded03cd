/**
 * jsonEqual decides exactly what comparing canonicalJson strings decides (the status diff and
 * the child-write skip rely on it), without building the strings: table cases for JSON's own
 * rules (undefined keys left out, undefined array items as null, key order) and a property over
 * arbitrary JSON-like values, including pairs built to be equal with their keys reordered.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { canonicalJson, jsonEqual } from "../../../src/controller/runtime/json-compare.js";

/** The same value with every object's keys in reverse order. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)]));
  return v;
}

const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double()),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "c", "type"), tie("node"), { maxKeys: 3 })),
})).node;

describe("jsonEqual", () => {
  const table: Array<[string, unknown, unknown, boolean]> = [
    ["same object, other key order", { a: 1, b: { c: [1, 2], d: "x" } }, { b: { d: "x", c: [1, 2] }, a: 1 }, true],
    ["an undefined key is left out", { a: 1, b: undefined }, { a: 1 }, true],
    ["an undefined array item is null", [undefined, 1], [null, 1], true],
    ["a changed value", { a: 1 }, { a: 2 }, false],
    ["a missing key", { a: 1, b: 2 }, { a: 1 }, false],
    ["an extra key", { a: 1 }, { a: 1, b: null }, false],
    ["array order matters", [1, 2], [2, 1], false],
    ["array length", [1], [1, 1], false],
    ["array vs object", [], {}, false],
    ["number vs string", 1, "1", false],
    ["a Date is its JSON", { t: new Date(0) }, { t: "1970-01-01T00:00:00.000Z" }, true],
    ["non-finite numbers are null", [NaN, Infinity], [null, null], true],
  ];
  for (const [name, a, b, equal] of table) {
    test(name, () => {
      assert.equal(jsonEqual(a, b), equal);
      assert.equal(jsonEqual(a, b), canonicalJson(a) === canonicalJson(b), "agrees with canonicalJson");
    });
  }

  test("agrees with comparing canonicalJson strings (property)", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        assert.equal(jsonEqual(a, b), canonicalJson(a) === canonicalJson(b));
        assert.equal(jsonEqual(a, reordered(a)), true);
        assert.equal(jsonEqual(b, reordered(a)), canonicalJson(b) === canonicalJson(a));
      }),
      { numRuns: 2_000 },
    );
  });
});
