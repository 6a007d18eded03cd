import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import fc from "fast-check";
import { ageIdentityId, formatKeyIds, sealingKeyId, stillOpens } from "../../../src/controller/keys/key-ids.js";
import { opensslKey } from "../../support/openssl-keys.js";

describe("key ids and the unsealed-keys record", () => {
  test("a sealing key's id comes from its public key (the same for the same key, different for another)", () => {
    const a = createPrivateKey(opensslKey().privateKeyPem);
    const b = createPrivateKey(opensslKey().privateKeyPem);
    assert.match(sealingKeyId(a), /^[0-9a-f]{16}$/);
    assert.equal(sealingKeyId(a), sealingKeyId(createPrivateKey(a.export({ type: "pkcs8", format: "pem" }))));
    assert.notEqual(sealingKeyId(a), sealingKeyId(b));
    assert.match(ageIdentityId("age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"), /^[0-9a-f]{16}$/);
  });

  test("stillOpens: every recorded key still loaded; nothing recorded is not enough", () => {
    const current = new Set(["k1", "k2", "k3"]);
    assert.equal(stillOpens("k1,k2", current), true, "a renewal added k3: still opens");
    assert.equal(stillOpens("k1,k4", current), false, "k4 is gone: decrypt again to know");
    assert.equal(stillOpens(undefined, current), false);
    assert.equal(stillOpens("", current), false);
    assert.equal(formatKeyIds(["k2", "k1", "k2"]), "k1,k2");
  });

  test("property: a recorded set opens exactly when it is a subset of the current one", () => {
    const ids = fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{4}$/), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(ids, ids, (recorded, current) => {
        const subset = recorded.every((id) => current.includes(id));
        assert.equal(stillOpens(formatKeyIds(recorded), new Set(current)), subset);
      }),
    );
  });
});
