import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";
import { CONFIGMAPS, converged } from "./mirror-reconciler.js";
import { fileURLToPath } from "node:url";
import { LEASES } from "../../../src/kube/resources.js";

const MAIN = fileURLToPath(new URL("./mirror-controller-main.ts", import.meta.url));

describe("controller process killed mid-work", { timeout: 240_000 }, () => {
  let f: KubeFixture;
  const children: ChildProcess[] = [];
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "sealbridge" } });
    await f.kube.create(NAMESPACES, { metadata: { name: "kill" } });
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await f.close();
  });

  function start(identity: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, f.kubeconfigPath, identity, "10"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    return { child, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))), output: () => out };
  }

  test("SIGKILL during work, start again: every object converges once", async () => {
    for (let i = 0; i < 60; i++) {
      await f.kube.create(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: "kill", labels: { mirror: "yes" } }, data: { v: String(i) } });
    }
    const isConverged = () => converged(f.server.objects("configmaps", "kill"), f.server.objects("secrets", "kill"));
    f.server.faults.latencyMs(/\/namespaces\/kill\/secrets/, 20);
    const first = start("first");
    await eventually(() => f.server.objects("secrets", "kill").length >= 5, 60_000, "first process made progress");
    first.child.kill("SIGKILL");
    await first.exited;
    assert.equal(isConverged(), false, "killed before it finished");
    await f.kube.mergePatch(CONFIGMAPS, "kill", "cm-0", { data: { v: "changed while down" } });
    await f.kube.delete(CONFIGMAPS, "kill", "cm-59");
    f.server.faults.clear();
    // A new process (new identity): the dead one's lease must expire first (2 s).
    const second = start("second");
    await eventually(isConverged, 60_000, "convergence after restart");
    const names = f.server.objects("secrets", "kill").map((s) => s.metadata.name);
    assert.equal(names.length, 59);
    assert.equal(new Set(names).size, 59);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0);
  });

  test("two processes with --leader-elect: only the leader writes; SIGKILL hands over within the lease duration", async () => {
    await f.kube.create(NAMESPACES, { metadata: { name: "pair" } });
    const add = (i: number) => f.kube.create(CONFIGMAPS, { metadata: { name: `cm-${i}`, namespace: "pair", labels: { mirror: "yes" } }, data: { v: String(i) } });
    const writers = () => new Set(f.server.objects("secrets", "pair").map((s) => s.metadata.annotations?.["mirror/written-by"]));
    const isConverged = () => converged(f.server.objects("configmaps", "pair"), f.server.objects("secrets", "pair"));
    for (let i = 0; i < 10; i++) await add(i);
    const a = start("proc-a");
    await eventually(isConverged, 60_000, "first leader converges");
    const b = start("proc-b");
    const leader = [...writers()][0] as string;
    assert.deepEqual([...writers()], [leader]);
    for (let i = 10; i < 15; i++) await add(i);
    await eventually(isConverged, 60_000, "leader handles new work");
    // Let the second process start and stand by for a while (its caches synced, then several lease
    // renewals by the leader): it must not write anything.
    await eventually(() => b.output().includes('"caches synced"'), 60_000, "the second process is up");
    const renewTimes = new Set<unknown>();
    await eventually(async () => {
      renewTimes.add(((await f.kube.get(LEASES, "sealbridge", "sealbridge-controller"))?.["spec"] as { renewTime?: string } | undefined)?.renewTime);
      return renewTimes.size > 5;
    }, 60_000, "lease renewals while the second process stands by");
    assert.deepEqual([...writers()], [leader], `only the leader wrote (writers: ${[...writers()].join(", ")})`);
    const [dead, survivor] = leader === "proc-a" ? [a, b] : [b, a];
    dead.child.kill("SIGKILL");
    await dead.exited;
    const killedAt = Date.now();
    await add(15);
    await eventually(() => writers().size === 2 && isConverged(), 60_000, "survivor takes over");
    const handover = Date.now() - killedAt;
    // Lease 2 s; the rest is detection (retry period 200 ms), process scheduling and one reconcile.
    assert.ok(handover <= 2000 + 2500, `handover took ${handover} ms (lease 2 s)`);
    survivor.child.kill("SIGTERM");
    assert.equal(await survivor.exited, 0);
  });
});
