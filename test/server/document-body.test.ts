import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { parseDocumentBody } from "../../src/server/document-body.js";

const body = (text: string): Buffer => Buffer.from(text, "utf8");

function depthOf(value: unknown): number {
  // Iterative, as the values under test may be deep.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    max = Math.max(max, d + 1);
    for (const child of Object.values(v as Record<string, unknown>)) stack.push([child, d + 1]);
  }
  return max;
}

const SEALED_YAML = `apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: db   # a comment with [[[ brackets
  namespace: prod
  annotations:
    note: "it's [not] nested \\" [[["
    other: 'single ''quoted'' [[['
    plain: it's [fine]
spec:
  encryptedData:
    password: AgBy3i4OJSWK+PiTySYZZA==
  template:
    metadata:
      labels:
        - - - deep: enough
`;

describe("parseDocumentBody", () => {
  test("JSON and YAML documents parse as JSON.parse and the yaml parser do", () => {
    const json = { apiVersion: "v1", spec: { encryptedData: { a: "b[{" }, list: [[1], { x: [] }] } };
    assert.deepEqual(parseDocumentBody(body(`  \n${JSON.stringify(json)}`)), { ok: true, doc: json });
    assert.deepEqual(parseDocumentBody(body(SEALED_YAML)), { ok: true, doc: parseYaml(SEALED_YAML) });
    // YAML flow syntax that is not JSON falls back to the YAML parser.
    assert.deepEqual(parseDocumentBody(body("{a: [1, 2]}")), { ok: true, doc: { a: [1, 2] } });
  });

  test("the 3.8 MB nesting bomb of issue 8 is refused with 400 before any parser sees it", () => {
    const bomb = body(`${"[".repeat(1_900_000)}${"]".repeat(1_900_000)}`);
    const result = parseDocumentBody(bomb);
    assert.deepEqual(result, { ok: false, status: 400, message: "the document nests deeper than 64 levels (at byte 64) (send one SealedSecret)" });
    assert.equal(parseDocumentBody(body(`{"a":${"{\"a\":".repeat(70)}1${"}".repeat(71)}`)).ok, false);
  });

  const refused: Array<[string, string, RegExp]> = [
    ["YAML flow nesting", `a: ${"[".repeat(65)}`, /nests deeper than 64 levels/],
    ["brackets hidden behind a quote inside a plain scalar", `a: it's ${"[".repeat(65)}`, /nests deeper than 64 levels/],
    ["deep block indentation", `${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")}\n`, /indented more than 256 columns/],
    ["compact nested block sequences", `${"- ".repeat(200)}x\n`, /indented more than 256 columns/],
    ["a YAML body over the YAML cap", `a: ${"x".repeat(2 * 1024 * 1024)}\n`, /YAML body over 1048576 bytes .*send it as JSON/],
    ["not a document", "a: [", /not JSON or YAML/],
    ["invalid JSON", "{\"a\": [1,}", /not JSON or YAML/],
    ["an alias bomb", `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`, /not JSON or YAML/],
  ];
  for (const [what, text, message] of refused) {
    test(`refused: ${what}`, () => {
      const result = parseDocumentBody(body(text));
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.match(result.message, message);
        assert.ok(!result.message.includes("xxxx") && !result.message.includes("it's"), "no body content in the message");
      }
    });
  }

  test("property: any JSON value within the depth limit parses exactly as JSON.parse", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 10 }), (value) => {
        const text = JSON.stringify(value);
        if (!/^\s*[[{]/.test(text)) return;
        assert.deepEqual(parseDocumentBody(body(text)), { ok: true, doc: JSON.parse(text) });
      }),
    );
  });

  test("property: arbitrary bytes never throw, and nothing accepted nests deeper than the limit", () => {
    const shaped = fc.array(fc.constantFrom("[", "]", "{", "}", "'", '"', "\\", "#", " ", "\n", "- ", "a", ":", ","), { maxLength: 300 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.oneof(shaped, fc.string({ maxLength: 300 })), fc.integer({ min: 1, max: 8 }), (text, maxDepth) => {
        const result = parseDocumentBody(body(text), { maxDepth, maxIndent: 8 });
        // Block levels (bounded by the indentation cap) and flow levels add up.
        if (result.ok) assert.ok(depthOf(result.doc) <= maxDepth + 8 + 1, `depth of ${JSON.stringify(text)}`);
      }),
      { numRuns: 2000 },
    );
  });
});
