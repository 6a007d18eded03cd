/**
 * The real stack: etcd, kube-apiserver (RBAC, ServiceAccount admission, TokenRequest/TokenReview,
 * OwnerReferencesPermissionEnforcement), kube-controller-manager (garbage collection,
 * Deployment→ReplicaSet, namespaces, ServiceAccounts) and an OpenBao dev server, from the cached
 * builds (build.ts), on free loopback ports. Writes the same files as the test environment
 * (testenv.ts): `DIR/kubeconfig` (admin token), `DIR/vault-nodes` and, last and atomically,
 * `DIR/env` (`VAULT_ADDR`, `VAULT_TOKEN`, `KUBECONFIG`). OpenBao's `auth/kubernetes` is enabled
 * and pointed at the apiserver with a token reviewer ServiceAccount bound to
 * `system:auth-delegator`, so Kubernetes auth works out of the box, as in testenv.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify as toYaml } from "yaml";
import { KubeHttp, jsonRequest } from "./admin-client.js";
import { COMPONENT_PROGRAMS, missingComponents } from "./build.js";
import { makePki } from "./pki.js";
import { freePort, startProcess, waitReady } from "./process.js";
import type { ServerProcess } from "./process.js";
import { componentDir } from "./versions.js";

/** Options of {@link startRealStack}. */
export interface RealStackOptions {
  /** Where to write the files (created if missing); a fresh temp directory by default. */
  dir?: string;
  /** Run kube-controller-manager (default true). */
  controllerManager?: boolean;
  /** Run OpenBao (default true). */
  openbao?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The kube-apiserver of a running stack. */
export interface RealKube {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  caPem: string;
  /** Static token of user `admin` in `system:masters`. */
  adminToken: string;
  /** ServiceAccount token issuer (the default API audience). */
  issuer: string;
  /** An admin client. */
  admin: KubeHttp;
  /** kubeconfig YAML (certificate-authority-data, a token user, namespace `default` unless given). */
  kubeconfig(opts?: { token?: string; namespace?: string }): string;
  writeKubeconfig(path: string, opts?: { token?: string; namespace?: string }): void;
}

/** The OpenBao dev server of a running stack. */
export interface RealVault {
  addr: string;
  rootToken: string;
}

/** A running real stack. */
export interface RealStack {
  dir: string;
  kube: RealKube;
  vault: RealVault | undefined;
  envFile: string;
  kubeconfigPath: string;
  processes: ServerProcess[];
  /** Stops every process (the files stay; etcd's data is removed). */
  stop(): Promise<void>;
}

/** A `KEY=value` line, single-quoting the value only when a shell would need it (as testenv). */
function envLine(key: string, value: string): string {
  return /^[A-Za-z0-9_./:@%+,=-]*$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/'/g, "'\\''")}'`;
}

function program(component: "kubernetes" | "etcd" | "openbao", name: string, env: NodeJS.ProcessEnv): string {
  return join(componentDir(component, env), name);
}

/** Enables auth/kubernetes in OpenBao with a TokenRequest token of a reviewer ServiceAccount. */
async function configureKubernetesAuth(vault: RealVault, kube: RealKube): Promise<void> {
  const a = kube.admin;
  await a.ensure("/api/v1/namespaces/kube-system/serviceaccounts", { metadata: { name: "openbao-token-reviewer" } });
  await a.ensure("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    metadata: { name: "openbao-token-reviewer" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
    subjects: [{ kind: "ServiceAccount", name: "openbao-token-reviewer", namespace: "kube-system" }],
  });
  const reviewer = await a.serviceAccountToken("kube-system", "openbao-token-reviewer", { expirationSeconds: 7 * 86_400 });
  const call = async (path: string, body: unknown): Promise<void> => {
    const res = await jsonRequest(`${vault.addr}/v1/${path}`, "POST", { vaultToken: vault.rootToken, body });
    if (res.status >= 300) throw new Error(`realstack: OpenBao setup failed: POST ${path} answered ${res.status}: ${res.text}`);
  };
  await call("sys/auth/kubernetes", { type: "kubernetes" });
  await call("auth/kubernetes/config", { kubernetes_host: kube.url, kubernetes_ca_cert: kube.caPem, token_reviewer_jwt: reviewer });
}

/**
 * Starts the stack and writes DIR/kubeconfig, DIR/vault-nodes, then DIR/env.
 * @throws Error when a component is not built (saying how to build it) or does not start (its log tail); everything started is stopped.
 */
export async function startRealStack(opts: RealStackOptions = {}): Promise<RealStack> {
  const env = opts.env ?? process.env;
  const missing = missingComponents(env);
  if (missing.length > 0) {
    throw new Error(`realstack: not built: ${missing.join(", ")} (run \`npm run -s realstack:build\`, or \`npm run test:real\`, which builds what is missing)`);
  }
  const dir = opts.dir === undefined ? mkdtempSync(join(tmpdir(), "sealbridge-realstack-")) : resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const processes: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of [...processes].reverse()) await p.stop();
    rmSync(join(dir, "etcd"), { recursive: true, force: true });
  };
  try {
    const pki = makePki(dir);
    const [etcdClient, etcdPeer, kasPort, baoPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const adminToken = randomBytes(24).toString("hex");
    writeFileSync(join(dir, "tokens.csv"), `${adminToken},admin,admin-uid,system:masters\n`, { mode: 0o600 });
    rmSync(join(dir, "etcd"), { recursive: true, force: true });

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = startProcess("etcd", program("etcd", COMPONENT_PROGRAMS.etcd[0] ?? "etcd", env), [
      `--data-dir=${join(dir, "etcd")}`, "--name=default",
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`, "--unsafe-no-fsync", "--log-level=warn",
    ], join(dir, "etcd.log"), env);
    processes.push(etcd);

    let vault: RealVault | undefined;
    let bao: ServerProcess | undefined;
    if (opts.openbao ?? true) {
      vault = { addr: `http://127.0.0.1:${baoPort}`, rootToken: `root-${randomBytes(12).toString("hex")}` };
      bao = startProcess("openbao", program("openbao", "bin/bao", env), [
        "server", "-dev", `-dev-root-token-id=${vault.rootToken}`, `-dev-listen-address=127.0.0.1:${baoPort}`, "-dev-no-store-token",
      ], join(dir, "openbao.log"), { ...env, HOME: dir });
      processes.push(bao);
    }
    await waitReady(etcd, `${etcdUrl}/health`, { timeoutMs: 60_000 });

    const url = `https://127.0.0.1:${kasPort}`;
    const kas = startProcess("kube-apiserver", program("kubernetes", "kube-apiserver", env), [
      `--etcd-servers=${etcdUrl}`, "--bind-address=127.0.0.1", `--secure-port=${kasPort}`, `--cert-dir=${join(dir, "kas")}`,
      `--tls-cert-file=${pki.serverCert}`, `--tls-private-key-file=${pki.serverKey}`, `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${join(dir, "tokens.csv")}`, "--authorization-mode=Node,RBAC", "--anonymous-auth=false",
      `--service-account-issuer=${url}`, `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      "--service-cluster-ip-range=10.0.0.0/24", "--enable-admission-plugins=OwnerReferencesPermissionEnforcement",
      "--profiling=false", "--v=1",
    ], join(dir, "kube-apiserver.log"), env);
    processes.push(kas);
    await waitReady(kas, `${url}/readyz`, { ca: pki.caPem, token: adminToken, timeoutMs: 180_000 });

    const kubeconfig = (o: { token?: string; namespace?: string } = {}): string =>
      toYaml({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "sealbridge-realstack", cluster: { server: url, "certificate-authority-data": Buffer.from(pki.caPem).toString("base64") } }],
        users: [{ name: "sealbridge-realstack-user", user: { token: o.token ?? adminToken } }],
        contexts: [{ name: "sealbridge-realstack", context: { cluster: "sealbridge-realstack", user: "sealbridge-realstack-user", namespace: o.namespace ?? "default" } }],
        "current-context": "sealbridge-realstack",
        preferences: {},
      });
    const kube: RealKube = {
      url,
      caPem: pki.caPem,
      adminToken,
      issuer: url,
      admin: new KubeHttp(url, pki.caPem, adminToken),
      kubeconfig,
      writeKubeconfig: (path, o) => writeFileSync(path, kubeconfig(o), { mode: 0o600 }),
    };
    const kubeconfigPath = join(dir, "kubeconfig");
    kube.writeKubeconfig(kubeconfigPath);

    if (opts.controllerManager ?? true) {
      const kcm = startProcess("kube-controller-manager", program("kubernetes", "kube-controller-manager", env), [
        `--kubeconfig=${kubeconfigPath}`, "--leader-elect=false", "--secure-port=0",
        `--service-account-private-key-file=${pki.saKey}`, `--root-ca-file=${pki.caCert}`, "--use-service-account-credentials=false",
        "--v=1",
      ], join(dir, "kube-controller-manager.log"), env);
      processes.push(kcm);
      // Ready once its ServiceAccounts controller has made the default ServiceAccount.
      const deadline = Date.now() + 120_000;
      while ((await kube.admin.get("/api/v1/namespaces/default/serviceaccounts/default")) === undefined) {
        if (kcm.exited()) throw new Error(`realstack: kube-controller-manager exited during startup (log ${kcm.logPath}):\n${kcm.tail()}`);
        if (Date.now() > deadline) throw new Error(`realstack: kube-controller-manager made no default ServiceAccount within 120 s (log ${kcm.logPath}):\n${kcm.tail()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    if (vault !== undefined && bao !== undefined) {
      await waitReady(bao, `${vault.addr}/v1/sys/health`, { timeoutMs: 60_000 });
      await configureKubernetesAuth(vault, kube);
    }
    writeFileSync(join(dir, "vault-nodes"), vault !== undefined ? `${vault.addr}\n` : "");
    const lines: string[] = [];
    if (vault !== undefined) lines.push(envLine("VAULT_ADDR", vault.addr), envLine("VAULT_TOKEN", vault.rootToken));
    lines.push(envLine("KUBECONFIG", kubeconfigPath));
    const envFile = join(dir, "env");
    writeFileSync(`${envFile}.tmp`, `${lines.join("\n")}\n`, { mode: 0o600 });
    renameSync(`${envFile}.tmp`, envFile);
    return { dir, kube, vault, envFile, kubeconfigPath, processes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether a stack's programs exist (for messages; {@link startRealStack} checks by itself). */
export function realStackBuilt(env: NodeJS.ProcessEnv = process.env): boolean {
  return missingComponents(env).length === 0 && existsSync(program("kubernetes", "kube-apiserver", env));
}
