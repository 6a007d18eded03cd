// Conformance tests for the KV secrets engine, versions 2 and 1. Each test names the Vault API page
// it follows; details not on the page come from shared/reference/vault-api.md §5 and §6.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { call } from "./vault-call.js";

const v2docs = "https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2";
const v1docs = "https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v1";

describe("KV v2 at secret/ (dev mode)", () => {
  let v: VaultTestCluster;
  let t = "";
  let now = Date.parse("2026-01-01T00:00:00Z");
  before(async () => {
    v = await startVaultServer({ clock: () => now });
    t = v.rootToken ?? "";
  });
  after(async () => {
    await v.stop();
  });

  test(`write requires the data wrapper; returns version metadata (${v2docs}#create-update-secret)`, async () => {
    const flat = await call(v.addr, "POST", "secret/data/app", { token: t, body: { foo: "bar" } });
    assert.deepEqual([flat.status, flat.body], [400, { errors: ["no data provided"] }]);
    const w = await call(v.addr, "POST", "secret/data/app", { token: t, body: { data: { foo: "bar" } } });
    assert.equal(w.status, 200);
    assert.deepEqual(w.body.data, { created_time: "2026-01-01T00:00:00Z", custom_metadata: null, deletion_time: "", destroyed: false, version: 1 });
    for (const k of ["request_id", "lease_id", "renewable", "lease_duration", "wrap_info", "warnings", "auth", "mount_type"]) assert.ok(k in w.body, k);
    assert.equal(w.headers["cache-control"], "no-store");
  });

  test(`read latest and ?version=, missing → 404 {"errors":[]} (${v2docs}#read-secret-version)`, async () => {
    now += 1000;
    await call(v.addr, "PUT", "secret/data/app", { token: t, body: { data: { foo: "baz", n: 2 } } });
    const latest = await call(v.addr, "GET", "secret/data/app", { token: t });
    assert.deepEqual(latest.body.data.data, { foo: "baz", n: 2 });
    assert.equal(latest.body.data.metadata.version, 2);
    const v1 = await call(v.addr, "GET", "secret/data/app?version=1", { token: t });
    assert.deepEqual(v1.body.data.data, { foo: "bar" });
    assert.equal((await call(v.addr, "GET", "secret/data/app?version=0", { token: t })).body.data.metadata.version, 2);
    for (const p of ["secret/data/nope", "secret/data/app?version=9"]) {
      const r = await call(v.addr, "GET", p, { token: t });
      assert.deepEqual([r.status, r.body], [404, { errors: [] }], p);
    }
  });

  test(`check-and-set (${v2docs}#create-update-secret)`, async () => {
    const mismatch = await call(v.addr, "POST", "secret/data/app", { token: t, body: { options: { cas: 1 }, data: { a: 1 } } });
    assert.deepEqual([mismatch.status, mismatch.body], [400, { errors: ["check-and-set parameter did not match the current version"] }]);
    const zeroExisting = await call(v.addr, "POST", "secret/data/app", { token: t, body: { options: { cas: 0 }, data: { a: 1 } } });
    assert.equal(zeroExisting.status, 400);
    const zeroNew = await call(v.addr, "POST", "secret/data/cas-new", { token: t, body: { options: { cas: 0 }, data: { a: 1 } } });
    assert.equal(zeroNew.status, 200);
    const ok = await call(v.addr, "POST", "secret/data/app", { token: t, body: { options: { cas: "2" }, data: { foo: "v3" } } });
    assert.equal(ok.body.data.version, 3);
    const bad = await call(v.addr, "POST", "secret/data/app", { token: t, body: { options: { cas: "x" }, data: {} } });
    assert.deepEqual(bad.body, { errors: ["error parsing check-and-set parameter"] });
    assert.equal((await call(v.addr, "POST", "secret/metadata/casreq", { token: t, body: { cas_required: true } })).status, 204);
    const req = await call(v.addr, "POST", "secret/data/casreq", { token: t, body: { data: { a: 1 } } });
    assert.deepEqual(req.body, { errors: ["check-and-set parameter required for this call"] });
  });

  test(`soft delete → 404 with metadata and no errors key; undelete restores (${v2docs}#delete-latest-version-of-secret)`, async () => {
    now += 1000;
    const del = await call(v.addr, "DELETE", "secret/data/app", { token: t });
    assert.deepEqual([del.status, del.text], [204, ""]);
    const r = await call(v.addr, "GET", "secret/data/app", { token: t });
    assert.equal(r.status, 404);
    assert.equal(r.body.errors, undefined);
    assert.equal(r.body.data.data, null);
    assert.equal(r.body.data.metadata.version, 3);
    assert.equal(r.body.data.metadata.deletion_time, "2026-01-01T00:00:02Z");
    assert.equal((await call(v.addr, "POST", "secret/undelete/app", { token: t, body: { versions: [3] } })).status, 204);
    assert.deepEqual((await call(v.addr, "GET", "secret/data/app", { token: t })).body.data.data, { foo: "v3" });
    assert.equal((await call(v.addr, "POST", "secret/delete/app", { token: t, body: { versions: [1, 2] } })).status, 204);
    assert.equal((await call(v.addr, "GET", "secret/data/app?version=1", { token: t })).status, 404);
    const none = await call(v.addr, "POST", "secret/delete/app", { token: t, body: { versions: [] } });
    assert.deepEqual(none.body, { errors: ["No version number provided"] });
    const none2 = await call(v.addr, "POST", "secret/undelete/app", { token: t, body: {} });
    assert.deepEqual(none2.body, { errors: ["No version number provided"] });
  });

  test(`destroy removes data for good; metadata still answers (${v2docs}#destroy-secret-versions)`, async () => {
    assert.equal((await call(v.addr, "PUT", "secret/destroy/app", { token: t, body: { versions: [3] } })).status, 204);
    const r = await call(v.addr, "GET", "secret/data/app", { token: t });
    assert.equal(r.status, 404);
    assert.equal(r.body.data.metadata.destroyed, true);
    assert.equal((await call(v.addr, "POST", "secret/undelete/app", { token: t, body: { versions: [3] } })).status, 204);
    assert.equal((await call(v.addr, "GET", "secret/data/app", { token: t })).status, 404);
    const none = await call(v.addr, "POST", "secret/destroy/app", { token: t, body: {} });
    assert.deepEqual(none.body, { errors: ["no version number provided"] });
    const meta = await call(v.addr, "GET", "secret/metadata/app", { token: t });
    assert.equal(meta.status, 200);
    assert.equal(meta.body.data.current_version, 3);
    assert.deepEqual(Object.keys(meta.body.data.versions), ["1", "2", "3"]);
    assert.equal(meta.body.data.versions["3"].destroyed, true);
    assert.equal(meta.body.data.versions["1"].deletion_time, "2026-01-01T00:00:02Z");
  });

  test(`metadata write/read, max_versions trims oldest, custom_metadata (${v2docs}#create-update-metadata)`, async () => {
    const w = await call(v.addr, "POST", "secret/metadata/limited", {
      token: t,
      body: { max_versions: 2, custom_metadata: { owner: "team-a" }, delete_version_after: "3h25m19s" },
    });
    assert.equal(w.status, 204);
    for (let i = 1; i <= 4; i++) await call(v.addr, "POST", "secret/data/limited", { token: t, body: { data: { i } } });
    const m = (await call(v.addr, "GET", "secret/metadata/limited", { token: t })).body.data;
    assert.deepEqual([m.current_version, m.oldest_version, m.max_versions, m.delete_version_after], [4, 3, 2, "3h25m19s"]);
    assert.deepEqual(Object.keys(m.versions), ["3", "4"]);
    assert.deepEqual(m.custom_metadata, { owner: "team-a" });
    assert.equal((await call(v.addr, "GET", "secret/data/limited?version=1", { token: t })).status, 404);
    // delete_version_after sets a future deletion_time; still readable until then.
    const r = await call(v.addr, "GET", "secret/data/limited", { token: t });
    assert.equal(r.status, 200);
    assert.notEqual(r.body.data.metadata.deletion_time, "");
    assert.deepEqual(r.body.data.metadata.custom_metadata, { owner: "team-a" });
    now += 3 * 3600_000 + 26 * 60_000;
    assert.equal((await call(v.addr, "GET", "secret/data/limited", { token: t })).status, 404);
    assert.equal((await call(v.addr, "DELETE", "secret/metadata/limited", { token: t })).status, 204);
    assert.equal((await call(v.addr, "GET", "secret/metadata/limited", { token: t })).status, 404);
    assert.equal((await call(v.addr, "DELETE", "secret/metadata/limited", { token: t })).status, 204);
  });

  test(`PATCH merges into a new version; needs merge-patch content type (${v2docs}#patch-secret)`, async () => {
    await call(v.addr, "POST", "secret/data/patchme", { token: t, body: { data: { a: "1", b: "2" } } });
    const wrongType = await call(v.addr, "PATCH", "secret/data/patchme", { token: t, body: { data: { a: "x" } } });
    assert.equal(wrongType.status, 415);
    assert.match(wrongType.body.errors[0], /^PATCH requires Content-Type of application\/merge-patch\+json/);
    const p = await call(v.addr, "PATCH", "secret/data/patchme", {
      token: t,
      body: { data: { a: "x", b: null, c: "3" } },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.equal(p.status, 200);
    assert.equal(p.body.data.version, 2);
    assert.deepEqual((await call(v.addr, "GET", "secret/data/patchme", { token: t })).body.data.data, { a: "x", c: "3" });
    const missing = await call(v.addr, "PATCH", "secret/data/nothing", {
      token: t,
      body: { data: { a: 1 } },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    assert.equal(missing.status, 404);
  });

  test(`LIST metadata: direct children, folders end in /, empty → 404 (${v2docs}#list-secrets)`, async () => {
    for (const k of ["team/a", "team/b", "team/sub/c"]) await call(v.addr, "POST", `secret/data/${k}`, { token: t, body: { data: { k } } });
    const list = await call(v.addr, "LIST", "secret/metadata/team", { token: t });
    assert.deepEqual(list.body.data.keys, ["a", "b", "sub/"]);
    const viaGet = await call(v.addr, "GET", "secret/metadata/team/?list=1", { token: t });
    assert.deepEqual(viaGet.body.data.keys, ["a", "b", "sub/"]);
    const empty = await call(v.addr, "LIST", "secret/metadata/none", { token: t });
    assert.deepEqual([empty.status, empty.body], [404, { errors: [] }]);
    const bad = await call(v.addr, "GET", "secret/metadata/team?list=maybe", { token: t });
    assert.deepEqual([bad.status, bad.body], [400, { errors: [] }]);
    // No list operation exists under data/ (vault-api.md §5.4, inferred: 405 unsupported operation).
    assert.equal((await call(v.addr, "LIST", "secret/data/team", { token: t })).status, 405);
  });

  test(`holds 10,000 entries: write, read and list them quickly (${v2docs})`, async () => {
    const n = 10_000;
    const started = Date.now();
    const batch = 100;
    for (let i = 0; i < n; i += batch) {
      await Promise.all(
        Array.from({ length: batch }, (_, j) => call(v.addr, "POST", `secret/data/bulk/k${i + j}`, { token: t, body: { data: { i: i + j } } })),
      );
    }
    for (let i = 0; i < n; i += 250) {
      const r = await call(v.addr, "GET", `secret/data/bulk/k${i}`, { token: t });
      assert.deepEqual(r.body.data.data, { i });
    }
    const list = await call(v.addr, "LIST", "secret/metadata/bulk", { token: t });
    assert.equal(list.body.data.keys.length, n);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });
});

describe("KV v1 mount", () => {
  let v: VaultTestCluster;
  let t = "";
  before(async () => {
    v = await startVaultServer();
    t = v.rootToken ?? "";
    const m = await call(v.addr, "POST", "sys/mounts/kv1", { token: t, body: { type: "kv", options: { version: "1" } } });
    assert.equal(m.status, 204);
  });
  after(async () => {
    await v.stop();
  });

  test(`write 204, read with the 768h advisory lease, missing → 404 (${v1docs}#read-secret)`, async () => {
    assert.equal((await call(v.addr, "POST", "kv1/app/db", { token: t, body: { user: "u", password: "p" } })).status, 204);
    const r = await call(v.addr, "GET", "kv1/app/db", { token: t });
    assert.deepEqual(r.body.data, { user: "u", password: "p" });
    assert.equal(r.body.lease_duration, 2764800);
    assert.equal(r.body.lease_id, "");
    await call(v.addr, "POST", "kv1/app/ttl", { token: t, body: { v: "x", ttl: "1h" } });
    assert.equal((await call(v.addr, "GET", "kv1/app/ttl", { token: t })).body.lease_duration, 3600);
    assert.deepEqual((await call(v.addr, "GET", "kv1/app/none", { token: t })).body, { errors: [] });
    const empty = await call(v.addr, "POST", "kv1/app/empty", { token: t, body: {} });
    assert.deepEqual([empty.status, empty.body], [400, { errors: ["missing data fields"] }]);
  });

  test(`list and delete (${v1docs}#list-secrets, #delete-secret)`, async () => {
    assert.deepEqual((await call(v.addr, "LIST", "kv1/app", { token: t })).body.data.keys, ["db", "ttl"]);
    assert.deepEqual((await call(v.addr, "LIST", "kv1/", { token: t })).body.data.keys, ["app/"]);
    assert.equal((await call(v.addr, "DELETE", "kv1/app/db", { token: t })).status, 204);
    assert.equal((await call(v.addr, "GET", "kv1/app/db", { token: t })).status, 404);
  });

  test(`a data/ path on v1 is a literal key (vault-api.md §5.2; ${v1docs})`, async () => {
    assert.equal((await call(v.addr, "GET", "kv1/data/app/ttl", { token: t })).status, 404);
  });
});
