/**
 * The two Vault backends the seal scenarios run on: the in-process Vault test server (an HA
 * cluster over shared storage, unit speed) and a real OpenBao raft cluster on loopback (the
 * real-stack tier). Both start uninitialised and sealed; a restarted node comes back sealed.
 */
import { createServer } from "node:net";
import { startVaultServer } from "../harness/vault/index.js";
import { startBaoRaftCluster } from "../harness/realstack/openbao-raft.js";

/** Which backend: `testenv` (default) or `real`, as SEALBRIDGE_BACKEND names them. */
export type BackendKind = "testenv" | "real";

/** A running Vault cluster for the seal scenarios. */
export interface SealBackend {
  kind: BackendKind;
  addrs: string[];
  /** Restarts node i; it comes back sealed (the others keep their state). */
  restart(i: number): Promise<void>;
  /** Requests to sys/unseal seen so far (testenv only; undefined on real OpenBao). */
  unsealRequests(): number | undefined;
  close(): Promise<void>;
}

/** Starts a 3-node cluster of the given kind. */
export async function startSealBackend(kind: BackendKind, nodes = 3): Promise<SealBackend> {
  if (kind === "real") {
    const c = await startBaoRaftCluster({ nodes });
    return {
      kind,
      addrs: c.addrs,
      restart: (i) => c.nodes[i]?.restart() ?? Promise.resolve(),
      unsealRequests: () => undefined,
      close: () => c.close(),
    };
  }
  const v = await startVaultServer({ mode: "new", nodes });
  return {
    kind,
    addrs: v.addrs,
    restart: (i) => v.node(i).restart(),
    unsealRequests: () => v.counters.requests(undefined, /^\/v1\/sys\/unseal$/),
    close: () => v.stop(),
  };
}

/** The backend named by SEALBRIDGE_BACKEND (default testenv). */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendKind {
  return env["SEALBRIDGE_BACKEND"] === "real" ? "real" : "testenv";
}

/** An address on 127.0.0.1 where nothing listens. */
export async function deadAddress(): Promise<string> {
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const p = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(p));
    });
  });
  return `http://127.0.0.1:${port}`;
}
