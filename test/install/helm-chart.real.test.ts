/**
 * charts/sealbridge rendered by the real helm CLI (built from helm.sh/helm/v3/cmd/helm, see
 * test/harness/realstack/build-helm.ts) equals `install --export` (installObjects) object for object,
 * the Namespace aside (helm --create-namespace makes it): defaults, every feature set, the compat
 * CRDs, the sealed-secrets drop-in Service in kube-system, Prometheus. Bad values are refused with
 * a message naming the value. On the real API server: helm install creates the objects and helm
 * uninstall removes them but keeps the CRDs; the rendering applies with real kubectl --server-side.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { installObjects } from "../../src/install/manifests.js";
import type { InstallOptions } from "../../src/install/manifests.js";
import { RBAC_FEATURE_NAMES } from "../../src/install/rbac.js";
import type { KubeObject } from "../../src/kube/types.js";
import { helmBinary, helmBuilt } from "../harness/realstack/build-helm.js";
import { realFixture } from "../harness/realstack/real-fixture.js";
import { run } from "../support/controller-process.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { REALSTACK_VERSIONS } from "../harness/realstack/versions.js";
import { repoPath } from "../support/repo-root.js";

const CHART = repoPath("charts", "sealbridge");
const KEEP = "helm.sh/resource-policy";

/** `helm template sealbridge charts/sealbridge --namespace NS` with the options as values. */
function helmTemplate(namespace: string, opts: Partial<InstallOptions> & { keepCrds?: boolean }): { code: number | null; stdout: string; stderr: string } {
  const args = ["template", "sealbridge", CHART, "--namespace", namespace];
  if (opts.image !== undefined) args.push("--set", `image=${opts.image}`);
  if (opts.features !== undefined) args.push("--set-json", `features=${JSON.stringify(opts.features)}`);
  if (opts.withCompatCrds !== undefined) args.push("--set", `withCompatCrds=${String(opts.withCompatCrds)}`);
  if (opts.serviceName !== undefined) args.push("--set", `serviceName=${opts.serviceName}`);
  if (opts.prometheus !== undefined) args.push("--set", `prometheus=${String(opts.prometheus)}`);
  if (opts.keepCrds !== undefined) args.push("--set", `keepCrds=${String(opts.keepCrds)}`);
  const r = spawnSync(helmBinary(), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), "sb-helm-cache"), HELM_CONFIG_HOME: join(tmpdir(), "sb-helm-config") } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rendered(namespace: string, opts: Partial<InstallOptions> & { keepCrds?: boolean }): KubeObject[] {
  const r = helmTemplate(namespace, opts);
  assert.equal(r.code, 0, `helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => o !== null);
}

/** kubectl's `Kind.group` for an object (`Kind` for the core group). */
function resourceArg(o: KubeObject): string {
  const group = (o.apiVersion ?? "").includes("/") ? (o.apiVersion ?? "").split("/")[0] : undefined;
  return group !== undefined ? `${o.kind ?? ""}.${group}` : (o.kind ?? "");
}

const keyOf = (o: KubeObject): string => `${o.apiVersion ?? ""} ${o.kind ?? ""} ${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;

/** The chart's CRDs carry the keep annotation (keepCrds, default true) and nothing else differs. */
function withoutKeep(o: KubeObject): KubeObject {
  if (o.kind !== "CustomResourceDefinition") return o;
  const annotations = { ...(o.metadata.annotations ?? {}) };
  assert.equal(annotations[KEEP], "keep", `${keyOf(o)}: ${KEEP}: keep (keepCrds defaults to true)`);
  delete annotations[KEEP];
  const { annotations: _old, ...rest } = o.metadata;
  return { ...o, metadata: Object.keys(annotations).length === 0 ? rest : { ...rest, annotations } };
}

function assertSameObjects(namespace: string, opts: Partial<InstallOptions> & { keepCrds?: boolean }): void {
  const fromHelm = rendered(namespace, opts).map((o) => (opts.keepCrds === false ? o : withoutKeep(o)));
  const { keepCrds: _keep, ...installOpts } = opts;
  const exported = installObjects({ ...installOpts, namespace }).filter((o) => o.kind !== "Namespace");
  const label = JSON.stringify(opts);
  assert.deepEqual(fromHelm.map(keyOf).sort(), exported.map(keyOf).sort(), `${label}: the same objects`);
  const byKey = new Map(fromHelm.map((o) => [keyOf(o), o]));
  for (const o of exported) assert.deepEqual(byKey.get(keyOf(o)), o, `${label}: ${keyOf(o)}`);
}

describe("the Helm chart with the real helm CLI", () => {
  before(() => {
    assert.ok(helmBuilt(), `helm ${REALSTACK_VERSIONS.helm} is not built at ${helmBinary()} (build it: npm run realstack:build, or node --import tsx test/harness/realstack/build-helm.ts)`);
  });

  test("helm lint accepts the chart", () => {
    const r = spawnSync(helmBinary(), ["lint", CHART, "--strict"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test("defaults: the objects of install --export (no Namespace); CRDs annotated to be kept", () => {
    assertSameObjects("sealbridge", {});
  });

  test("keepCrds=false: exactly install --export", () => {
    assertSameObjects("sealbridge", { keepCrds: false, withCompatCrds: true, prometheus: true });
  });

  test("every feature set renders its CRDs, RBAC rules and reconcilers; core alone is refused as by install", () => {
    const optional = RBAC_FEATURE_NAMES.filter((f) => f !== "core");
    for (let mask = 1; mask < 1 << optional.length; mask++) {
      const features = optional.filter((_, i) => (mask & (1 << i)) !== 0);
      assertSameObjects("ops", { features: mask % 2 === 0 ? [...features].reverse() : features });
    }
    const r = helmTemplate("ops", { features: ["core"] });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no feature runs a reconciler: values\.features/);
  });

  test("withCompatCrds, a feature subset with compat CRDs, prometheus, and an image", () => {
    assertSameObjects("sealbridge", { withCompatCrds: true });
    assertSameObjects("team-secrets", { features: ["vault-sync", "certs"], withCompatCrds: true, prometheus: true, image: "registry.example/sealbridge@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" });
    assertSameObjects("sealbridge", { prometheus: true });
  });

  test("the sealed-secrets drop-in: Service sealed-secrets-controller in kube-system", () => {
    assertSameObjects("kube-system", { serviceName: "sealed-secrets-controller", features: ["sealing"], withCompatCrds: true });
  });

  test("bad values are refused naming the value: an unknown feature, a misspelt key, a bad Service name", () => {
    const feature = helmTemplate("sealbridge", { features: ["sealing", "certs-typo"] });
    assert.notEqual(feature.code, 0);
    assert.match(feature.stderr, /features/);
    assert.match(feature.stderr, /certs-typo|must be one of/);
    const r = spawnSync(helmBinary(), ["template", "sealbridge", CHART, "--set", "withCompatCRDs=true"], { encoding: "utf8" });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /withCompatCRDs/);
    const svc = helmTemplate("sealbridge", { serviceName: "Sealed_Secrets" });
    assert.notEqual(svc.code, 0);
    assert.match(svc.stderr, /serviceName/);
  });
});

describe("the chart's rendering on the real API server", { timeout: 400_000 }, () => {
  let f: RealFixture;
  let dir: string;
  before(async () => {
    f = await realFixture();
    dir = mkdtempSync(join(tmpdir(), "sb-helm-apply-"));
  });
  after(async () => {
    await f?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const helm = (args: string[]) => run(helmBinary(), args, { env: { ...f.ws.env, HELM_CACHE_HOME: join(dir, "helm-cache"), HELM_CONFIG_HOME: join(dir, "helm-config"), HELM_DATA_HOME: join(dir, "helm-data") } });
  const exists = async (kind: string, name: string, namespace?: string) => (await f.ws.kubectl(["get", kind, name, ...(namespace !== undefined ? ["-n", namespace] : []), "-o", "name"])).code === 0;

  test("helm install creates every object; helm uninstall removes them but keeps the CRDs (keepCrds)", async () => {
    const installed = await helm(["install", "sealbridge", CHART, "--namespace", "sb-release", "--create-namespace", "--set", "withCompatCrds=true"]);
    assert.equal(installed.code, 0, installed.stderr);
    const objs = rendered("sb-release", { withCompatCrds: true });
    for (const o of objs) assert.ok(await exists(resourceArg(o), o.metadata.name ?? "", o.metadata.namespace), `${keyOf(o)} installed`);
    const removed = await helm(["uninstall", "sealbridge", "--namespace", "sb-release"]);
    assert.equal(removed.code, 0, removed.stderr);
    for (const o of objs) {
      const kept = o.kind === "CustomResourceDefinition";
      assert.equal(await exists(resourceArg(o), o.metadata.name ?? "", o.metadata.namespace), kept, `${keyOf(o)} ${kept ? "kept" : "removed"} by helm uninstall`);
    }
  });

  test("kubectl apply --server-side of helm template (all features, compat CRDs) creates every object", async () => {
    const r = helmTemplate("sb-helm", { withCompatCrds: true });
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, "chart.yaml");
    writeFileSync(file, r.stdout);
    assert.equal((await f.ws.kubectl(["create", "namespace", "sb-helm"])).code, 0);
    const applied = await f.ws.kubectl(["apply", "--server-side", "--field-manager=helm-chart-test", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    const again = await f.ws.kubectl(["apply", "--server-side", "--field-manager=helm-chart-test", "-f", file]);
    assert.equal(again.code, 0, again.stderr);
    for (const o of parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject | null)) {
      if (o !== null) assert.ok(await exists(resourceArg(o), o.metadata.name ?? "", o.metadata.namespace), keyOf(o));
    }
  });
});
