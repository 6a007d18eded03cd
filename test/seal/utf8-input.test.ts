import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InputError } from "../../src/errors.js";
import { decodeManifest, firstInvalidUtf8 } from "../../src/seal/utf8-input.js";

const strict = new TextDecoder("utf-8", { fatal: true });
function isValid(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe("firstInvalidUtf8", () => {
  test("property: -1 exactly when the bytes are valid UTF-8, and the prefix before the offset is valid", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: "binary" }).map((s) => new Uint8Array(Buffer.from(s)))), (bytes) => {
        const at = firstInvalidUtf8(bytes);
        assert.equal(at === -1, isValid(bytes));
        if (at >= 0) assert.ok(isValid(bytes.subarray(0, at)));
      }),
      { numRuns: 2000 },
    );
  });

  test("overlong forms, surrogates and truncated sequences are invalid", () => {
    for (const bad of [[0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]]) {
      assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, ...bad])), 1, bad.join(","));
    }
  });
});

describe("decodeManifest", () => {
  test("invalid UTF-8 in stringData names the file, document and key, never the value", () => {
    const bytes = Buffer.concat([Buffer.from("kind: ConfigMap\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData:\n  user: CANARY-ok\n  password: CANARY-"), Buffer.from([0xff, 0xfe]), Buffer.from("-x\n")]);
    assert.throws(
      () => decodeManifest(bytes, "in.yaml"),
      (e: unknown) =>
        e instanceof InputError &&
        e.code === "InvalidUTF8" &&
        e.message === 'invalid UTF-8: in.yaml, document 1, stringData key "password" (line 8) (the API server refuses it; save the file as UTF-8, or put binary values base64-encoded under data)',
    );
  });

  test("valid text (a BOM and U+FFFD written as UTF-8 included) is returned as Buffer#toString would", () => {
    const text = "\uFEFFkind: Secret\nstringData: {a: \"\uFFFD é 😀\"}\n";
    assert.equal(decodeManifest(Buffer.from(text), "x"), text);
  });
});
