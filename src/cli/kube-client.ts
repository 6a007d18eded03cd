/**
 * The Kubernetes client of the CLI's commands: the one kubeconfig loader (flag, KUBECONFIG,
 * ~/.kube/config, in-cluster) and sealbridge's user agent. The client code is imported when a
 * command asks for it, so registering commands at start-up does not load it.
 */
import type { HttpKubeClient } from "../kube/client.js";

/** A client for `opts`' kubeconfig and context; `close()` ends its connections. */
export async function cliKubeClient(opts: { kubeconfig?: string | undefined; context?: string | undefined }): Promise<{ kube: HttpKubeClient; close(): void }> {
  const [{ loadKubeConnection }, { HttpKubeClient }, { VERSION }] = await Promise.all([
    import("../kube/config.js"),
    import("../kube/client.js"),
    import("../version.js"),
  ]);
  const connection = await loadKubeConnection({ kubeconfig: opts.kubeconfig, context: opts.context, env: process.env });
  return { kube: new HttpKubeClient(connection, { userAgent: `sealbridge/${VERSION}` }), close: () => connection.agent.destroy() };
}
