// ACL policy parsing and evaluation, table-driven, following
// https://developer.hashicorp.com/vault/docs/concepts/policies (priority rules, globs, `+`, deny)
// and shared/reference/vault-api.md §8 (Vault's AllowOperation order).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Acl, parsePolicy } from "./acl.js";
import type { Capability, PolicyRules } from "./acl.js";

const docs = "https://developer.hashicorp.com/vault/docs/concepts/policies";

function aclOf(...texts: string[]): Acl {
  const rules = new Map<string, PolicyRules>(texts.map((t, i) => [`p${i}`, parsePolicy(t)]));
  return new Acl([...rules.keys()], (n) => rules.get(n));
}

describe("policy parsing", () => {
  test(`capabilities blocks, legacy policy shorthand, comments (${docs}#policy-syntax)`, () => {
    const rules = parsePolicy(`
      # comment
      path "secret/data/app/*" {
        capabilities = ["read", "list"]   // trailing comment
      }
      /* block comment */
      path "sys/mounts" { policy = "write" }
      path "auth/*" { capabilities = ["create"], allowed_parameters = { "type" = ["kubernetes"] } }
    `);
    assert.deepEqual([...(rules.get("secret/data/app/*") ?? [])], ["read", "list"]);
    assert.ok(rules.get("sys/mounts")?.has("update"));
    assert.ok(rules.get("auth/*")?.has("create"));
  });

  test(`errors name the problem (vault-api.md §4.3; ${docs})`, () => {
    assert.throws(() => parsePolicy('path "a/*" { capabilities = ["foo"] }'), /failed to parse policy: path "a\/\*": invalid capability "foo"/);
    assert.throws(() => parsePolicy('path "a/+*" { capabilities = ["read"] }'), /invalid use of wildcards \('\+\*' is forbidden\)/);
    assert.throws(() => parsePolicy('path "a/*/b" { capabilities = ["read"] }'), /failed to parse policy/);
    assert.throws(() => parsePolicy('path "a" { capabilities = ["read"]'), /failed to parse policy/);
  });
});

describe("ACL decisions", () => {
  const cases: { name: string; policies: string[]; path: string; cap: Capability; want: boolean; sudo?: boolean }[] = [
    { name: "exact path only matches itself", policies: ['path "secret/foo" { capabilities = ["read"] }'], path: "secret/foo", cap: "read", want: true },
    { name: "exact path does not match a longer name", policies: ['path "secret/foo" { capabilities = ["read"] }'], path: "secret/food", cap: "read", want: false },
    { name: "exact path does not match a child", policies: ['path "secret/foo" { capabilities = ["read"] }'], path: "secret/foo/bar", cap: "read", want: false },
    { name: "glob matches everything under it", policies: ['path "secret/bar/*" { capabilities = ["read"] }'], path: "secret/bar/a/b", cap: "read", want: true },
    { name: "glob is a plain string prefix", policies: ['path "secret/zip-*" { capabilities = ["read"] }'], path: "secret/zip-zap", cap: "read", want: true },
    { name: "+ matches one segment", policies: ['path "secret/+/teamb" { capabilities = ["read"] }'], path: "secret/x/teamb", cap: "read", want: true },
    { name: "+ does not match two segments", policies: ['path "secret/+/teamb" { capabilities = ["read"] }'], path: "secret/x/y/teamb", cap: "read", want: false },
    { name: "+ with trailing glob", policies: ['path "secret/+/team*" { capabilities = ["read"] }'], path: "secret/x/teamb/more", cap: "read", want: true },
    { name: "capability not granted", policies: ['path "secret/*" { capabilities = ["read"] }'], path: "secret/x", cap: "update", want: false },
    { name: "deny by default", policies: ['path "secret/*" { capabilities = ["read"] }'], path: "kv/x", cap: "read", want: false },
    {
      name: "the more specific rule wins even without the capability",
      policies: ['path "secret/*" { capabilities = ["read"] }', 'path "secret/private/*" { capabilities = ["list"] }'],
      path: "secret/private/x", cap: "read", want: false,
    },
    {
      name: "a glob that starts its wildcard later wins over +",
      policies: ['path "secret/+/x" { capabilities = ["list"] }', 'path "secret/a/*" { capabilities = ["read"] }'],
      path: "secret/a/x", cap: "read", want: true,
    },
    {
      name: "non-glob beats glob at the same wildcard position",
      policies: ['path "secret/+/x*" { capabilities = ["list"] }', 'path "secret/+/x" { capabilities = ["read"] }'],
      path: "secret/a/x", cap: "read", want: true,
    },
    {
      name: "same path in two policies: capabilities union",
      policies: ['path "secret/a" { capabilities = ["read"] }', 'path "secret/a" { capabilities = ["update"] }'],
      path: "secret/a", cap: "update", want: true,
    },
    {
      name: "deny in any policy for the same path wins",
      policies: ['path "secret/a" { capabilities = ["read"] }', 'path "secret/a" { capabilities = ["deny"] }'],
      path: "secret/a", cap: "read", want: false,
    },
    { name: "LIST falls back to the exact rule without the slash", policies: ['path "secret/metadata/app" { capabilities = ["list"] }'], path: "secret/metadata/app/", cap: "list", want: true },
    { name: "sudo required on root paths", policies: ['path "sys/auth/*" { capabilities = ["update"] }'], path: "sys/auth/kubernetes", cap: "update", want: false, sudo: true },
    { name: "sudo given", policies: ['path "sys/auth/*" { capabilities = ["update", "sudo"] }'], path: "sys/auth/kubernetes", cap: "update", want: true, sudo: true },
  ];
  for (const c of cases) {
    test(`${c.name} (${docs}#priority-matching)`, () => {
      assert.equal(aclOf(...c.policies).allows(c.path, c.cap, c.sudo ?? false), c.want);
    });
  }

  test(`root allows everything (${docs}#root-policy)`, () => {
    const acl = new Acl(["root"], () => undefined);
    assert.equal(acl.allows("sys/auth/x", "sudo", true), true);
  });

  test(`a missing policy counts as empty (https://developer.hashicorp.com/vault/api-docs/system/policies)`, () => {
    const acl = new Acl(["gone"], () => undefined);
    assert.equal(acl.allows("secret/x", "read", false), false);
  });
});
