/**
 * charts/sealbridge without helm: the committed chart is exactly what scripts/render-chart.ts
 * renders from src/install, Chart.yaml carries package.json's version, the values are the options of
 * `install --export` with their defaults, the schema lists the features, and every template is
 * YAML of one object once its template actions are set aside. (That helm renders the same objects
 * as install --export is test/install/helm-chart.real.test.ts, with the real helm CLI.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { sealbridgeChartFiles } from "../../src/install/helm-chart.js";
import { installObjects, resolveInstallOptions } from "../../src/install/manifests.js";
import { RBAC_FEATURE_NAMES } from "../../src/install/rbac.js";
import { repoPath } from "../support/repo-root.js";

const chartFile = (path: string): string => readFileSync(repoPath("charts", "sealbridge", path), "utf8");
const files = sealbridgeChartFiles();

describe("charts/sealbridge", () => {
  test("the committed chart is the rendering of src/install", () => {
    for (const f of files) assert.equal(chartFile(f.path), f.content, `charts/sealbridge/${f.path} is stale: regenerate with \`node --import tsx scripts/render-chart.ts\``);
    const generated = new Set(files.filter((f) => f.path.startsWith("templates/")).map((f) => f.path.slice("templates/".length)));
    assert.deepEqual(readdirSync(repoPath("charts", "sealbridge", "templates")).filter((n) => !generated.has(n)), [], "templates/ holds only generated files (regenerate to remove stale ones)");
  });

  test("Chart.yaml: version and appVersion are package.json's", () => {
    const pkg = JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string };
    const chart = parse(chartFile("Chart.yaml")) as Record<string, unknown>;
    assert.equal(chart["apiVersion"], "v2");
    assert.equal(chart["name"], "sealbridge");
    assert.equal(chart["version"], pkg.version);
    assert.equal(chart["appVersion"], pkg.version);
  });

  test("values.yaml: the install options (namespace is the release's) with install's defaults, resources and keepCrds", () => {
    const values = parse(chartFile("values.yaml")) as Record<string, unknown>;
    const { namespace: _ns, ...options } = resolveInstallOptions({});
    assert.deepEqual(Object.keys(values).sort(), [...Object.keys(options), "resources", "keepCrds"].sort());
    for (const [key, value] of Object.entries(options)) assert.deepEqual(values[key], value, `values.${key} defaults as install does`);
    assert.deepEqual(values["features"], [...RBAC_FEATURE_NAMES]);
    const deployment = installObjects({}).find((o) => o.kind === "Deployment") as { spec: { template: { spec: { containers: Array<{ resources: unknown }> } } } } | undefined;
    assert.deepEqual(values["resources"], deployment?.spec.template.spec.containers[0]?.resources);
    assert.equal(values["keepCrds"], true, "helm uninstall keeps the CRDs (and so every user's SealedSecret) by default");
  });

  test("values.schema.json: every value required, no other key, the features enumerated", () => {
    const schema = JSON.parse(chartFile("values.schema.json")) as { required: string[]; additionalProperties: boolean; properties: Record<string, { items?: { enum?: string[] } }> };
    const values = parse(chartFile("values.yaml")) as Record<string, unknown>;
    assert.deepEqual([...schema.required].sort(), Object.keys(values).sort());
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(values).sort());
    assert.equal(schema.additionalProperties, false, "a misspelt value is an error, not ignored");
    assert.deepEqual(schema.properties["features"]?.items?.enum, [...RBAC_FEATURE_NAMES]);
  });

  test("every template is one object's YAML around its template actions", () => {
    for (const f of files.filter((x) => x.path.startsWith("templates/") && x.path.endsWith(".yaml"))) {
      const text = f.content
        .split("\n")
        .filter((line) => !/^\s*\{\{-?[^}]*\}\}\s*$/.test(line) || /\S+:\s*\{\{/.test(line))
        .join("\n")
        .replace(/\{\{[^}]*\}\}/g, " x");
      const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
      assert.equal(docs.length, 1, f.path);
      const doc = docs[0];
      assert.deepEqual(doc?.errors, [], f.path);
      const obj = doc?.toJS() as { kind?: string; metadata?: { name?: string } };
      assert.ok(obj.kind !== undefined && obj.metadata?.name !== undefined, `${f.path}: an object with kind and name`);
    }
  });
});
