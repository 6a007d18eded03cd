// Conformance tests for token auth, ACL policies over HTTP, and the sys/mounts, sys/auth and
// sys/policies endpoints. Each test names the Vault API page it follows; details not on the page
// come from shared/reference/vault-api.md §4, §7 and §8.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { call } from "./vault-call.js";

const tokenDocs = "https://developer.hashicorp.com/vault/api-docs/auth/token";
const sysDocs = "https://developer.hashicorp.com/vault/api-docs/system";

describe("token auth and ACL", () => {
  let v: VaultTestCluster;
  let root = "";
  before(async () => {
    v = await startVaultServer({ clock: () => Date.parse("2026-03-01T12:00:00Z"), rootToken: "root" });
    root = v.rootToken ?? "";
    await call(v.addr, "PUT", "sys/policies/acl/app-read", {
      token: root,
      body: { policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["list"] }' },
    });
    await call(v.addr, "POST", "secret/data/app/db", { token: root, body: { data: { password: "canary-pw" } } });
    await call(v.addr, "POST", "secret/data/other/x", { token: root, body: { data: { v: 1 } } });
  });
  after(async () => {
    await v.stop();
  });

  test(`root token lookup-self: no TTL, root policy (${tokenDocs}#lookup-a-token-self)`, async () => {
    const r = await call(v.addr, "GET", "auth/token/lookup-self", { token: root });
    assert.equal(r.status, 200);
    const d = r.body.data;
    assert.deepEqual([d.id, d.policies, d.ttl, d.expire_time, d.creation_ttl, d.path], ["root", ["root"], 0, null, 0, "auth/token/root"]);
    const renew = await call(v.addr, "POST", "auth/token/renew-self", { token: root, body: {} });
    assert.deepEqual([renew.status, renew.body], [400, { errors: ["lease is not renewable"] }]);
  });

  test(`create with policies and TTL; default added; unknown policy warned (${tokenDocs}#create-token)`, async () => {
    const r = await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read", "ghost"], ttl: "1h", meta: { user: "ann" } } });
    assert.equal(r.status, 200);
    assert.equal(r.body.data, null);
    const a = r.body.auth;
    assert.deepEqual(a.policies, ["app-read", "default", "ghost"]);
    assert.deepEqual([a.lease_duration, a.renewable, a.token_type, a.orphan], [3600, true, "service", false]);
    assert.deepEqual(a.metadata, { user: "ann" });
    assert.match(a.client_token, /^hvs\./);
    assert.deepEqual(r.body.warnings, ['Policy "ghost" does not exist']);
    const comma = await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: "app-read,default", no_default_policy: false } });
    assert.deepEqual(comma.body.auth.policies, ["app-read", "default"]);
    assert.equal(comma.body.auth.lease_duration, 2764800);
  });

  test(`a token reads what its policy allows and gets 403 elsewhere (${sysDocs}/policies; vault-api.md §1.2)`, async () => {
    const t = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read"] } })).body.auth.client_token;
    const ok = await call(v.addr, "GET", "secret/data/app/db", { token: t });
    assert.deepEqual(ok.body.data.data, { password: "canary-pw" });
    assert.equal((await call(v.addr, "LIST", "secret/metadata/app", { token: t })).status, 200);
    for (const [m, p] of [["GET", "secret/data/other/x"], ["POST", "secret/data/app/db"], ["GET", "sys/mounts"], ["POST", "auth/token/create"]] as const) {
      const r = await call(v.addr, m, p, { token: t, ...(m === "POST" ? { body: { data: {} } } : {}) });
      assert.equal(r.status, 403, `${m} ${p}`);
      assert.deepEqual(r.body, { errors: ["1 error occurred:\n\t* permission denied\n\n"] });
      assert.ok(!r.text.includes("canary-pw"));
    }
    // A default-only token can look itself up (the default policy).
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: t })).status, 200);
  });

  test(`missing, unknown and Authorization: Bearer tokens (vault-api.md §1.3, §7.5; ${tokenDocs})`, async () => {
    const none = await call(v.addr, "GET", "secret/data/app/db");
    assert.deepEqual([none.status, none.body], [403, { errors: ["permission denied"] }]);
    const bad = await call(v.addr, "GET", "secret/data/app/db", { token: "hvs.unknown" });
    assert.equal(bad.status, 403);
    assert.match(bad.body.errors[0], /permission denied/);
    assert.match(bad.body.errors[0], /invalid token/);
    const bearer = await call(v.addr, "GET", "secret/data/app/db", { headers: { Authorization: `Bearer ${root}` } });
    assert.equal(bearer.status, 200);
    const basic = await call(v.addr, "GET", "secret/data/app/db", { headers: { Authorization: `Basic ${root}` } });
    assert.equal(basic.status, 403);
  });

  test(`TTL expiry, renew-self with increment, max TTL cap (${tokenDocs}#renew-a-token-self)`, async () => {
    const c = await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read"], ttl: "10m" } });
    const t = c.body.auth.client_token;
    v.advanceTime(9 * 60_000);
    const look = await call(v.addr, "GET", "auth/token/lookup-self", { token: t });
    assert.equal(look.body.data.ttl, 60);
    assert.equal(look.body.data.creation_ttl, 600);
    assert.equal(look.body.data.renewable, true);
    const r = await call(v.addr, "POST", "auth/token/renew-self", { token: t, body: { increment: "1h" } });
    assert.equal(r.status, 200);
    assert.equal(r.body.auth.client_token, t);
    assert.equal(r.body.auth.lease_duration, 3600);
    v.advanceTime(3600_000);
    const gone = await call(v.addr, "GET", "auth/token/lookup-self", { token: t });
    assert.equal(gone.status, 403);
    const nr = await call(v.addr, "POST", "auth/token/create", { token: root, body: { ttl: "1h", renewable: false, policies: ["app-read"] } });
    const nrr = await call(v.addr, "POST", "auth/token/renew-self", { token: nr.body.auth.client_token, body: {} });
    assert.deepEqual([nrr.status, nrr.body], [400, { errors: ["lease is not renewable"] }]);
  });

  test(`children need a subset of the parent's policies; revoke-self revokes children (${tokenDocs}#revoke-a-token-self)`, async () => {
    await call(v.addr, "PUT", "sys/policies/acl/creator", { token: root, body: { policy: 'path "auth/token/create" { capabilities = ["update"] }' } });
    const parent = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["creator", "app-read"] } })).body.auth.client_token;
    const notSubset = await call(v.addr, "POST", "auth/token/create", { token: parent, body: { policies: ["admin"] } });
    assert.deepEqual([notSubset.status, notSubset.body], [400, { errors: ["child policies must be subset of parent"] }]);
    const child = await call(v.addr, "POST", "auth/token/create", { token: parent, body: { policies: ["app-read"] } });
    assert.equal(child.status, 200);
    const childToken = child.body.auth.client_token;
    const periodic = await call(v.addr, "POST", "auth/token/create", { token: parent, body: { period: "1h" } });
    assert.deepEqual(periodic.body, { errors: ["root or sudo privileges required to create periodic token"] });
    assert.equal((await call(v.addr, "POST", "auth/token/revoke-self", { token: parent, body: {} })).status, 204);
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: parent })).status, 403);
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: childToken })).status, 403);
  });

  test(`capabilities-self reports what the ACL grants (${sysDocs}/capabilities-self)`, async () => {
    const t = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read"] } })).body.auth.client_token;
    const r = await call(v.addr, "POST", "sys/capabilities-self", { token: t, body: { paths: ["secret/data/app/db", "secret/data/other"] } });
    assert.deepEqual(r.body.data["secret/data/app/db"], ["read"]);
    assert.deepEqual(r.body["secret/data/other"], ["deny"]);
    const one = await call(v.addr, "POST", "sys/capabilities-self", { token: root, body: { path: "sys/mounts" } });
    assert.deepEqual(one.body.capabilities, ["root"]);
  });

  test(`a parent's expiry revokes its children (${tokenDocs}#create-token; docs/concepts/tokens#token-hierarchies-and-orphan-tokens)`, async () => {
    const parent = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["creator", "app-read"], ttl: "5m" } })).body.auth.client_token;
    const child = (await call(v.addr, "POST", "auth/token/create", { token: parent, body: { policies: ["app-read"], ttl: "1h" } })).body.auth.client_token;
    const orphan = (await call(v.addr, "POST", "auth/token/create-orphan", { token: root, body: { policies: ["app-read"], ttl: "1h" } })).body.auth;
    assert.equal(orphan.orphan, true);
    v.advanceTime(6 * 60_000);
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: child })).status, 403);
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: orphan.client_token })).status, 200);
  });

  test(`internal/ui/mounts tells the KV version to a token with access, 403 otherwise (${sysDocs}/internal-ui-mounts)`, async () => {
    const t = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read"] } })).body.auth.client_token;
    const r = await call(v.addr, "GET", "sys/internal/ui/mounts/secret/data/app/db", { token: t });
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.data.path, r.body.data.type, r.body.data.options], ["secret/", "kv", { version: "2" }]);
    const noAccess = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["default"] } })).body.auth.client_token;
    const denied = await call(v.addr, "GET", "sys/internal/ui/mounts/secret/x", { token: noAccess });
    assert.equal(denied.status, 403);
    assert.match(denied.body.errors[0], /^preflight capability check returned 403/);
    const missing = await call(v.addr, "GET", "sys/internal/ui/mounts/nomount/x", { token: root });
    assert.equal(missing.status, 403);
    assert.equal((await call(v.addr, "GET", "sys/internal/ui/mounts/secret/x")).status, 403);
  });

  test(`lookup by token and accessor (${tokenDocs}#lookup-a-token)`, async () => {
    const c = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["app-read"] } })).body.auth;
    const l = await call(v.addr, "POST", "auth/token/lookup", { token: root, body: { token: c.client_token } });
    assert.equal(l.body.data.accessor, c.accessor);
    const la = await call(v.addr, "POST", "auth/token/lookup-accessor", { token: root, body: { accessor: c.accessor } });
    assert.deepEqual([la.body.data.id, la.body.data.policies], ["", ["app-read", "default"]]);
    const missing = await call(v.addr, "POST", "auth/token/lookup", { token: root, body: { token: "hvs.nope" } });
    assert.deepEqual([missing.status, missing.body], [403, { errors: ["bad token"] }]);
  });

  test(`policies: write 204, read, list with root, errors (${sysDocs}/policies)`, async () => {
    const r = await call(v.addr, "GET", "sys/policies/acl/app-read", { token: root });
    assert.equal(r.body.data.name, "app-read");
    assert.match(r.body.data.policy, /secret\/data\/app/);
    assert.equal(r.body.name, undefined, "sys/policies/acl is not injected at the top level");
    const list = await call(v.addr, "LIST", "sys/policies/acl", { token: root });
    assert.ok(list.body.data.keys.includes("app-read"));
    assert.equal(list.body.data.keys.at(-1), "root");
    assert.deepEqual((await call(v.addr, "GET", "sys/policies/acl/none", { token: root })).body, { errors: [] });
    const cases: [string, unknown, string][] = [
      ["root", { policy: 'path "x" { capabilities = ["read"] }' }, 'cannot update "root" policy'],
      ["empty", { policy: "" }, "'policy' parameter not supplied or empty"],
      ["bad", { policy: 'path "x" { capabilities = ["fly"] }' }, 'failed to parse policy: path "x": invalid capability "fly"'],
    ];
    for (const [name, body, message] of cases) {
      const w = await call(v.addr, "PUT", `sys/policies/acl/${name}`, { token: root, body });
      assert.deepEqual([w.status, w.body], [400, { errors: [message] }], name);
    }
    assert.deepEqual((await call(v.addr, "DELETE", "sys/policies/acl/default", { token: root })).body, { errors: ["cannot delete default policy"] });
    const b64 = Buffer.from('path "secret/data/b64/*" { capabilities = ["read"] }').toString("base64");
    assert.equal((await call(v.addr, "PUT", "sys/policies/acl/b64", { token: root, body: { policy: b64 } })).status, 204);
    assert.match((await call(v.addr, "GET", "sys/policies/acl/b64", { token: root })).body.data.policy, /secret\/data\/b64/);
    assert.equal((await call(v.addr, "DELETE", "sys/policies/acl/b64", { token: root })).status, 204);
    assert.equal((await call(v.addr, "DELETE", "sys/policies/acl/b64", { token: root })).status, 204);
  });

  test(`legacy sys/policy with rules answers 200 and a deprecation warning (${sysDocs}/policy)`, async () => {
    const w = await call(v.addr, "PUT", "sys/policy/legacy", { token: root, body: { rules: 'path "secret/*" { policy = "read" }' } });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body.warnings, ["'rules' is deprecated, please use 'policy' instead"]);
    const r = await call(v.addr, "GET", "sys/policy/legacy", { token: root });
    assert.equal(r.body.name, "legacy");
    assert.match(r.body.rules, /policy = "read"/);
    const l = await call(v.addr, "GET", "sys/policy", { token: root });
    assert.ok(l.body.policies.includes("legacy"));
  });

  test(`mounts: enable kv v1/v2, conflicts, bad types, list with top-level copy (${sysDocs}/mounts)`, async () => {
    assert.equal((await call(v.addr, "POST", "sys/mounts/kv2", { token: root, body: { type: "kv-v2" } })).status, 204);
    const list = await call(v.addr, "GET", "sys/mounts", { token: root });
    assert.deepEqual(list.body["kv2/"].options, { version: "2" });
    assert.equal(list.body["kv2/"].type, "kv");
    assert.deepEqual(list.body.data["secret/"].options, { version: "2" });
    assert.equal(list.body["sys/"].type, "system");
    const one = await call(v.addr, "GET", "sys/mounts/kv2", { token: root });
    assert.equal(one.body.data.type, "kv");
    const errors: [string, unknown, string][] = [
      ["secret", { type: "kv" }, "path is already in use at secret/"],
      ["secret/sub", { type: "kv" }, "path is already in use at secret/"],
      ["x", { type: "" }, "backend type must be specified as a string"],
      ["x", { type: "foo" }, "plugin not found in the catalog: foo"],
      ["x", { type: "transit", options: { version: "2" } }, 'secrets engine "transit" does not allow setting a version'],
    ];
    for (const [p, body, message] of errors) {
      const r = await call(v.addr, "POST", `sys/mounts/${p}`, { token: root, body });
      assert.deepEqual([r.status, r.body], [400, { errors: [message] }], `${p} ${JSON.stringify(body)}`);
    }
    await call(v.addr, "POST", "kv2/data/a", { token: root, body: { data: { a: 1 } } });
    assert.equal((await call(v.addr, "DELETE", "sys/mounts/kv2", { token: root })).status, 204);
    const after = await call(v.addr, "GET", "kv2/data/a", { token: root });
    assert.equal(after.status, 404);
    assert.match(after.body.errors[0], /no handler for route "kv2\/data\/a"/);
  });

  test(`auth methods: enable needs sudo; list includes token/ (${sysDocs}/auth)`, async () => {
    await call(v.addr, "PUT", "sys/policies/acl/auth-admin", { token: root, body: { policy: 'path "sys/auth/*" { capabilities = ["create", "update"] }' } });
    const t = (await call(v.addr, "POST", "auth/token/create", { token: root, body: { policies: ["auth-admin"] } })).body.auth.client_token;
    assert.equal((await call(v.addr, "POST", "sys/auth/approle", { token: t, body: { type: "approle" } })).status, 403);
    assert.equal((await call(v.addr, "POST", "sys/auth/approle", { token: root, body: { type: "approle" } })).status, 204);
    const dup = await call(v.addr, "POST", "sys/auth/approle", { token: root, body: { type: "approle" } });
    assert.deepEqual(dup.body, { errors: ["path is already in use at approle/"] });
    const list = await call(v.addr, "GET", "sys/auth", { token: root });
    assert.equal(list.body["token/"].type, "token");
    assert.equal(list.body.data["approle/"].type, "approle");
    assert.match(list.body["approle/"].accessor, /^auth_approle_/);
  });
});
