/**
 * docs/examples/flux: the HelmRelease (helm.toolkit.fluxcd.io/v2) with its GitRepository source
 * and the Kustomization (kustomize.toolkit.fluxcd.io/v1) parse, use only the fields Flux's APIs
 * define (helm-controller api/v2 HelmReleaseSpec, source-controller api/v1 GitRepositorySpec,
 * kustomize-controller api/v1 KustomizationSpec; strict schemas, so a misspelt field fails), point
 * at the chart path that exists, and pass only values the chart declares.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";
import { repoPath } from "../support/repo-root.js";

const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, "a Go duration like 10m");
const meta = z.strictObject({ name: z.string().min(1), namespace: z.string().min(1) });
const remediation = z.strictObject({ retries: z.number().int().optional(), remediateLastFailure: z.boolean().optional() });
const crdsPolicy = z.enum(["Skip", "Create", "CreateReplace"]);
const sourceRef = z.strictObject({ kind: z.enum(["GitRepository", "HelmRepository", "Bucket", "OCIRepository"]), name: z.string().min(1), namespace: z.string().optional() });

const gitRepository = z.strictObject({
  apiVersion: z.literal("source.toolkit.fluxcd.io/v1"),
  kind: z.literal("GitRepository"),
  metadata: meta,
  spec: z.strictObject({
    url: z.string().regex(/^(https|ssh):\/\//),
    interval: duration,
    timeout: duration.optional(),
    ref: z.strictObject({ branch: z.string().optional(), tag: z.string().optional(), semver: z.string().optional(), name: z.string().optional(), commit: z.string().optional() }).optional(),
    ignore: z.string().optional(),
    secretRef: z.strictObject({ name: z.string() }).optional(),
  }),
});

const helmRelease = z.strictObject({
  apiVersion: z.literal("helm.toolkit.fluxcd.io/v2"),
  kind: z.literal("HelmRelease"),
  metadata: meta,
  spec: z.strictObject({
    interval: duration,
    releaseName: z.string().min(1).max(53).optional(),
    targetNamespace: z.string().min(1).max(63).optional(),
    timeout: duration.optional(),
    chart: z.strictObject({
      spec: z.strictObject({ chart: z.string().min(1), version: z.string().optional(), sourceRef, interval: duration.optional(), reconcileStrategy: z.enum(["ChartVersion", "Revision"]).optional(), valuesFiles: z.array(z.string()).optional() }),
    }),
    install: z.strictObject({ createNamespace: z.boolean().optional(), crds: crdsPolicy.optional(), remediation: remediation.optional(), timeout: duration.optional() }).optional(),
    upgrade: z.strictObject({ crds: crdsPolicy.optional(), remediation: remediation.optional(), timeout: duration.optional(), cleanupOnFail: z.boolean().optional() }).optional(),
    values: z.record(z.string(), z.unknown()).optional(),
  }),
});

const kustomization = z.strictObject({
  apiVersion: z.literal("kustomize.toolkit.fluxcd.io/v1"),
  kind: z.literal("Kustomization"),
  metadata: meta,
  spec: z.strictObject({
    interval: duration,
    retryInterval: duration.optional(),
    timeout: duration.optional(),
    sourceRef,
    path: z.string().startsWith("./"),
    prune: z.boolean(),
    wait: z.boolean().optional(),
    targetNamespace: z.string().optional(),
    patches: z.array(z.strictObject({ patch: z.string(), target: z.strictObject({ kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional(), labelSelector: z.string().optional(), annotationSelector: z.string().optional(), group: z.string().optional(), version: z.string().optional() }).optional() })).optional(),
  }),
});

function docs(file: string): unknown[] {
  const all = parseAllDocuments(readFileSync(repoPath("docs", "examples", "flux", file), "utf8"));
  for (const d of all) assert.deepEqual(d.errors, [], file);
  return all.map((d) => d.toJS() as unknown);
}

describe("the Flux examples", () => {
  test("helmrelease.yaml: a GitRepository and a HelmRelease building charts/sealbridge from it, with chart values only", () => {
    const [source, release, ...rest] = docs("helmrelease.yaml");
    assert.equal(rest.length, 0);
    const repo = gitRepository.parse(source);
    const hr = helmRelease.parse(release);
    const chart = hr.spec.chart.spec;
    assert.deepEqual([chart.sourceRef.kind, chart.sourceRef.name, chart.sourceRef.namespace ?? hr.metadata.namespace], ["GitRepository", repo.metadata.name, repo.metadata.namespace]);
    assert.ok(existsSync(repoPath(chart.chart, "Chart.yaml")), `${chart.chart} is the chart's path in the repository`);
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string };
    assert.equal(repo.spec.ref?.tag, `v${pkg.version}`, "the source pins the release tag of this version");
    const declared = Object.keys(parse(readFileSync(repoPath("charts", "sealbridge", "values.yaml"), "utf8")) as Record<string, unknown>);
    for (const key of Object.keys(hr.spec.values ?? {})) assert.ok(declared.includes(key), `values.${key} is a chart value`);
  });

  test("kustomization.yaml: a Kustomization applying the committed install --export output, CRDs never pruned", () => {
    const [only, ...rest] = docs("kustomization.yaml");
    assert.equal(rest.length, 0);
    const ks = kustomization.parse(only);
    assert.equal(ks.spec.prune, true);
    const crdPatch = ks.spec.patches?.find((p) => p.target?.kind === "CustomResourceDefinition");
    assert.ok(crdPatch, "a patch for the CRDs");
    assert.equal(crdPatch.target?.labelSelector, "app.kubernetes.io/part-of=sealbridge", "selects the CRDs install --export labels");
    const patch = parse(crdPatch.patch) as { metadata: { annotations: Record<string, string> } };
    assert.equal(patch.metadata.annotations["kustomize.toolkit.fluxcd.io/prune"], "disabled");
  });

  test("the README's HelmRelease and Kustomization hold to the same Flux API fields and the chart's values", () => {
    const blocks = [...readFileSync(repoPath("README.md"), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((m) => parseAllDocuments(m[1] ?? "").map((d) => d.toJS() as { kind?: string }));
    const hr = helmRelease.parse(blocks.find((b) => b.kind === "HelmRelease"));
    const ks = kustomization.parse(blocks.find((b) => b.kind === "Kustomization"));
    assert.ok(existsSync(repoPath(hr.spec.chart.spec.chart, "Chart.yaml")));
    const declared = Object.keys(parse(readFileSync(repoPath("charts", "sealbridge", "values.yaml"), "utf8")) as Record<string, unknown>);
    for (const key of Object.keys(hr.spec.values ?? {})) assert.ok(declared.includes(key), `values.${key} is a chart value`);
    const patch = parse(ks.spec.patches?.find((p) => p.target?.kind === "CustomResourceDefinition")?.patch ?? "") as { metadata: { annotations: Record<string, string> } };
    assert.equal(patch.metadata.annotations["kustomize.toolkit.fluxcd.io/prune"], "disabled");
  });
});
