import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { parseControllerConfig } from "../../src/controller/config.js";
import { runControllerService } from "../../src/controller/controller-service.js";
import type { Reconciler } from "../../src/controller/types.js";
import { eventually, kubeFixture, NAMESPACES } from "../kube/kube-fixture.js";
import type { KubeFixture } from "../kube/kube-fixture.js";
import { CONFIGMAPS } from "./runtime/mirror-reconciler.js";

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

describe("runControllerService", { timeout: 30_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
    await f.kube.create(NAMESPACES, { metadata: { name: "sealbridge" } });
  });
  after(async () => f.close());

  const failing = (): Reconciler => ({
    name: "broken",
    resource: CONFIGMAPS,
    async start() {
      throw new Error("cannot load keys: sealbridge/keys (check RBAC)");
    },
    async reconcile() {
      return {};
    },
  });

  for (const leaderElect of [false, true]) {
    test(`a reconciler whose start fails stops the service with that error (leader election ${leaderElect ? "on" : "off"})`, async () => {
      const config = parseControllerConfig({
        flags: { kubeconfig: f.kubeconfigPath, httpAddr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0", logLevel: "silent", leaderElect, leaseDuration: "2s", leaseRenewDeadline: "1500ms", leaseRetryPeriod: "200ms" },
        env: {},
        hostname: "h",
        randomSuffix: "1",
      });
      await assert.rejects(
        runControllerService({ config, env: {}, stopSignal: new Promise<string>(() => undefined), factories: [{ name: "broken", create: async () => failing() }] }),
        /cannot load keys/,
      );
    });
  }

  test("a port in use fails at once, before any reconciler is built, and leaves nothing listening (issue 8)", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    let built = 0;
    const factories = [{ name: "broken", create: async () => (built++, failing()) }];
    try {
      for (const [flag, flags] of [
        ["--metrics-addr", { httpAddr: "127.0.0.1:0", metricsAddr: `127.0.0.1:${port}` }],
        ["--http-addr", { httpAddr: `127.0.0.1:${port}`, metricsAddr: "127.0.0.1:0" }],
      ] as const) {
        const config = parseControllerConfig({ flags: { kubeconfig: f.kubeconfigPath, logLevel: "silent", ...flags }, env: {}, hostname: "h", randomSuffix: "2" });
        await assert.rejects(runControllerService({ config, env: {}, stopSignal: new Promise<string>(() => undefined), factories }), {
          message: `address in use: 127.0.0.1:${port} (pass ${flag})`,
        });
      }
    } finally {
      blocker.close();
    }
    assert.equal(built, 0, "no reconciler was built (no key watch, no worker threads to wait for)");
    assert.equal(await portIsClosed(port), true);
  });

  test("--reconcilers selects the kinds built; an unknown kind in --reconcilers or --concurrency is refused before anything starts (issue 8)", async () => {
    const built: string[] = [];
    const kind = (name: string) => ({
      name,
      create: async (): Promise<Reconciler> => {
        built.push(name);
        return { name, resource: CONFIGMAPS, async reconcile() {
          return {};
        } };
      },
    });
    const factories = [kind("alpha"), kind("beta")];
    const configFor = (flags: Record<string, unknown>) =>
      parseControllerConfig({ flags: { kubeconfig: f.kubeconfigPath, httpAddr: "127.0.0.1:0", metricsAddr: "127.0.0.1:0", logLevel: "silent", ...flags }, env: {}, hostname: "h", randomSuffix: "3" });
    f.server.counters.reset();
    await assert.rejects(runControllerService({ config: configFor({ concurrency: ["foo=3"] }), env: {}, stopSignal: new Promise<string>(() => undefined), factories }), {
      message: 'unknown kind "foo": --concurrency (known: alpha, beta)',
    });
    await assert.rejects(runControllerService({ config: configFor({ reconcilers: "alpha,gamma" }), env: {}, stopSignal: new Promise<string>(() => undefined), factories }), /unknown kind "gamma": --reconcilers/);
    assert.deepEqual(built, []);
    assert.equal(f.server.counters.requests(), 0, "no request reached the API server");

    let stop: (s: string) => void = () => undefined;
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    const running = runControllerService({ config: configFor({ reconcilers: "beta" }), env: {}, stopSignal, factories });
    await eventually(() => built.length > 0, 10_000, "built");
    stop("test");
    await running;
    assert.deepEqual(built, ["beta"]);
  });
});
