import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { checkSecret } from "../../src/api/secret-check.js";
import { secretSchema } from "../../src/api/secret.js";

const cases: Array<[string, unknown]> = [
  ["minimal", { apiVersion: "v1", kind: "Secret" }],
  ["full", { apiVersion: "v1", kind: "Secret", metadata: { name: "a", namespace: "b", labels: { x: "y" }, annotations: { p: "q" }, uid: "u" }, type: "Opaque", immutable: true, data: { k: "aGk=" }, stringData: { s: "t" }, extra: 1 }],
  ["null data", { apiVersion: "v1", kind: "Secret", data: null, stringData: null }],
  ["wrong apiVersion", { apiVersion: "v2", kind: "Secret" }],
  ["wrong kind", { apiVersion: "v1", kind: "ConfigMap" }],
  ["not an object", "Secret"],
  ["array", []],
  ["metadata not object", { apiVersion: "v1", kind: "Secret", metadata: "x" }],
  ["empty name", { apiVersion: "v1", kind: "Secret", metadata: { name: "" } }],
  ["numeric label", { apiVersion: "v1", kind: "Secret", metadata: { labels: { a: 1 } } }],
  ["annotations array", { apiVersion: "v1", kind: "Secret", metadata: { annotations: ["a"] } }],
  ["data not base64", { apiVersion: "v1", kind: "Secret", data: { k: "not base64!" } }],
  ["data number", { apiVersion: "v1", kind: "Secret", data: { k: 5 } }],
  ["stringData number", { apiVersion: "v1", kind: "Secret", stringData: { k: 5 } }],
  ["immutable string", { apiVersion: "v1", kind: "Secret", immutable: "true" }],
  ["empty type", { apiVersion: "v1", kind: "Secret", type: "" }],
];

describe("checkSecret agrees with secretSchema", () => {
  for (const [name, value] of cases) {
    test(name, () => assert.equal(checkSecret(value) === null, secretSchema.safeParse(value).success, JSON.stringify(checkSecret(value))));
  }

  test("property: same verdict on random Secret-like objects", () => {
    const str = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("aGk=", "", "x!", "YQ=="));
    const val = fc.oneof(str, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
    const map = fc.oneof(fc.dictionary(fc.string({ maxLength: 3 }), val, { maxKeys: 3 }), val);
    const secretLike = fc.record(
      {
        apiVersion: fc.constantFrom("v1", "v2"),
        kind: fc.constantFrom("Secret", "Other"),
        metadata: fc.oneof(fc.record({ name: val, namespace: val, labels: map, annotations: map }, { requiredKeys: [] }), val),
        type: val,
        immutable: val,
        data: map,
        stringData: map,
      },
      { requiredKeys: ["apiVersion", "kind"] },
    );
    fc.assert(
      fc.property(secretLike, (value) => {
        const json = JSON.parse(JSON.stringify(value)) as unknown; // manifests come from YAML/JSON: no undefined
        assert.equal(checkSecret(json) === null, secretSchema.safeParse(json).success);
      }),
      { numRuns: 500 },
    );
  });
});
