import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import type { Secret } from "../../src/api/secret.js";
import { yamlText } from "../../src/seal/yaml-text.js";
import { sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { vectorPublicKey } from "../support/sealing-vectors.js";

const reference = (obj: unknown) => stringify(obj, { lineWidth: 0, indentSeq: true });

// Strings that sit on every side of the fast path's rules: plain, quoted, multi-line, empty.
const trickyString = fc.oneof(
  fc.constantFrom("true", "False", "NULL", "yes", "~", "1", "12e3", "0x1f", ".inf", "+abc", "/abc", "-abc", ".dockerconfigjson", "a:b", "a: b", "a #b", "#x", "", " x", "x ", "multi\nline", "'q'", '"q"', "é", "AgB=="),
  fc.stringMatching(/^[A-Za-z0-9+/=_.:# -]{0,12}$/),
  fc.base64String({ maxLength: 40 }),
  fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(trickyString, fc.boolean(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(trickyString, { maxLength: 2 }));
const { tree } = fc.letrec((tie) => ({
  tree: fc.dictionary(trickyString, fc.oneof({ depthSize: "small" }, scalar, tie("tree")), { maxKeys: 4 }),
}));

describe("yamlText", () => {
  test("writes exactly what the yaml package writes, for any mapping (property)", () => {
    fc.assert(
      fc.property(tree, (obj) => {
        assert.equal(yamlText(obj), reference(obj));
      }),
      { numRuns: 2000 },
    );
  });

  test("a sealed Secret takes the fast path and matches the yaml package byte for byte", () => {
    const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod", labels: { "app.kubernetes.io/name": "db" } }, type: "Opaque", immutable: true, stringData: { "tls.crt": "x", ".dockerconfigjson": "y", password: "z" } };
    const sealed = sealSecret(secret, { publicKey: vectorPublicKey, source: "test" });
    assert.equal(yamlText(sealed), reference(sealed));
    assert.match(yamlText(sealed), /^apiVersion: bitnami\.com\/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n/);
  });
});
