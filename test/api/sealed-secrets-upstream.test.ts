/**
 * crds/sealedsecrets.bitnami.com.yaml is a superset of sealed-secrets' own CRD
 * (test/fixtures/sealed-secrets/crd/, provenance in its README): every field path of theirs
 * exists in ours with the same type, format, nullable, enum and preserve-unknown-fields; ours
 * requires nothing theirs does not and adds no default; names, scope, versions, subresources and
 * printer columns are theirs. So installing ours over theirs (or theirs over ours) prunes nothing
 * and refuses nothing that either accepted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { loadCrd, type Crd } from "./crd-file.js";
import { crdFields } from "./schema-paths.js";

const theirs = parseYaml(readFileSync(fileURLToPath(new URL("../fixtures/sealed-secrets/crd/bitnami.com_sealedsecrets.yaml", import.meta.url)), "utf8")) as Crd;
const ours = loadCrd("sealedsecrets.bitnami.com.yaml");

test("SealedSecret CRD: names, scope, versions, subresources and printer columns are sealed-secrets'", () => {
  assert.deepEqual(ours.spec.names, theirs.spec.names);
  assert.equal(ours.spec.group, theirs.spec.group);
  assert.equal(ours.spec.scope, theirs.spec.scope);
  const strip = (c: Crd) => c.spec.versions.map(({ schema: _schema, ...rest }) => rest);
  assert.deepEqual(strip(ours), strip(theirs));
});

test("SealedSecret CRD: every field of sealed-secrets' schema is in ours, typed the same, nothing stricter", () => {
  const t = theirs.spec.versions[0]?.schema.openAPIV3Schema;
  const o = ours.spec.versions[0]?.schema.openAPIV3Schema;
  assert.ok(t && o);
  const theirFields = crdFields(t);
  const ourFields = crdFields(o);
  assert.ok(theirFields.has(".spec.template.metadata.labels.*") && theirFields.get(".spec.template.metadata")?.nullable);
  const problems: string[] = [];
  for (const [path, f] of theirFields) {
    const g = ourFields.get(path);
    if (!g) {
      problems.push(`${path}: missing (would be pruned)`);
      continue;
    }
    for (const key of ["type", "format", "nullable", "preserveUnknown", "enum", "default"] as const) {
      if (g[key] !== f[key]) problems.push(`${path}: ${key} is ${String(g[key])} in ours, ${String(f[key])} in theirs`);
    }
    const extraRequired = g.required.filter((r) => !f.required.includes(r));
    if (extraRequired.length > 0) problems.push(`${path}: ours also requires ${extraRequired.join(", ")}`);
  }
  // Paths ours adds must not refuse anything theirs accepts: only under preserve-unknown-fields.
  for (const [path, g] of ourFields) {
    if (theirFields.has(path)) continue;
    const parent = path.replace(/(\.[^.[\]]+|\[\]|\.\*)$/, "");
    if (!theirFields.get(parent)?.preserveUnknown) problems.push(`${path}: added where theirs does not preserve unknown fields`);
    if (g.default !== undefined || g.required.length > 0) problems.push(`${path}: added with a default or required fields`);
  }
  assert.deepEqual(problems, []);
});
