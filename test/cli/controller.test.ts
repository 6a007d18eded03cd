import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { parse } from "yaml";
import { LEASES } from "../../src/kube/resources.js";
import type { LeaseSpec } from "../../src/controller/runtime/leader-election.js";
import type { KubeObject } from "../../src/kube/types.js";
import { eventually, kubeFixture, NAMESPACES } from "../kube/kube-fixture.js";
import type { KubeFixture } from "../kube/kube-fixture.js";
import { repoPath } from "../support/repo-root.js";

const CLI = repoPath("test/support/cli.ts");

interface Running {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, stderr: () => err, exited };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("sealbridge controller (process)", { timeout: 240_000 }, () => {
  let f: KubeFixture;
  const children: ChildProcess[] = [];
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "sealbridge" } });
    // Install the project's CRDs, as `sealbridge install` would, so every reconciler's watch can sync.
    const CRDS = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };
    for (const file of readdirSync(repoPath("crds")).filter((n) => n.endsWith(".yaml"))) {
      await f.kube.create(CRDS, parse(readFileSync(repoPath("crds", file), "utf8")) as KubeObject);
    }
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await f.close();
  });

  test("serves /healthz /readyz /metrics, holds the lease, and on SIGTERM exits 0 releasing it", async () => {
    const run = startCli(
      ["controller", "--kubeconfig", f.kubeconfigPath, "--http-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--leader-elect", "--lease-duration", "2s", "--lease-renew-deadline", "1500ms", "--lease-retry-period", "200ms"],
      { POD_NAME: "sealbridge-test-pod", POD_NAMESPACE: "sealbridge" },
    );
    children.push(run.child);
    try {
    const port = (server: string) => run.lines.find((l) => l.server === server && typeof l.port === "number")?.port as number | undefined;
    await eventually(() => port("http") !== undefined && port("metrics") !== undefined, 60_000, `listening logs (stderr: ${run.stderr()})`);
    const http = port("http")!;
    const metrics = port("metrics")!;
    assert.equal((await get(http, "/healthz")).status, 200);
    await eventually(async () => (await get(http, "/readyz")).status === 200, 60_000, `ready (${(await get(http, "/readyz")).body})`);
    const lease = async () => (await f.kube.get<KubeObject & { spec: LeaseSpec }>(LEASES, "sealbridge", "sealbridge-controller"))?.spec;
    await eventually(async () => (await lease())?.holderIdentity === "sealbridge-test-pod", 60_000, "lease held");
    const m = await get(metrics, "/metrics");
    assert.equal(m.status, 200);
    assert.match(m.body, /sealbridge_leader 1/);
    assert.match(m.body, /nodejs_heap_size_total_bytes/);
    assert.equal((await get(http, "/metrics")).status, 404, "metrics on their own port");

    // Startup finished (the first sealing key made), so what follows measures shutdown alone.
    await eventually(() => run.lines.some((l) => l.msg === "sealing keys loaded"), 60_000, "sealing keys loaded");
    const signalledAt = Date.now();
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, run.stderr());
    // Exits by itself once shutdown closed everything (decrypt pool, key watch and timers), before
    // the safety net (10 s after shutdown) could fire; it must not have fired.
    assert.ok(Date.now() - signalledAt < 8000, `exited ${Date.now() - signalledAt} ms after SIGTERM`);
    assert.doesNotMatch(run.stderr(), /forcing exit/);
    const released = await lease();
    assert.equal(released?.holderIdentity ?? "", "", "lease released on SIGTERM");
    const msgs = run.lines.map((l) => l.msg);
    assert.ok(msgs.includes("controller stopped"), JSON.stringify(msgs));
    assert.ok(run.lines.every((l) => typeof l.level === "string" && typeof l.time === "string"), "every stdout line is a JSON log record");
    assert.doesNotMatch(JSON.stringify(run.lines), new RegExp(f.server.adminToken));
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  });

  test("invalid configuration fails fast with exit 1 and no watch", async () => {
    f.server.counters.reset();
    const run = startCli(["controller", "--kubeconfig", f.kubeconfigPath, "--resync-period", "10", "--concurrency", "x=0"]);
    children.push(run.child);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /^error: invalid controller configuration: .*--resync-period/m);
    assert.equal(f.server.counters.requests(), 0, "no request reached the API server");
  });

  test("a missing kubeconfig fails before anything starts", async () => {
    const run = startCli(["controller", "--kubeconfig", "/nonexistent/kubeconfig", "--http-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"]);
    children.push(run.child);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /kubeconfig not found: \/nonexistent\/kubeconfig/);
  });
});
