import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { extractMap, goJson, propertyValue } from "../../src/eso/property.js";

const data = {
  database_url: "postgres://u:p@db/app",
  port: 5432,
  ratio: 1.5,
  enabled: true,
  nothing: null,
  "a.b": "literal dotted key",
  a: { b: "nested", c: { d: [1, 2, { e: "deep" }] } },
  list: ["x", "y"],
  html: "<a&b>",
};

describe("propertyValue", () => {
  const cases: Array<[string | undefined, string | null]> = [
    ["database_url", "postgres://u:p@db/app"],
    ["port", "5432"],
    ["ratio", "1.5"],
    ["enabled", "true"],
    ["nothing", ""],
    ["a.b", "literal dotted key"], // exact top-level key wins over the gjson path
    ["a.c.d.2.e", "deep"],
    ["a.c.d.#", "3"],
    ["list.1", "y"],
    ["a\\.b", "literal dotted key"],
    ["a.c", '{"d":[1,2,{"e":"deep"}]}'],
    ["a.c*", '{"d":[1,2,{"e":"deep"}]}'],
    ["missing", null],
    ["a.zzz", null],
    ["list.9", null],
  ];
  for (const [property, want] of cases) {
    test(`property ${property} -> ${want}`, () => {
      const got = propertyValue(data, property);
      assert.equal(got === null ? null : got.toString("utf8"), want);
    });
  }

  test("no property gives the whole data as Go-style JSON (sorted keys, HTML escaped)", () => {
    const got = propertyValue({ b: "1", a: "<x>" }, undefined)?.toString("utf8");
    assert.equal(got, '{"a":"\\u003cx\\u003e","b":"1"}');
  });

  test("a top-level object value is JSON-encoded like ESO", () => {
    assert.equal(propertyValue(data, "a")?.toString("utf8"), '{"b":"nested","c":{"d":[1,2,{"e":"deep"}]}}');
  });

  test("gjson modifiers are a clear error", () => {
    assert.throws(() => propertyValue(data, "list|@reverse"), /unsupported property syntax/);
  });
});

describe("extractMap", () => {
  test("whole secret: each key becomes a Secret key, non-strings JSON-encoded", () => {
    const map = extractMap({ user: "admin", port: 5432, obj: { k: "v" } }, undefined, "here");
    assert.deepEqual(
      Object.fromEntries([...(map ?? new Map())].map(([k, v]) => [k, v.toString()])),
      { user: "admin", port: "5432", obj: '{"k":"v"}' },
    );
  });
  test("nested property holding an object", () => {
    const map = extractMap({ foo: { nested: { x: "1", y: "2" } } }, "foo.nested", "here");
    assert.deepEqual([...(map ?? new Map()).keys()], ["x", "y"]);
  });
  test("a property holding a non-JSON value is a clear error that names the place, not the value", () => {
    assert.throws(
      () => extractMap({ token: "s3cr3t-canary" }, "token", "store s, key k"),
      (err: Error) => /not a JSON object: store s, key k/.test(err.message) && !err.message.includes("s3cr3t-canary"),
    );
  });
  test("missing property gives null", () => {
    assert.equal(extractMap({ a: "1" }, "b.c", "here"), null);
  });
});

test("goJson matches Go for nested values", () => {
  assert.equal(goJson({ z: [true, null, 1], a: { y: "&", x: "\u2028" } }), '{"a":{"x":"\\u2028","y":"\\u0026"},"z":[true,null,1]}');
});
