/**
 * The healthy chain doctor walks, built on either backend (test servers or the real stack): all
 * CRDs applied with kubectl, a ClusterSecretStore on the backend's Vault with its token in a
 * Secret, the Service of the controller's HTTP API exposed through the API server's service proxy,
 * a VaultUnsealer watching a Vault node, a valid TLS Secret, and a real `sealbridge controller`
 * process (leader election on). `doctor(args)` runs the CLI as a process and parses its JSON.
 */
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import { doctorReportSchema, type DoctorReport } from "../../src/doctor/check-result.js";
import type { KubeObject } from "../../src/kube/types.js";
import type { Backend } from "../harness/realstack/backend.js";
import { kubeWorkspace, startController, waitFor, type ControllerProcess, type KubeWorkspace } from "../support/controller-process.js";
import { opensslCa, opensslLeaf, type TestCa } from "../support/openssl-certs.js";
import { runCli, type CliResult } from "../support/run-cli.js";
import { waitEstablished } from "../support/crd-wait.js";

const CRDS = fileURLToPath(new URL("../../crds/", import.meta.url));
export const NS = "sealbridge";
export const APP = "app";

/** A doctor run: exit code, output, and the parsed report (for `-o json`). */
export interface DoctorRun extends CliResult {
  report: DoctorReport | undefined;
}

/** The scenario's state and controls. */
export interface DoctorScenario {
  backend: Backend;
  ws: KubeWorkspace;
  ca: TestCa;
  controller(): ControllerProcess;
  /** Starts (again) the controller process with leader election. */
  startController(): Promise<void>;
  apply(objs: KubeObject[]): Promise<void>;
  kubectl(args: string[]): Promise<void>;
  /** Runs `sealbridge doctor -o json --kubeconfig <ws>` plus `args`; parses the report when stdout has one. */
  doctor(args?: string[], env?: Record<string, string>): Promise<DoctorRun>;
  condition(path: string, type: string): Promise<{ status: string; reason?: string; message?: string } | undefined>;
  stop(): Promise<void>;
}

/** A kubernetes.io/tls Secret with a leaf of `ca`, valid between the dates, and a canary key. */
export function tlsSecret(ca: TestCa, name: string, notBefore: Date, notAfter: Date, canary: string): KubeObject {
  const leaf = opensslLeaf(ca, [`${name}.example.test`], notBefore, notAfter);
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name, namespace: APP },
    stringData: { "tls.crt": leaf.certPem, "tls.key": leaf.keyPem, canary },
  };
}

/**
 * Sets the chain up on `backend` and waits until the controller has validated the store and
 * checked the unsealer's node.
 * @param unsealerAddress the Vault node the VaultUnsealer watches (alert only: no shares).
 */
export async function healthyChain(backend: Backend, unsealerAddress: string, canary: string): Promise<DoctorScenario> {
  const ws = await kubeWorkspace(backend.kube);
  const ca = opensslCa();
  let controller: ControllerProcess | undefined;
  const kubectl = async (args: string[]): Promise<void> => {
    const r = await ws.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  };
  const apply = async (objs: KubeObject[]): Promise<void> => {
    const file = join(ws.dir, `apply-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, objs.map((o) => toYaml(o)).join("---\n"));
    await kubectl(["apply", "-f", file]);
  };
  for (const file of readdirSync(CRDS).filter((f) => f.endsWith(".yaml"))) await kubectl(["apply", "--server-side", "-f", join(CRDS, file)]);
  assert.equal((await waitEstablished((a) => ws.kubectl(a), ["crd", "--all"])).code, 0);
  for (const ns of [NS, APP]) await backend.kube.admin.ensure("/api/v1/namespaces", { metadata: { name: ns } });
  const year = 365 * 86_400_000;
  await apply([
    { apiVersion: "v1", kind: "Secret", metadata: { name: "vault-token", namespace: NS }, stringData: { token: backend.vault.rootToken } },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "ClusterSecretStore",
      metadata: { name: "vault-backend" },
      spec: { provider: { vault: { server: backend.vault.addr, path: "secret", version: "v2", auth: { tokenSecretRef: { name: "vault-token", key: "token", namespace: NS } } } } },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "sealbridge", namespace: NS }, spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }] } },
    { apiVersion: "sealbridge.io/v1alpha1", kind: "VaultUnsealer", metadata: { name: "vault-watch", namespace: NS }, spec: { nodes: { addresses: [unsealerAddress] }, sharesToUse: 0, checkInterval: "1s" } },
    tlsSecret(ca, "www-tls", new Date(Date.now() - year), new Date(Date.now() + 2 * year), canary),
  ]);
  const start = async (): Promise<void> => {
    controller = await startController(ws, ["--namespace", NS, "--leader-elect", "--vault-unsealer", "--key-renew-period", "0"], 60_000);
    await backend.exposeService(NS, "sealbridge", controller.port);
    await waitFor("the controller ready through the service proxy", async () => (await backend.kube.admin.send("GET", `/api/v1/namespaces/${NS}/services/http:sealbridge:http/proxy/readyz`)).status === 200, 60_000);
  };
  await start();
  const scenario: DoctorScenario = {
    backend,
    ws,
    ca,
    controller: () => {
      assert.ok(controller, "the controller was started");
      return controller;
    },
    startController: start,
    apply,
    kubectl,
    async doctor(args = [], env = {}) {
      const r = await runCli(["doctor", "-o", "json", "--kubeconfig", ws.kubeconfig, ...args], { env: { HOME: ws.dir, ...env } });
      let report: DoctorReport | undefined;
      if (r.stdout.trim().startsWith("{")) report = doctorReportSchema.parse(JSON.parse(r.stdout));
      return { ...r, report };
    },
    async condition(path, type) {
      const o = (await backend.get(path)) as { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } } | undefined;
      return o?.status?.conditions?.find((c) => c.type === type);
    },
    async stop() {
      await controller?.stop();
      ws.cleanup();
      ca.dispose();
    },
  };
  await waitFor("the ClusterSecretStore Ready", async () => (await scenario.condition("/apis/external-secrets.io/v1/clustersecretstores/vault-backend", "Ready"))?.status === "True", 60_000);
  await waitFor("the VaultUnsealer's node status", async () => {
    const u = (await backend.get(`/apis/sealbridge.io/v1alpha1/namespaces/${NS}/vaultunsealers/vault-watch`)) as { status?: { nodes?: Array<{ sealed?: boolean }> } } | undefined;
    return u?.status?.nodes?.[0]?.sealed === false;
  }, 60_000);
  return scenario;
}

/** A Vault call as root; the parsed body. @throws Error on an answer >= 400. */
async function vaultCall(addr: string, token: string, method: string, path: string, body?: unknown): Promise<{ data?: Record<string, string> } | undefined> {
  const res = await fetch(`${addr}/v1/${path}`, { method, headers: { "X-Vault-Token": token, "Content-Type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 400) throw new Error(`Vault ${method} ${path}: HTTP ${res.status}`);
  const text = await res.text();
  return text === "" ? undefined : (JSON.parse(text) as { data?: Record<string, string> });
}

/** Enables AppRole on a Vault (as root) with role `doctor`; its role_id and a secret_id. */
export async function appRole(addr: string, rootToken: string): Promise<{ roleId: string; secretId: string }> {
  await vaultCall(addr, rootToken, "POST", "sys/auth/approle", { type: "approle" });
  await vaultCall(addr, rootToken, "POST", "auth/approle/role/doctor", { token_policies: "default" });
  const roleId = (await vaultCall(addr, rootToken, "GET", "auth/approle/role/doctor/role-id"))?.data?.["role_id"] ?? "";
  const secretId = (await vaultCall(addr, rootToken, "POST", "auth/approle/role/doctor/secret-id"))?.data?.["secret_id"] ?? "";
  assert.ok(roleId !== "" && secretId !== "", "AppRole set up");
  return { roleId, secretId };
}

/** A SecretStore in APP logging in with AppRole (a real login, so the controller's status tells sealed and refused). */
export function appRoleStore(name: string, server: string, roleId: string, secretId: string): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Secret", metadata: { name: `${name}-approle`, namespace: APP }, stringData: { "secret-id": secretId } },
    {
      apiVersion: "external-secrets.io/v1",
      kind: "SecretStore",
      metadata: { name, namespace: APP },
      spec: { provider: { vault: { server, path: "secret", auth: { appRole: { path: "approle", roleId, secretRef: { name: `${name}-approle`, key: "secret-id" } } } } } },
    },
  ];
}

/** The link a report names first, with the whole report in the assertion message. */
export function assertFirstFailure(run: DoctorRun, link: string | null): void {
  const detail = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  assert.ok(run.report, `doctor printed a JSON report: ${detail}`);
  assert.equal(run.report.firstFailure, link, detail);
  assert.equal(run.code, link === null ? 0 : 1, detail);
}
