// Shared set-up for tests that talk to the Kubernetes test server through our KubeClient.
import { HttpKubeClient } from "../../src/kube/client.js";
import { loadKubeConnection } from "../../src/kube/config.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeClient } from "../../src/kube/types.js";
import { startKubeServer } from "../harness/kube/index.js";
import type { KubeTestServer } from "../harness/kube/index.js";
import { CONFIGMAPS, NAMESPACES, SECRETS } from "../../src/kube/resources.js";
export { CONFIGMAPS, NAMESPACES, SECRETS };


export interface KubeFixture {
  server: KubeTestServer;
  kube: KubeClient;
  kubeconfigPath: string;
  dir: string;
  /** Another client with its own connection (a second controller). */
  newClient(): Promise<KubeClient & { close(): void }>;
  close(): Promise<void>;
}

export async function kubeFixture(): Promise<KubeFixture> {
  const server = await startKubeServer({ bookmarkIntervalMs: 200 });
  const dir = await mkdtemp(join(tmpdir(), "sealbridge-kube-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  await server.writeKubeconfig(kubeconfigPath);
  const agents: Array<{ destroy(): void }> = [];
  const newClient = async (): Promise<KubeClient & { close(): void }> => {
    const conn = await loadKubeConnection({ kubeconfig: kubeconfigPath, env: {} });
    agents.push(conn.agent);
    const client = new HttpKubeClient(conn) as HttpKubeClient & { close(): void };
    client.close = () => conn.agent.destroy();
    return client;
  };
  const kube = await newClient();
  return {
    server,
    kube,
    kubeconfigPath,
    dir,
    newClient,
    async close() {
      for (const a of agents) a.destroy();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
