/**
 * What the real-tier tests share: a started real stack, kubectl workspaces (admin, or a
 * ServiceAccount token), OpenBao calls as root, and state read back through the API as admin.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify as toYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { workspaceAt } from "../../support/controller-process.js";
import type { KubeWorkspace } from "../../support/controller-process.js";
import { jsonRequest } from "./admin-client.js";
import type { KubeHttp } from "./admin-client.js";
import { startRealStack } from "./stack.js";
import type { RealStack } from "./stack.js";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const CRDS_DIR = join(REPO, "crds");
export const FIXTURES = join(REPO, "test", "fixtures");

/** A condition as the API returns it. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A started real stack with helpers. */
export interface RealFixture {
  stack: RealStack;
  admin: KubeHttp;
  /** kubectl as admin. */
  ws: KubeWorkspace;
  /** A workspace whose kubeconfig user is `token` (a ServiceAccount's). */
  workspaceFor(token: string): KubeWorkspace;
  /** `kubectl apply -f` of the objects as admin (asserts success). */
  apply(objs: KubeObject[]): Promise<void>;
  /** An OpenBao call as root; the parsed body (throws on >= 400). */
  bao<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A Secret's data decoded, or undefined when it does not exist. */
  secretData(ns: string, name: string): Promise<Record<string, string> | undefined>;
  /** One condition of an object at `path`. */
  condition(path: string, type: string): Promise<Condition | undefined>;
  close(): Promise<void>;
}

function workspace(stack: RealStack, token?: string): KubeWorkspace {
  const dir = mkdtempSync(join(tmpdir(), "sb-real-ws-"));
  stack.kube.writeKubeconfig(join(dir, "kubeconfig"), token !== undefined ? { token } : {});
  return workspaceAt(dir);
}

/**
 * Starts a real stack (kube-controller-manager and OpenBao included).
 * @throws Error when a component is not built or does not start.
 */
export async function realFixture(): Promise<RealFixture> {
  const stack = await startRealStack();
  const ws = workspace(stack);
  const extra: KubeWorkspace[] = [];
  const admin = stack.kube.admin;
  const vault = stack.vault;
  assert.ok(vault, "OpenBao runs");
  return {
    stack,
    admin,
    ws,
    workspaceFor(token) {
      const w = workspace(stack, token);
      extra.push(w);
      return w;
    },
    async apply(objs) {
      const file = join(ws.dir, `apply-${randomBytes(4).toString("hex")}.yaml`);
      writeFileSync(file, objs.map((o) => toYaml(o)).join("---\n"));
      const r = await ws.kubectl(["apply", "-f", file]);
      assert.equal(r.code, 0, r.stderr);
    },
    async bao<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await jsonRequest(`${vault.addr}/v1/${path}`, method, { vaultToken: vault.rootToken, ...(body !== undefined ? { body } : {}) });
      if (res.status >= 400) throw new Error(`OpenBao ${method} ${path}: ${res.status} ${res.text}`);
      return res.body as T;
    },
    async secretData(ns, name) {
      const s = (await admin.get(`/api/v1/namespaces/${ns}/secrets/${name}`)) as { data?: Record<string, string> } | undefined;
      if (s === undefined) return undefined;
      return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    },
    async condition(path, type) {
      const o = (await admin.get(path)) as { status?: { conditions?: Condition[] } } | undefined;
      return o?.status?.conditions?.find((c) => c.type === type);
    },
    async close() {
      await stack.stop();
      ws.cleanup();
      for (const w of extra) w.cleanup();
    },
  };
}

/** Polls `check` every 200 ms until truthy. @throws Error naming `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
