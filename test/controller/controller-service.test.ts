import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { parseControllerConfig } from "../../src/controller/config.js";
import { runControllerService } from "../../src/controller/controller-service.js";
import type { Reconciler } from "../../src/controller/types.js";
import { kubeFixture, NAMESPACES } from "../kube/kube-fixture.js";
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
        runControllerService({ config, env: {}, stopSignal: new Promise<string>(() => undefined), factories: [async () => failing()] }),
        /cannot load keys/,
      );
    });
  }

  test("a port in use fails at start-up and leaves nothing listening", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const config = parseControllerConfig({
      flags: { kubeconfig: f.kubeconfigPath, httpAddr: "127.0.0.1:0", metricsAddr: `127.0.0.1:${port}`, logLevel: "silent" },
      env: {},
      hostname: "h",
      randomSuffix: "2",
    });
    try {
      await assert.rejects(runControllerService({ config, env: {}, stopSignal: new Promise<string>(() => undefined), factories: [] }), /cannot listen on 127.0.0.1:\d+: --metrics-addr \(EADDRINUSE/);
    } finally {
      blocker.close();
    }
    assert.equal(await portIsClosed(port), true);
  });
});
