// Conformance tests for the HTTP layer (envelopes, methods, paths, bodies), the test controls
// (faults, counters, restart, reset) and HA nodes over shared storage. Each test names the Vault
// page it follows; HTTP-layer details come from shared/reference/vault-api.md §1 (Vault's
// http/handler.go and logical.go) since the API docs do not spell them out.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";
import { call } from "./vault-call.js";

const apiDocs = "https://developer.hashicorp.com/vault/api-docs";

/** Sends raw bytes and returns the first response head. */
function rawExchange(addr: string, payload: string): Promise<string> {
  const url = new URL(addr);
  return new Promise((resolve, reject) => {
    const s = connect(Number(url.port), url.hostname, () => s.write(payload));
    let got = "";
    s.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n\r\n")) {
        s.destroy();
        resolve(got);
      }
    });
    s.on("error", reject);
  });
}

describe("HTTP layer", () => {
  let v: VaultTestCluster;
  let root = "";
  before(async () => {
    v = await startVaultServer();
    root = v.rootToken ?? "";
  });
  after(async () => {
    await v.stop();
  });

  test(`paths outside /v1, unknown methods, unclean paths (${apiDocs}; vault-api.md §1.4, §11)`, async () => {
    const outside = await fetch(`${v.addr}/v2/secret`);
    assert.deepEqual([outside.status, await outside.json()], [404, { errors: [] }]);
    assert.deepEqual((await call(v.addr, "PROPFIND", "secret/data/x", { token: root })).body, { errors: [] });
    assert.equal((await call(v.addr, "PROPFIND", "secret/data/x", { token: root })).status, 405);
    // Go's ServeMux answers an unclean path with 301 to the cleaned one (node-vault's kubernetesLogin without mount_point hits this).
    const head = await rawExchange(v.addr, "POST /v1/auth//login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assert.match(head, /^HTTP\/1\.1 301 /);
    assert.match(head, /\r\nLocation: \/v1\/auth\/login\r\n/i);
  });

  test(`bodies: malformed JSON 400, form encoding, unknown route 404 with Vault's text (${apiDocs}; vault-api.md §1.4)`, async () => {
    const bad = await call(v.addr, "POST", "secret/data/x", { token: root, raw: "{nope", headers: { "Content-Type": "application/json" } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.errors[0], /^failed to parse JSON input: /);
    // The parse error never quotes the body (it may hold a secret).
    for (const raw of ['{"data":{"pw":"canary-json"}} trailing', 'canary-json{']) {
      const r = await call(v.addr, "POST", "secret/data/x", { token: root, raw, headers: { "Content-Type": "application/json" } });
      assert.equal(r.status, 400);
      assert.ok(!r.text.includes("canary-json"), r.text);
    }
    const form = await call(v.addr, "POST", "auth/token/create", {
      token: root,
      raw: "policies=a&ttl=60",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    assert.deepEqual([form.status, form.body.auth.lease_duration, form.body.auth.policies], [200, 60, ["a", "default"]]);
    const route = await call(v.addr, "GET", "nowhere/x", { token: root });
    assert.deepEqual([route.status, route.body], [404, { errors: ['no handler for route "nowhere/x". route entry not found.'] }]);
    const ok = await call(v.addr, "POST", "secret/data/h", { token: root, body: { data: { a: 1 } }, headers: { "X-Vault-Request": "true" } });
    assert.equal(ok.headers["content-type"], "application/json");
    assert.equal(ok.headers["cache-control"], "no-store");
  });

  test(`a body over the 32 MiB limit → 413 (vault-api.md §1.5)`, async () => {
    const head = await rawExchange(v.addr, `POST /v1/secret/data/big HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\nContent-Length: ${40 * 1024 * 1024}\r\n\r\n`);
    assert.match(head, /^HTTP\/1\.1 413 /);
  });

  test(`chunked request bodies and pipelined requests on one connection`, async () => {
    const body = JSON.stringify({ data: { c: "chunked" } });
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const payload =
      `POST /v1/secret/data/chunk HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}` +
      `GET /v1/sys/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const url = new URL(v.addr);
    const all = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(url.port), url.hostname, () => s.write(payload));
      let got = "";
      s.on("data", (d) => (got += d.toString()));
      s.on("end", () => resolve(got));
      s.on("error", reject);
    });
    const statuses = [...all.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "200"]);
    assert.deepEqual((await call(v.addr, "GET", "secret/data/chunk", { token: root })).body.data.data, { c: "chunked" });
  });
});

describe("test controls", () => {
  let v: VaultTestCluster;
  let root = "";
  before(async () => {
    v = await startVaultServer();
    root = v.rootToken ?? "";
  });
  after(async () => {
    await v.stop();
  });

  test("failRate by count, by deterministic rate, 429 body; clear", async () => {
    v.faults.failRate(/secret\/data\/f/, 500, 2);
    const s1 = await call(v.addr, "GET", "secret/data/f", { token: root });
    const s2 = await call(v.addr, "GET", "secret/data/f", { token: root });
    const s3 = await call(v.addr, "GET", "secret/data/f", { token: root });
    assert.deepEqual([s1.status, s2.status, s3.status], [500, 500, 404]);
    assert.deepEqual(s1.body, { errors: ["internal error"] });
    v.faults.clear();
    v.faults.failRate("secret/data/r", 429, 0.5);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(v.addr, "GET", "secret/data/r", { token: root })).status);
    assert.deepEqual(statuses, [404, 429, 404, 429, 404, 429]);
    const limited = await call(v.addr, "GET", "secret/data/r", { token: root });
    const limited2 = await call(v.addr, "GET", "secret/data/r", { token: root });
    assert.deepEqual([limited, limited2].find((r) => r.status === 429)?.body, { errors: ['request path "secret/data/r": rate limit quota exceeded'] });
    v.faults.clear();
    assert.equal((await call(v.addr, "GET", "secret/data/r", { token: root })).status, 404);
  });

  test("latency is added to matching paths only", async () => {
    v.faults.latencyMs(/sys\/health/, 300);
    let t0 = performance.now();
    await call(v.addr, "GET", "sys/health");
    assert.ok(performance.now() - t0 >= 290);
    t0 = performance.now();
    await call(v.addr, "GET", "sys/seal-status");
    assert.ok(performance.now() - t0 < 250);
    v.faults.clear();
  });

  test("counters by method and path", async () => {
    v.counters.reset();
    await call(v.addr, "GET", "sys/health");
    await call(v.addr, "POST", "secret/data/c", { token: root, body: { data: { a: 1 } } });
    await call(v.addr, "GET", "secret/data/c", { token: root });
    assert.equal(v.counters.requests(), 3);
    assert.equal(v.counters.requests("GET"), 2);
    assert.equal(v.counters.requests(undefined, /secret\/data\/c$/), 2);
    assert.equal(v.counters.requests("post", "secret"), 1);
  });

  test(`sealAll mid-run → 503; unseal with the dev key (${apiDocs}/system/unseal)`, async () => {
    v.faults.sealAll();
    assert.equal(v.node(0).sealed, true);
    const r = await call(v.addr, "GET", "secret/data/c", { token: root });
    assert.deepEqual([r.status, r.body], [503, { errors: ["Vault is sealed"] }]);
    const u = await call(v.addr, "PUT", "sys/unseal", { body: { key: v.unsealKeys?.[0] } });
    assert.equal(u.body.sealed, false);
    assert.equal((await call(v.addr, "GET", "secret/data/c", { token: root })).status, 200);
  });

  test("restart keeps state, comes back sealed on the same address; reset wipes data but keeps the root token", async () => {
    const addr = v.addr;
    await v.node(0).restart();
    assert.equal(v.node(0).addr, addr);
    assert.equal(v.node(0).sealed, true);
    await call(v.addr, "PUT", "sys/unseal", { body: { key: v.unsealKeys?.[0] } });
    assert.deepEqual((await call(v.addr, "GET", "secret/data/c", { token: root })).body.data.data, { a: 1 });
    await v.node(0).restart({ unsealed: true });
    assert.equal((await call(v.addr, "GET", "secret/data/c", { token: root })).status, 200);
    v.reset();
    assert.equal((await call(v.addr, "GET", "secret/data/c", { token: root })).status, 404);
    assert.equal((await call(v.addr, "GET", "auth/token/lookup-self", { token: root })).status, 200);
  });
});

describe("HA nodes over shared storage", () => {
  let v: VaultTestCluster;
  let root = "";
  before(async () => {
    v = await startVaultServer({ nodes: 3 });
    root = v.rootToken ?? "";
  });
  after(async () => {
    await v.stop();
  });

  test(`one active, others standby: health 200/429, standbyok, leader (${apiDocs}/system/health, /system/leader)`, async () => {
    assert.equal(new Set(v.addrs).size, 3);
    const [a, b] = [v.addrs[0] ?? "", v.addrs[1] ?? ""];
    assert.equal((await call(a, "GET", "sys/health")).status, 200);
    const sb = await call(b, "GET", "sys/health");
    assert.deepEqual([sb.status, sb.body.standby, sb.body.sealed], [429, true, false]);
    assert.equal((await call(b, "GET", "sys/health?standbyok=true")).status, 200);
    const leader = await call(b, "GET", "sys/leader");
    assert.deepEqual([leader.body.ha_enabled, leader.body.is_self, leader.body.leader_address], [true, false, a]);
    assert.equal((await call(a, "GET", "sys/leader")).body.is_self, true);
    // A standby serves requests as if forwarded to the active node; writes are shared.
    await call(a, "POST", "secret/data/ha", { token: root, body: { data: { n: 1 } } });
    assert.deepEqual((await call(b, "GET", "secret/data/ha", { token: root })).body.data.data, { n: 1 });
    const standbySeal = await call(b, "PUT", "sys/seal", { token: root });
    assert.deepEqual([standbySeal.status, standbySeal.body], [500, { errors: ["vault cannot seal when in standby mode; please restart instead"] }]);
  });

  test(`sealing the active node moves the lock to another unsealed node (${apiDocs}/system/seal)`, async () => {
    assert.equal((await call(v.addrs[0] ?? "", "PUT", "sys/seal", { token: root })).status, 204);
    assert.equal((await call(v.addrs[0] ?? "", "GET", "sys/health")).status, 503);
    const codes = await Promise.all([1, 2].map(async (i) => (await call(v.addrs[i] ?? "", "GET", "sys/health")).status));
    assert.deepEqual(codes.sort(), [200, 429]);
    assert.equal((await call(v.addrs[0] ?? "", "GET", "sys/leader")).status, 503);
  });

  test(`step-down hands the lock to another unsealed node (${apiDocs}/system/step-down)`, async () => {
    const activeBefore = (await Promise.all(v.addrs.map(async (a) => (await call(a, "GET", "sys/health")).status))).indexOf(200);
    assert.ok(activeBefore > 0);
    assert.equal((await call(v.addrs[activeBefore] ?? "", "PUT", "sys/step-down", { token: root })).status, 204);
    const codes = await Promise.all(v.addrs.map(async (a) => (await call(a, "GET", "sys/health")).status));
    assert.equal(codes[0], 503);
    assert.equal(codes.indexOf(200), activeBefore === 1 ? 2 : 1);
    assert.equal((await call(v.addrs[1] ?? "", "PUT", "sys/step-down")).status, 403);
  });

  test(`new-mode HA: init once, unseal each node on its own (${apiDocs}/system/init, /system/unseal)`, async () => {
    const c = await startVaultServer({ mode: "new", nodes: 2 });
    try {
      const init = await call(c.addrs[0] ?? "", "PUT", "sys/init", { body: { secret_shares: 3, secret_threshold: 2 } });
      assert.equal((await call(c.addrs[1] ?? "", "GET", "sys/init")).body.initialized, true);
      for (const k of init.body.keys.slice(0, 2)) await call(c.addrs[0] ?? "", "PUT", "sys/unseal", { body: { key: k } });
      assert.equal(c.node(0).sealed, false);
      assert.equal(c.node(1).sealed, true);
      const st1 = (await call(c.addrs[1] ?? "", "GET", "sys/seal-status")).body;
      assert.deepEqual([st1.sealed, st1.progress, st1.t, st1.n], [true, 0, 2, 3]);
      await call(c.addrs[1] ?? "", "PUT", "sys/unseal", { body: { key: init.body.keys[2] } });
      assert.equal((await call(c.addrs[1] ?? "", "GET", "sys/seal-status")).body.progress, 1);
      await call(c.addrs[1] ?? "", "PUT", "sys/unseal", { body: { key: init.body.keys[0] } });
      assert.equal(c.node(1).sealed, false);
      assert.equal((await call(c.addrs[1] ?? "", "GET", "sys/health")).status, 429);
    } finally {
      await c.stop();
    }
  });
});

describe("start-up", () => {
  test("a dev server starts in well under a second", async () => {
    const t0 = performance.now();
    const v = await startVaultServer();
    const took = performance.now() - t0;
    await v.stop();
    assert.ok(took < 500, `took ${took} ms`);
  });
});
