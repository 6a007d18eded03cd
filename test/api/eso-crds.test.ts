/**
 * crds/*.external-secrets.io.yaml and src/api/ agree: every example in
 * crds/examples/external-secrets/ gets the verdict its file name states from the CRD schema (as
 * the API server checks it), from zod, and from the supported-field rules; both served versions
 * carry every field zod reads; ESO's defaults apply; the CRDs name the resources the controller watches.
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
import type { z } from "zod";
import { crdFields, zodFields } from "./schema-paths.js";
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
  test("there are valid, invalid, controller-rejects and unsupported examples", () => {
    for (const prefix of ["valid-externalsecret", "valid-secretstore", "valid-clustersecretstore", "invalid-", "controller-rejects-", "unsupported-"]) {
      assert.ok(files.some((f) => f.startsWith(prefix)), prefix);
    }
  });
  for (const file of files) {
    test(file, () => {
      const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      const v = verdicts(doc);
      if (file.startsWith("valid-")) assert.deepEqual([v.crd, v.zod, v.findings], [true, true, 0], v.why);
      else if (file.startsWith("invalid-")) assert.deepEqual([v.crd, v.zod], [false, false], v.why);
      else if (file.startsWith("controller-rejects-")) assert.deepEqual([v.crd, v.zod], [true, false], v.why);
      else {
        // unsupported-: the API server stores it (ESO's CRD defines the field), sealbridge reports it.
        assert.equal(v.crd, true, v.why);
        assert.ok(v.findings > 0, v.why);
      }
    });
  }
});

describe("the ESO CRDs serve what the controller watches, at v1 (storage) and v1beta1", () => {
  const cases: Array<[string, ResourceRef, z.ZodType]> = [
    ["ExternalSecret", externalSecretResource, externalSecretSchema],
    ["SecretStore", secretStoreResource, secretStoreSchema],
    ["ClusterSecretStore", clusterSecretStoreResource, secretStoreSchema],
  ];
  for (const [kind, ref, zod] of cases) {
    test(kind, () => {
      const crd = crds[kind];
      assert.ok(crd);
      assert.equal(crd.spec.group, ref.group);
      assert.equal(crd.spec.names.plural, ref.plural);
      assert.equal(crd.spec.names.kind, ref.kind);
      assert.equal(crd.spec.scope, ref.namespaced ? "Namespaced" : "Cluster");
      const v1 = crd.spec.versions.find((v) => v.name === "v1");
      const v1beta1 = crd.spec.versions.find((v) => v.name === "v1beta1");
      assert.ok(v1?.served && v1.storage && v1.subresources?.status);
      assert.ok(v1beta1?.served && !v1beta1.storage && v1beta1.subresources?.status);
    });
    // "Same schema for the fields we support": every field zod reads exists at both versions
    // with a type zod accepts (metadata is the API server's, not the CRD's).
    test(`${kind}: every field zod reads is in the CRD at v1 and v1beta1 with a type zod accepts`, () => {
      const fields = [...zodFields(zod)].filter(([p]) => p.startsWith(".spec") || p.startsWith(".status"));
      assert.ok(fields.length > 20);
      for (const version of ["v1", "v1beta1"]) {
        const schema = crds[kind]?.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema;
        assert.ok(schema);
        const crdTypes = crdFields(schema);
        for (const [path, types] of fields) {
          const f = crdTypes.get(path);
          assert.ok(f, `${kind} ${version}: ${path} (read by zod) is not in the CRD`);
          const accepted = f.type === "int-or-string" ? types.has("integer") && types.has("string") : f.type !== undefined && types.has(f.type);
          assert.ok(accepted, `${kind} ${version}: ${path} is ${f.type} in the CRD, zod accepts ${[...types].join("|")}`);
        }
      }
    });
  }
});

describe("ESO's server-side defaults, applied by the CRD schema as the API server does", () => {
  const schemaOf = (kind: string) => crds[kind]?.spec.versions.find((v) => v.name === "v1")?.schema.openAPIV3Schema;
  test("ExternalSecret: refreshInterval 1h, target creationPolicy Owner / deletionPolicy Retain, template engine v2", () => {
    const schema = schemaOf("ExternalSecret");
    assert.ok(schema);
    const doc = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "a", namespace: "n" }, spec: { secretStoreRef: { name: "s" }, data: [{ secretKey: "k", remoteRef: { key: "x" } }] } };
    const r = checkSchema(doc, schema);
    assert.deepEqual(r.causes, []);
    const spec = (r.value as { spec: Record<string, unknown> }).spec;
    assert.equal(spec["refreshInterval"], "1h0m0s");
    assert.deepEqual(spec["target"], { creationPolicy: "Owner", deletionPolicy: "Retain" });
    const templated = checkSchema({ ...doc, spec: { ...doc.spec, target: { template: { data: { a: "b" } } } } }, schema);
    assert.deepEqual((templated.value as { spec: { target: unknown } }).spec.target, { creationPolicy: "Owner", deletionPolicy: "Retain", template: { data: { a: "b" }, engineVersion: "v2", mergePolicy: "Replace" } });
  });
  test("SecretStore: Vault KV version v2 and the auth mount paths", () => {
    const schema = schemaOf("SecretStore");
    assert.ok(schema);
    const doc = {
      apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "a", namespace: "n" },
      spec: { provider: { vault: { server: "https://vault:8200", auth: { kubernetes: { role: "r" } } } } },
    };
    const r = checkSchema(doc, schema);
    assert.deepEqual(r.causes, []);
    const vault = (r.value as { spec: { provider: { vault: Record<string, unknown> } } }).spec.provider.vault;
    assert.equal(vault["version"], "v2");
    assert.deepEqual(vault["auth"], { kubernetes: { role: "r", mountPath: "kubernetes" } });
  });
});
