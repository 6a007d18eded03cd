import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { vaultDataPath } from "../../src/eso/vault-path.js";

// The table is ESO's own buildPath documentation (providers/v1/vault/client_get.go) plus the DESIGN rules.
const cases: Array<[string, string | undefined, "v1" | "v2", string]> = [
  ["foo", "secret/path", "v2", "secret/path/data/foo"],
  ["foo", "secret/path", "v1", "secret/path/foo"],
  ["secret/path/foo", "secret/path", "v2", "secret/path/data/foo"],
  ["secret/path/data/foo", "secret/path", "v2", "secret/path/data/foo"],
  ["secret/path/foo", "secret/path", "v1", "secret/path/foo"],
  ["secret/path/foo", undefined, "v2", "secret/data/path/foo"],
  ["secret/path/data/foo", undefined, "v2", "secret/path/data/foo"],
  ["secret/path/foo", undefined, "v1", "secret/path/foo"],
  ["secret/foo", undefined, "v2", "secret/data/foo"],
  ["secret", "secret", "v2", "secret/data/secret"],
  // the homelab manifest: store path secret, key secret/data/my-app
  ["secret/data/my-app", "secret", "v2", "secret/data/my-app"],
  ["my-app", "secret", "v2", "secret/data/my-app"],
  ["secret/my-app", "secret", "v2", "secret/data/my-app"],
  // ESO docs' leading slash
  ["/dev/config", "secret", "v2", "secret/data/dev/config"],
  // v1 never strips data/
  ["kv/data/foo", "kv", "v1", "kv/data/foo"],
];

describe("vaultDataPath", () => {
  for (const [key, storePath, version, want] of cases) {
    test(`${version} store path ${storePath ?? "(none)"}: ${key} -> ${want}`, () => {
      assert.equal(vaultDataPath(key, storePath, version), want);
    });
  }
});
