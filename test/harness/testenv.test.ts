// The testenv launcher: `npm run -s testenv -- --dir DIR` as a process, and startTestEnv as a library.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { startTestEnv } from "./testenv.js";
import { REPO_ROOT } from "../support/repo-root.js";

const run = promisify(execFile);

/** Polls until `path` exists (the launcher writes env last, atomically). */
async function waitForFile(path: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await stat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.trim().split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    assert.ok(m, `not a KEY=value line: ${line}`);
    out[m[1] ?? ""] = m[2] ?? "";
  }
  return out;
}

describe("testenv", () => {
  test("npm run -s testenv -- --dir DIR: env, kubectl, curl, SIGTERM exits 0", async () => {
    const dir = await mkdtemp(join(tmpdir(), "testenv-"));
    const cache = await mkdtemp(join(tmpdir(), "kubecache-"));
    const child = spawn("npm", ["run", "-s", "testenv", "--", "--dir", join(dir, "t")], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitForFile(join(dir, "t", "env"), 20_000);
      const env = parseEnv(await readFile(join(dir, "t", "env"), "utf8"));
      assert.deepEqual(Object.keys(env), ["VAULT_ADDR", "VAULT_TOKEN", "KUBECONFIG"]);
      assert.match(env["VAULT_ADDR"] ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(env["VAULT_TOKEN"] ?? "", /^hvs\./);
      assert.equal(env["KUBECONFIG"], join(dir, "t", "kubeconfig"));
      assert.equal((await readFile(join(dir, "t", "vault-nodes"), "utf8")).trim(), env["VAULT_ADDR"]);
      const ns = await run("kubectl", ["get", "ns", "-o", "name"], { env: { ...process.env, KUBECONFIG: env["KUBECONFIG"], KUBECACHEDIR: cache } });
      assert.match(ns.stdout, /namespace\/default/);
      const health = await run("curl", ["-s", `${env["VAULT_ADDR"]}/v1/sys/health`]);
      assert.equal(JSON.parse(health.stdout).sealed, false);
      // Dev mode configures auth/kubernetes against the Kubernetes server.
      const cfg = await run("curl", ["-s", "-H", `X-Vault-Token: ${env["VAULT_TOKEN"]}`, `${env["VAULT_ADDR"]}/v1/auth/kubernetes/config`]);
      assert.match(JSON.parse(cfg.stdout).data.kubernetes_host, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(out, /testenv: ready; source .*\/t\/env/);
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
      const after = await run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `${env["VAULT_ADDR"]}/v1/sys/health`]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
      assert.equal(after.stdout, "000", "the Vault server is gone after SIGTERM");
    } finally {
      // On failure, end the whole group (npm and the launcher) so no server outlives the test.
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      await rm(dir, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
  });

  test("command line: --vault-mode new --vault-nodes 2 starts two sealed, uninitialised nodes; bad flags exit 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "testenv-"));
    const child = spawn(process.execPath, ["--import", "tsx", "test/harness/testenv-main.ts", "--dir", dir, "--vault-mode", "new", "--vault-nodes", "2"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitForFile(join(dir, "env"), 20_000);
      assert.deepEqual(Object.keys(parseEnv(await readFile(join(dir, "env"), "utf8"))), ["VAULT_ADDR", "KUBECONFIG"]);
      const nodes = (await readFile(join(dir, "vault-nodes"), "utf8")).trim().split("\n");
      assert.equal(nodes.length, 2);
      assert.equal(new Set(nodes).size, 2, "each node has its own address");
      for (const node of nodes) {
        const st = (await (await fetch(`${node}/v1/sys/seal-status`)).json()) as { initialized: boolean; sealed: boolean };
        assert.deepEqual([st.initialized, st.sealed], [false, true], node);
      }
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
    const bad = await run(process.execPath, ["--import", "tsx", "test/harness/testenv-main.ts", "--vault-mode", "prod"], { cwd: REPO_ROOT }).catch((e: { code?: number; stderr?: string }) => e);
    assert.equal((bad as { code?: number }).code, 2);
    assert.match((bad as { stderr?: string }).stderr ?? "", /--vault-mode must be dev or new/);
  });

  test("--service NS/NAME=HOST:PORT routes that Service's proxy to a local process; a malformed one exits 2", async () => {
    const dir = await mkdtemp(join(tmpdir(), "testenv-"));
    const cache = await mkdtemp(join(tmpdir(), "kubecache-"));
    const local = createServer((req, res) => res.end(`local process got ${req.url}`));
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    const { port } = local.address() as AddressInfo;
    const child = spawn(process.execPath, ["--import", "tsx", "test/harness/testenv-main.ts", "--dir", dir, "--service", `sealbridge/sealbridge=127.0.0.1:${port}`], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await waitForFile(join(dir, "env"), 20_000);
      const env = parseEnv(await readFile(join(dir, "env"), "utf8"));
      const kubectl = (args: string[]) => run("kubectl", args, { env: { ...process.env, KUBECONFIG: env["KUBECONFIG"], KUBECACHEDIR: cache } });
      // As in a cluster, the Service must exist; --service says where its endpoints are.
      await writeFile(join(dir, "service.yaml"), "apiVersion: v1\nkind: Namespace\nmetadata: {name: sealbridge}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: sealbridge, namespace: sealbridge}\nspec: {ports: [{name: http, port: 8080}]}\n");
      await kubectl(["apply", "-f", join(dir, "service.yaml")]);
      const got = await kubectl(["get", "--raw", "/api/v1/namespaces/sealbridge/services/http:sealbridge:http/proxy/v1/cert.pem"]);
      assert.equal(got.stdout, "local process got /v1/cert.pem");
      child.kill("SIGTERM");
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      local.close();
      await rm(dir, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
    const bad = await run(process.execPath, ["--import", "tsx", "test/harness/testenv-main.ts", "--service", "sealbridge=8080"], { cwd: REPO_ROOT }).catch((e: { code?: number; stderr?: string }) => e);
    assert.equal((bad as { code?: number }).code, 2);
    assert.match((bad as { stderr?: string }).stderr ?? "", /--service must be NS\/NAME=HOST:PORT, e\.g\. sealbridge\/sealbridge=127\.0\.0\.1:8080, got "sealbridge=8080"/);
  });

  test("library: new-mode HA Vault, vault-nodes lists every node, no VAULT_TOKEN", async () => {
    const env = await startTestEnv({ vaultMode: "new", vaultNodes: 2 });
    try {
      const nodes = (await readFile(join(env.dir, "vault-nodes"), "utf8")).trim().split("\n");
      assert.deepEqual(nodes, env.vault.addrs);
      const vars = parseEnv(await readFile(env.envFile, "utf8"));
      assert.deepEqual(Object.keys(vars), ["VAULT_ADDR", "KUBECONFIG"]);
      const st = await fetch(`${nodes[1]}/v1/sys/seal-status`);
      assert.equal(((await st.json()) as { initialized: boolean }).initialized, false);
    } finally {
      await env.stop();
      await rm(env.dir, { recursive: true, force: true });
    }
  });
});
