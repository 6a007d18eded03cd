/**
 * Fixtures the controller's end-to-end tests share: a Kubernetes test server with a kubectl
 * workspace and the project's CRDs, applying objects with the real kubectl, reading a running
 * controller's metrics port from its log and scraping Prometheus samples.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import type { KubeObject } from "../../../src/kube/types.js";
import { startKubeServer } from "../../harness/kube/index.js";
import type { KubeTestServer } from "../../harness/kube/index.js";
import { startBackend } from "../../harness/realstack/backend.js";
import type { Backend } from "../../harness/realstack/backend.js";
import { kubeWorkspace } from "../../support/controller-process.js";
import type { ControllerProcess, KubeWorkspace } from "../../support/controller-process.js";
import { fileURLToPath } from "node:url";
import { waitEstablished } from "../../support/crd-wait.js";

export const CRDS_DIR = fileURLToPath(new URL("../../../crds/", import.meta.url));

/** A Kubernetes test server and a kubectl workspace for it. */
export interface ClusterFixture {
  server: KubeTestServer;
  ws: KubeWorkspace;
  /** Applies the objects with `kubectl apply -f` (asserts success). */
  apply(objs: KubeObject[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the server, installs `crds` (file names in crds/, default all of them) and creates
 * `namespaces` with kubectl.
 */
export async function clusterFixture(opts: { namespaces: string[]; crds?: string[] }): Promise<ClusterFixture> {
  const server = await startKubeServer();
  const ws = await kubeWorkspace(server);
  await applyCrds(ws, opts.crds);
  for (const ns of opts.namespaces) {
    const r = await ws.kubectl(["create", "namespace", ns]);
    assert.equal(r.code, 0, r.stderr);
  }
  return {
    server,
    ws,
    apply: (objs) => kubectlApply(ws, objs),
    async close() {
      await server.stop();
      ws.cleanup();
    },
  };
}

/** A backend (SEALBRIDGE_BACKEND: test servers or the real stack) with a kubectl workspace. */
export interface BackendClusterFixture {
  backend: Backend;
  ws: KubeWorkspace;
  /** Applies the objects with `kubectl apply -f` (asserts success). */
  apply(objs: KubeObject[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the backend chosen by SEALBRIDGE_BACKEND (with Vault unless `vault: false`), installs
 * `crds` (waiting until Established) and creates `namespaces` with kubectl.
 */
export async function backendClusterFixture(opts: { namespaces: string[]; crds?: string[]; vault?: boolean }): Promise<BackendClusterFixture> {
  const backend = await startBackend({ vault: opts.vault ?? true });
  const ws = await kubeWorkspace(backend.kube);
  await applyCrds(ws, opts.crds);
  const established = await waitEstablished((a) => ws.kubectl(a), ["crd", "--all"]);
  assert.equal(established.code, 0, established.stderr);
  for (const ns of opts.namespaces) {
    const r = await ws.kubectl(["create", "namespace", ns]);
    assert.equal(r.code, 0, r.stderr);
  }
  return {
    backend,
    ws,
    apply: (objs) => kubectlApply(ws, objs),
    async close() {
      await backend.stop();
      ws.cleanup();
    },
  };
}

/** `kubectl apply --server-side` of the project's CRDs (ESO's store CRDs exceed client-side apply's 256 KiB annotation): every file, or the named ones. */
export async function applyCrds(ws: KubeWorkspace, files?: string[]): Promise<void> {
  for (const path of files ? files.map((f) => join(CRDS_DIR, f)) : [CRDS_DIR]) {
    const r = await ws.kubectl(["apply", "--server-side", "-f", path]);
    assert.equal(r.code, 0, r.stderr);
  }
}

/** Writes the objects to a file in the workspace and `kubectl apply`s it (asserts success). */
export async function kubectlApply(ws: KubeWorkspace, objs: KubeObject[]): Promise<void> {
  const file = join(ws.dir, `apply-${randomBytes(4).toString("hex")}.yaml`);
  writeFileSync(file, objs.map((o) => toYaml(o)).join("---\n"));
  const r = await ws.kubectl(["apply", "-f", file]);
  assert.equal(r.code, 0, r.stderr);
}

/** The port of the controller's metrics server, from its "metrics server listening" log line. */
export function metricsPortOf(controller: ControllerProcess): number {
  for (const line of controller.output().split("\n")) {
    if (!line.includes('"metrics server listening"')) continue;
    const port = (JSON.parse(line) as { port?: unknown }).port;
    if (typeof port === "number") return port;
  }
  throw new Error(`no "metrics server listening" line in the controller's output:\n${controller.output()}`);
}

/** One sample's value from Prometheus text, by metric name and exact labels (0 when absent). */
export function sampleOf(metricsText: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of metricsText.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.keys(found).length !== Object.keys(labels).length) continue;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return 0;
}

/** GET /metrics of a running controller. */
export async function scrapeMetrics(controller: ControllerProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${metricsPortOf(controller)}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}
