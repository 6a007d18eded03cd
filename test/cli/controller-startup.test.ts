/**
 * `sealbridge controller` start-up failures as a user sees them (issue 8): a port in use ends the
 * process at once with one line naming the address and the flag (no 10 s wait for handles, no
 * unrelated advice); an unknown kind in --concurrency or --reconcilers is refused before any
 * request reaches the API server.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { fileURLToPath } from "node:url";
import { kubeFixture, NAMESPACES } from "../kube/kube-fixture.js";
import type { KubeFixture } from "../kube/kube-fixture.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));

function runController(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "controller", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Far beyond a normal exit; only a controller that keeps running meets it.
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("sealbridge controller start-up failures (issue 8)", { timeout: 120_000 }, () => {
  let f: KubeFixture;
  let blocker: Server;
  let port = 0;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "sealbridge" } });
    blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    port = (blocker.address() as { port: number }).port;
  });
  after(async () => {
    blocker.close();
    await f.close();
  });

  test("a port in use: exit 1 at once with 'address in use: HOST:PORT (pass --http-addr)'", async () => {
    const run = await runController(["--kubeconfig", f.kubeconfigPath, "--http-addr", `127.0.0.1:${port}`, "--metrics-addr", "127.0.0.1:0"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, `error: address in use: 127.0.0.1:${port} (pass --http-addr)\n`);
    // Nothing was built that could linger: no key loading, no watch, no safety-net exit.
    assert.doesNotMatch(run.stdout, /forcing exit|sealing key|watch/);
    assert.doesNotMatch(run.stdout, /"msg":"controller starting"/);
  });

  test("--metrics-addr in use names --metrics-addr", async () => {
    const run = await runController(["--kubeconfig", f.kubeconfigPath, "--http-addr", "127.0.0.1:0", "--metrics-addr", `127.0.0.1:${port}`]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, `error: address in use: 127.0.0.1:${port} (pass --metrics-addr)\n`);
  });

  test("--concurrency foo=3 and --reconcilers nosuch are refused before any request", async () => {
    f.server.counters.reset();
    const concurrency = await runController(["--kubeconfig", f.kubeconfigPath, "--concurrency", "4,foo=3"]);
    assert.equal(concurrency.code, 1);
    assert.match(concurrency.stderr, /^error: unknown kind "foo": --concurrency \(known: sealedsecret, agesecret, externalsecret, secretstore, clustersecretstore, certificatecheck, acmecertificate, dnscredential, vaultunsealer\)\n$/);
    const reconcilers = await runController(["--kubeconfig", f.kubeconfigPath, "--reconcilers", "sealedsecret,nosuch"]);
    assert.equal(reconcilers.code, 1);
    assert.match(reconcilers.stderr, /^error: unknown kind "nosuch": --reconcilers \(known: sealedsecret, /);
    assert.equal(f.server.counters.requests(), 0, "no request reached the API server");
  });
});
