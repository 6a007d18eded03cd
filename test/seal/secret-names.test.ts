import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { InputError } from "../../src/errors.js";
import { checkSealableNames, keyProblem, nameProblem, namespaceProblem } from "../../src/seal/secret-names.js";

// The API server's rules (k8s.io/apimachinery/pkg/util/validation), written out independently.
const goSubdomain = (s: string) => s.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s);
const goConfigKey = (s: string) => s.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(s) && s !== "." && s !== ".." && !s.startsWith("..");

describe("names and keys the API server would refuse", () => {
  test("the three from the issue: X/../x as a name, a 300-character key, 'pass word'", () => {
    assert.ok(nameProblem("X/../x"));
    assert.ok(keyProblem("k".repeat(300)));
    assert.ok(keyProblem("pass word"));
    assert.ok(keyProblem(".") && keyProblem("..") && keyProblem("..data"));
    assert.equal(keyProblem(".dockerconfigjson"), undefined);
    assert.equal(keyProblem("tls.crt"), undefined);
    assert.equal(nameProblem("db-credentials.v2"), undefined);
    assert.ok(namespaceProblem("a.b"), "a namespace is a label, not a subdomain");
  });

  test("property: agree with the apimachinery regexes", () => {
    const chars = fc.constantFrom(..."abcXYZ09-._/ ~é".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join("")), (s) => {
        assert.equal(keyProblem(s) === undefined, goConfigKey(s), JSON.stringify(s));
        assert.equal(nameProblem(s) === undefined, s !== "" && goSubdomain(s), JSON.stringify(s));
      }),
      { numRuns: 3000 },
    );
  });

  test("checkSealableNames names the field, the value and the rule", () => {
    assert.throws(
      () => checkSealableNames({ name: "db", namespace: "prod", keys: ["user", "pass word"] }, "in.yaml, document 0"),
      (e: unknown) => e instanceof InputError && /^invalid Secret: in\.yaml, document 0: key "pass word" is not a valid Secret key: .* \(the API server would refuse it; rename it\)$/.test(e.message),
    );
    assert.throws(() => checkSealableNames({ name: "X/../x", keys: [] }, "w"), /metadata\.name "X\/\.\.\/x" is not a lowercase RFC 1123 subdomain/);
    assert.throws(() => checkSealableNames({ keys: ["k".repeat(300)] }, "w"), /key "k{60}…" \(300 characters\) is not a valid Secret key/);
  });
});
