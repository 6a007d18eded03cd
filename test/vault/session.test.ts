import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { VaultHttp } from "../../src/vault/client.js";
import { VaultError } from "../../src/vault/errors.js";
import { VaultSession } from "../../src/vault/session.js";

const CANARY = "canary-value-9f3b";

async function api(v: VaultTestCluster, method: string, path: string, body?: unknown, token = v.rootToken): Promise<any> {
  const res = await fetch(`${v.addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": token ?? "", "Content-Type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

let vault: VaultTestCluster;
let now = Date.parse("2026-11-22T00:00:00Z");
const clock = { now: () => new Date(now) };

before(async () => {
  vault = await startVaultServer({ mode: "dev", clock: () => now });
  await api(vault, "POST", "secret/data/my-app", { data: { database_url: CANARY, n: 1 } });
  await api(vault, "POST", "secret/data/my-app", { data: { database_url: `${CANARY}-v2` } });
  await api(vault, "POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } });
  await api(vault, "POST", "kv1/app", { user: "u1" });
  await api(vault, "PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }\npath "kv1/*" { capabilities = ["read"] }' });
  await api(vault, "POST", "sys/auth/approle", { type: "approle" });
  await api(vault, "POST", "auth/approle/role/eso", { token_policies: "reader", token_ttl: "1h", token_max_ttl: "4h" });
});
after(async () => vault.stop());

async function approleSession(): Promise<VaultSession> {
  const roleId = (await api(vault, "GET", "auth/approle/role/eso/role-id")).data.role_id as string;
  const secretId = (await api(vault, "POST", "auth/approle/role/eso/secret-id", {})).data.secret_id as string;
  return new VaultSession(new VaultHttp({ server: vault.addr }, "ClusterSecretStore vault-backend"), { kind: "appRole", path: "approle", roleId: async () => roleId, secretId: async () => secretId }, clock, "ClusterSecretStore vault-backend");
}

describe("VaultHttp + VaultSession against the Vault test server", () => {
  test("token auth reads KV v2 (latest and a version) and KV v1", async () => {
    const http = new VaultHttp({ server: vault.addr }, "SecretStore ns/s");
    const session = new VaultSession(http, { kind: "token", token: async () => `${vault.rootToken}\n` }, clock, "SecretStore ns/s");
    assert.deepEqual(await session.withToken((t) => http.readKv("secret/data/my-app", "v2", undefined, t)), { database_url: `${CANARY}-v2` });
    assert.deepEqual(await session.withToken((t) => http.readKv("secret/data/my-app", "v2", "1", t)), { database_url: CANARY, n: 1 });
    assert.deepEqual(await session.withToken((t) => http.readKv("kv1/app", "v1", undefined, t)), { user: "u1" });
    assert.equal(await session.withToken((t) => http.readKv("secret/data/missing", "v2", undefined, t)), null);
    assert.equal(session.stats.logins, 1);
  });

  test("appRole login is cached, renewed after two thirds of the lease, and redone on 403 once", async () => {
    const session = await approleSession();
    const http = new VaultHttp({ server: vault.addr }, "x");
    const read = () => session.withToken((t) => http.readKv("secret/data/my-app", "v2", undefined, t));
    await read();
    await read();
    assert.equal(session.stats.logins, 1);
    const before = vault.counters.requests("POST", /auth\/approle\/login/);
    now += 41 * 60_000; // past 2/3 of 1h (the server shares this clock)
    await read();
    assert.equal(session.stats.renewals, 1);
    assert.equal(session.stats.logins, 1);
    // Revoke the token behind the session's back: the next read gets 403, logs in again once, succeeds.
    const token = await session.token();
    await api(vault, "POST", "auth/token/revoke-self", {}, token);
    assert.deepEqual(await read(), { database_url: `${CANARY}-v2` });
    assert.equal(session.stats.logins, 2);
    assert.equal(vault.counters.requests("POST", /auth\/approle\/login/) - before, 1);
  });

  test("the store's provider.vault.namespace is sent as X-Vault-Namespace, and only for that store", async () => {
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers["x-vault-namespace"] as string | undefined);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { data: { a: "b" }, metadata: { version: 1 } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const saved = process.env["VAULT_NAMESPACE"];
    process.env["VAULT_NAMESPACE"] = "from-env";
    try {
      const addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.deepEqual(await new VaultHttp({ server: addr, namespace: "team-a" }, "SecretStore a/b").readKv("secret/data/x", "v2", undefined, "t"), { a: "b" });
      await new VaultHttp({ server: addr }, "SecretStore a/c").readKv("secret/data/x", "v2", undefined, "t");
      assert.deepEqual(seen, ["team-a", undefined], "no namespace leaks from another store or VAULT_NAMESPACE");
    } finally {
      if (saved === undefined) delete process.env["VAULT_NAMESPACE"];
      else process.env["VAULT_NAMESPACE"] = saved;
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("denied paths, sealed Vault and a dead server give typed errors naming store and path, never values or tokens", async () => {
    const session = await approleSession();
    const http = new VaultHttp({ server: vault.addr }, "ClusterSecretStore vault-backend");
    await assert.rejects(
      session.withToken((t) => http.readKv("secret/metadata/my-app", "v1", undefined, t)),
      (err: unknown) => err instanceof VaultError && err.failure === "VaultForbidden" && /store ClusterSecretStore vault-backend, path secret\/metadata\/my-app/.test(err.message),
    );
    vault.faults.failRate(/secret\/data\/my-app/, 429, 1);
    await assert.rejects(session.withToken((t) => http.readKv("secret/data/my-app", "v2", undefined, t)), (err: unknown) => err instanceof VaultError && err.failure === "VaultRateLimited" && err.storeLevel);
    vault.faults.sealAll();
    try {
      await assert.rejects(
        session.withToken((t) => http.readKv("secret/data/my-app", "v2", undefined, t)),
        (err: unknown) => err instanceof VaultError && err.failure === "VaultSealed" && err.storeLevel && !err.message.includes(CANARY) && !err.message.includes("hvs."),
      );
    } finally {
      vault.reset();
    }
    const dead = new VaultHttp({ server: "http://127.0.0.1:1" }, "SecretStore a/b");
    await assert.rejects(dead.readKv("secret/data/x", "v2", undefined, "t"), (err: unknown) => err instanceof VaultError && err.failure === "VaultUnavailable" && /ECONNREFUSED/.test(err.message));
  });
});
