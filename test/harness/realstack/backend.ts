/**
 * One backend for the scenario tests that drive real clients (kubectl, the controller process,
 * node-vault): the test servers (testenv.ts, the default) or the real stack (stack.ts), chosen by
 * `SEALBRIDGE_BACKEND=testenv|real`. Both offer the same things: the API server's URL, CA and admin
 * token, a kubeconfig writer, an admin HTTP client (for setup and for reading state back through
 * the API, never through a server's internals) and a Vault/OpenBao dev server whose
 * `auth/kubernetes` already points at the API server.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../../src/kube/types.js";
import { startKubeServer } from "../kube/index.js";
import type { KubeTestServer } from "../kube/index.js";
import { startTestEnv } from "../testenv.js";
import { KubeHttp } from "./admin-client.js";
import { createNetNs } from "./netns.js";
import type { NetNs } from "./netns.js";
import { pointServiceAt } from "./service-endpoints.js";
import { startRealStack } from "./stack.js";

/** Which servers a scenario runs against. */
export type BackendKind = "testenv" | "real";

/**
 * The backend named by `SEALBRIDGE_BACKEND` (default testenv).
 * @throws Error for any other value.
 */
export function backendKind(env: NodeJS.ProcessEnv = process.env): BackendKind {
  const v = env["SEALBRIDGE_BACKEND"] ?? "testenv";
  if (v !== "testenv" && v !== "real") throw new Error(`SEALBRIDGE_BACKEND must be testenv or real, got "${v}" (unset it for the test servers)`);
  return v;
}

/** A running backend. */
export interface Backend {
  kind: BackendKind;
  dir: string;
  kube: {
    url: string;
    caPem: string;
    adminToken: string;
    admin: KubeHttp;
    writeKubeconfig(path: string, opts?: { token?: string; namespace?: string }): Promise<void>;
  };
  /** The Vault/OpenBao dev server (throws when started with `vault: false`). */
  vault: { addr: string; rootToken: string };
  /** Objects at a list path (`/api/v1/namespaces/x/secrets`), read as admin through the API. */
  list(path: string): Promise<KubeObject[]>;
  /** One object by path, or undefined when it does not exist. */
  get(path: string): Promise<KubeObject | undefined>;
  /**
   * Makes the API server's service proxy for the existing Service `namespace/service` (port 8080,
   * named http) reach `127.0.0.1:targetPort`: the test server's proxy table, or on the real stack a
   * listener inside a network namespace made for this (the apiserver refuses loopback endpoints).
   */
  exposeService(namespace: string, service: string, targetPort: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the backend `kind` (default: from SEALBRIDGE_BACKEND).
 * @throws Error when the servers cannot start (for the real stack: when a component is not built, saying how to build it).
 */
export async function startBackend(opts: { kind?: BackendKind; dir?: string; vault?: boolean } = {}): Promise<Backend> {
  const kind = opts.kind ?? backendKind();
  const dirOpt = opts.dir !== undefined ? { dir: opts.dir } : {};
  const noVault = {
    get addr(): string {
      throw new Error("this backend was started without Vault (startBackend({ vault: false }))");
    },
    get rootToken(): string {
      throw new Error("this backend was started without Vault (startBackend({ vault: false }))");
    },
  };
  let base: Omit<Backend, "list" | "get">;
  if (kind === "testenv" && opts.vault === false) {
    const kube: KubeTestServer = await startKubeServer();
    base = {
      kind,
      dir: opts.dir ?? mkdtempSync(join(tmpdir(), "sealbridge-testenv-")),
      kube: { url: kube.url, caPem: kube.caPem, adminToken: kube.adminToken, admin: new KubeHttp(kube.url, kube.caPem, kube.adminToken), writeKubeconfig: (path, o) => kube.writeKubeconfig(path, o) },
      vault: noVault,
      exposeService: async (namespace, service, targetPort) => kube.setServiceBackend(namespace, service, `http://127.0.0.1:${targetPort}`),
      stop: () => kube.stop(),
    };
  } else if (kind === "testenv") {
    const env = await startTestEnv({ ...dirOpt, vaultMode: "dev" });
    base = {
      kind,
      dir: env.dir,
      kube: {
        url: env.kube.url,
        caPem: env.kube.caPem,
        adminToken: env.kube.adminToken,
        admin: new KubeHttp(env.kube.url, env.kube.caPem, env.kube.adminToken),
        writeKubeconfig: (path, o) => env.kube.writeKubeconfig(path, o),
      },
      vault: { addr: env.vault.addr, rootToken: env.vault.rootToken ?? "" },
      exposeService: async (namespace, service, targetPort) => env.kube.setServiceBackend(namespace, service, `http://127.0.0.1:${targetPort}`),
      stop: () => env.stop(),
    };
  } else {
    const stack = await startRealStack({ ...dirOpt, openbao: opts.vault !== false });
    let netns: NetNs | undefined;
    base = {
      kind,
      dir: stack.dir,
      kube: {
        url: stack.kube.url,
        caPem: stack.kube.caPem,
        adminToken: stack.kube.adminToken,
        admin: stack.kube.admin,
        writeKubeconfig: async (path, o) => stack.kube.writeKubeconfig(path, o),
      },
      vault: stack.vault ?? noVault,
      async exposeService(namespace, service, targetPort) {
        netns ??= createNetNs();
        await netns.serveInside(8080, targetPort, stack.dir);
        await pointServiceAt(stack.kube.admin, namespace, service, netns.address, 8080);
      },
      async stop() {
        await netns?.remove();
        await stack.stop();
      },
    };
  }
  const admin = base.kube.admin;
  return {
    ...base,
    async list(path) {
      return ((await admin.must("GET", path)) as { items: KubeObject[] }).items;
    },
    async get(path) {
      return (await admin.get(path)) as KubeObject | undefined;
    },
  };
}
