/**
 * crds/*.external-secrets.io.yaml and src/api/ agree: every example in
 * crds/examples/external-secrets/ gets the verdict its file name states from the CRD schema (as
 * the API server checks it), from zod, and from the supported-field rules; both served versions
 * carry the same schema; the CRDs name the resources the controller watches.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { externalSecretFindings, externalSecretResource, externalSecretSchema } from "../../src/api/external-secret.js";
import { clusterSecretStoreResource, secretStoreFindings, secretStoreResource, secretStoreSchema } from "../../src/api/secret-store.js";
import type { ResourceRef } from "../../src/kube/types.js";
import { checkSchema } from "../harness/kube/schema.js";
import { CRD_DIR, loadCrd, type Crd } from "./crd-file.js";

const ROOT = CRD_DIR;

const load = (plural: string): Crd => loadCrd(`${plural}.external-secrets.io.yaml`);
const crds: Record<string, Crd> = {
  ExternalSecret: load("externalsecrets"),
  SecretStore: load("secretstores"),
  ClusterSecretStore: load("clustersecretstores"),
};

function verdicts(doc: Record<string, unknown>): { crd: boolean; zod: boolean; findings: number; why: string } {
  const kind = String(doc["kind"]);
  const crd = crds[kind];
  assert.ok(crd, kind);
  const version = String(doc["apiVersion"]).split("/")[1];
  const schema = crd.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
  assert.ok(schema, `${kind} ${version} is served`);
  const r = checkSchema(doc, schema);
  const isEs = kind === "ExternalSecret";
  const z = (isEs ? externalSecretSchema : secretStoreSchema).safeParse(doc);
  const findings = isEs ? externalSecretFindings(doc["spec"]) : secretStoreFindings(doc["spec"]);
  return { crd: r.causes.length === 0, zod: z.success, findings: findings.length, why: JSON.stringify([r.causes, z.success ? [] : z.error.issues, findings]) };
}

describe("crds/examples/external-secrets agree with the zod schemas and field rules", () => {
  const dir = join(ROOT, "examples", "external-secrets");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  test("there are valid, invalid and unsupported examples", () => {
    for (const prefix of ["valid-externalsecret", "valid-secretstore", "valid-clustersecretstore", "invalid-", "unsupported-"]) {
      assert.ok(files.some((f) => f.startsWith(prefix)), prefix);
    }
  });
  for (const file of files) {
    test(file, () => {
      const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      const v = verdicts(doc);
      if (file.startsWith("valid-")) assert.deepEqual([v.crd, v.zod, v.findings], [true, true, 0], v.why);
      else if (file.startsWith("invalid-")) assert.deepEqual([v.crd, v.zod], [false, false], v.why);
      else {
        // unsupported-: the API server stores it (fields preserved), sealbridge reports it.
        assert.equal(v.crd, true, v.why);
        assert.ok(v.findings > 0, v.why);
      }
    });
  }
});

describe("the ESO CRDs serve what the controller watches, at v1 and v1beta1 with one schema", () => {
  const cases: Array<[string, ResourceRef]> = [
    ["ExternalSecret", externalSecretResource],
    ["SecretStore", secretStoreResource],
    ["ClusterSecretStore", clusterSecretStoreResource],
  ];
  for (const [kind, ref] of cases) {
    test(kind, () => {
      const crd = crds[kind];
      assert.ok(crd);
      assert.equal(crd.spec.group, ref.group);
      assert.equal(crd.spec.names.plural, ref.plural);
      assert.equal(crd.spec.scope, ref.namespaced ? "Namespaced" : "Cluster");
      const v1 = crd.spec.versions.find((v) => v.name === "v1");
      const v1beta1 = crd.spec.versions.find((v) => v.name === "v1beta1");
      assert.ok(v1?.served && v1.storage && v1.subresources?.status);
      assert.ok(v1beta1?.served && !v1beta1.storage && v1beta1.subresources?.status);
      assert.deepEqual(v1beta1.schema, v1.schema);
    });
  }
  test("the CRD declares every top-level spec field zod knows", () => {
    const spec = crds["ExternalSecret"]?.spec.versions[0]?.schema.openAPIV3Schema.properties?.["spec"];
    assert.deepEqual(Object.keys(spec?.properties ?? {}).sort(), Object.keys(externalSecretSchema.shape.spec.shape).sort());
  });
});
