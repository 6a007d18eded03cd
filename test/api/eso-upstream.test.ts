/**
 * crds/*.external-secrets.io.yaml carry External Secrets Operator's full schema: every field path
 * ESO's own CRD defines (test/fixtures/eso/crds/, provenance in its README) exists in ours at the
 * same version with the same type, format, default, enum, nullable, preserve-unknown-fields and
 * required list, so nothing a user writes for ESO is pruned and ESO's server-side defaults apply.
 * ESO no longer serves v1beta1; sealbridge does (and stores v1).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { loadCrd, type Crd } from "./crd-file.js";
import { crdFields } from "./schema-paths.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/eso/crds/", import.meta.url));
const upstream = (plural: string): Crd => parseYaml(readFileSync(`${FIXTURES}external-secrets.io_${plural}.yaml`, "utf8")) as Crd;

describe("the ESO CRDs are ESO's own (full schema, defaults, v1beta1 served)", () => {
  for (const plural of ["externalsecrets", "secretstores", "clustersecretstores"]) {
    const theirs = upstream(plural);
    const ours = loadCrd(`${plural}.external-secrets.io.yaml`);
    test(`${plural}: names, scope and versions`, () => {
      assert.deepEqual(ours.spec.names, theirs.spec.names);
      assert.equal(ours.spec.group, theirs.spec.group);
      assert.equal(ours.spec.scope, theirs.spec.scope);
      assert.deepEqual(ours.spec.versions.map((v) => [v.name, v.served, v.storage]), [["v1", true, true], ["v1beta1", true, false]]);
      assert.deepEqual(theirs.spec.versions.map((v) => v.name), ["v1", "v1beta1"]);
    });
    for (const version of ["v1", "v1beta1"]) {
      test(`${plural} ${version}: every field path ESO defines, with ESO's type and default`, () => {
        const t = theirs.spec.versions.find((v) => v.name === version);
        const o = ours.spec.versions.find((v) => v.name === version);
        assert.ok(t && o);
        const theirFields = crdFields(t.schema.openAPIV3Schema);
        const ourFields = crdFields(o.schema.openAPIV3Schema);
        assert.ok(theirFields.size > 100, `${theirFields.size} paths`);
        const missing: string[] = [];
        const different: string[] = [];
        for (const [path, f] of theirFields) {
          const g = ourFields.get(path);
          if (!g) missing.push(path);
          else if (JSON.stringify(g) !== JSON.stringify(f)) different.push(`${path}: ESO ${JSON.stringify(f)}, ours ${JSON.stringify(g)}`);
        }
        assert.deepEqual(missing, [], "paths ESO defines that ours lacks (they would be pruned)");
        assert.deepEqual(different, []);
        assert.deepEqual([...ourFields.keys()].filter((p) => !theirFields.has(p)), [], "paths ours adds");
        // Printer columns, subresources, CEL rules and selectable fields: ESO's.
        assert.deepEqual(o, { ...t, served: true });
      });
    }
  }
  test("the defaults named in ESO's API reference are there", () => {
    const f = (plural: string, path: string) => crdFields(loadCrd(`${plural}.external-secrets.io.yaml`).spec.versions[0]?.schema.openAPIV3Schema ?? {}).get(path)?.default;
    assert.equal(f("externalsecrets", ".spec.refreshInterval"), '"1h0m0s"');
    assert.equal(f("externalsecrets", ".spec.target.creationPolicy"), '"Owner"');
    assert.equal(f("externalsecrets", ".spec.target.deletionPolicy"), '"Retain"');
    assert.equal(f("externalsecrets", ".spec.target.template.engineVersion"), '"v2"');
    assert.equal(f("secretstores", ".spec.provider.vault.version"), '"v2"');
    assert.equal(f("clustersecretstores", ".spec.provider.vault.auth.kubernetes.mountPath"), '"kubernetes"');
    assert.equal(f("clustersecretstores", ".spec.provider.vault.auth.appRole.path"), '"approle"');
  });
});
