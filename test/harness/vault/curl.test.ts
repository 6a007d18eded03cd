// Plain curl, as the Vault API docs' examples call it, against the test server. Each test cites
// the page whose sample request it follows.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startVaultServer } from "./index.js";
import type { VaultTestCluster } from "./index.js";

const run = promisify(execFile);
const apiDocs = "https://developer.hashicorp.com/vault/api-docs";

/** Runs curl; returns the body and the status code (appended by -w). */
async function curl(...args: string[]): Promise<{ status: number; body: any; text: string }> {
  const { stdout } = await run("curl", ["-s", "-w", "\n%{http_code}", ...args], { maxBuffer: 16 * 1024 * 1024 });
  const cut = stdout.lastIndexOf("\n");
  const text = stdout.slice(0, cut);
  let body: unknown = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: Number(stdout.slice(cut + 1)), body, text };
}

describe("curl against a dev Vault", () => {
  let v: VaultTestCluster;
  let dir = "";
  let tokenHeader = "";
  before(async () => {
    v = await startVaultServer();
    dir = await mkdtemp(join(tmpdir(), "vault-curl-"));
    tokenHeader = `X-Vault-Token: ${v.rootToken ?? ""}`;
  });
  after(async () => {
    await v.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test(`sys/health and HEAD (${apiDocs}/system/health#sample-request)`, async () => {
    const h = await curl(`${v.addr}/v1/sys/health`);
    assert.deepEqual([h.status, h.body.initialized, h.body.sealed], [200, true, false]);
    const head = await run("curl", ["-s", "-I", `${v.addr}/v1/sys/health`]);
    assert.match(head.stdout, /^HTTP\/1\.1 200 OK/);
  });

  test(`KV v2 write with --data @payload.json, read, LIST, PATCH (${apiDocs}/secret/kv/kv-v2#sample-request)`, async () => {
    const payload = join(dir, "payload.json");
    await writeFile(payload, JSON.stringify({ options: { cas: 0 }, data: { foo: "bar", zip: "zap" } }));
    const w = await curl("--header", tokenHeader, "--request", "POST", "--data", `@${payload}`, `${v.addr}/v1/secret/data/my-secret`);
    assert.deepEqual([w.status, w.body.data.version], [200, 1]);
    const r = await curl("--header", tokenHeader, `${v.addr}/v1/secret/data/my-secret?version=1`);
    assert.deepEqual(r.body.data.data, { foo: "bar", zip: "zap" });
    const l = await curl("--header", tokenHeader, "--request", "LIST", `${v.addr}/v1/secret/metadata/`);
    assert.deepEqual(l.body.data.keys, ["my-secret"]);
    const p = await curl(
      "--header", tokenHeader, "--header", "Content-Type: application/merge-patch+json",
      "--request", "PATCH", "--data", '{"data":{"zip":null}}', `${v.addr}/v1/secret/data/my-secret`,
    );
    assert.equal(p.body.data.version, 2);
    const d = await curl("--header", tokenHeader, "--request", "DELETE", `${v.addr}/v1/secret/data/my-secret`);
    assert.deepEqual([d.status, d.text], [204, ""]);
  });

  test(`a body over 1 MiB (curl sends Expect: 100-continue and waits for 100 Continue) (${apiDocs}/secret/kv/kv-v2#create-update-secret)`, async () => {
    const big = "x".repeat(2_000_000);
    const payload = join(dir, "big.json");
    await writeFile(payload, JSON.stringify({ data: { big } }));
    const started = performance.now();
    const w = await curl("-H", tokenHeader, "-X", "PUT", "--data-binary", `@${payload}`, `${v.addr}/v1/secret/data/big`);
    assert.equal(w.status, 200);
    // Without a 100 Continue, curl would wait a full second before sending the body.
    assert.ok(performance.now() - started < 900);
    const r = await curl("-H", tokenHeader, `${v.addr}/v1/secret/data/big`);
    assert.equal(r.body.data.data.big.length, 2_000_000);
  });

  test(`errors: 403 without a token, 405 on GET sys/unseal (${apiDocs}#http-status-codes)`, async () => {
    const denied = await curl(`${v.addr}/v1/secret/data/my-secret`);
    assert.deepEqual([denied.status, denied.body], [403, { errors: ["permission denied"] }]);
    const m = await curl(`${v.addr}/v1/sys/unseal`);
    assert.deepEqual([m.status, m.body], [405, { errors: [] }]);
  });

  test(`seal and unseal with curl (${apiDocs}/system/seal#sample-request, /system/unseal#sample-request)`, async () => {
    assert.equal((await curl("--header", tokenHeader, "--request", "PUT", `${v.addr}/v1/sys/seal`)).status, 204);
    const sealed = await curl("--header", tokenHeader, `${v.addr}/v1/secret/data/my-secret`);
    assert.deepEqual([sealed.status, sealed.body], [503, { errors: ["Vault is sealed"] }]);
    const u = await curl("--request", "PUT", "--data", JSON.stringify({ key: v.unsealKeys?.[0] }), `${v.addr}/v1/sys/unseal`);
    assert.deepEqual([u.status, u.body.sealed], [200, false]);
  });
});
