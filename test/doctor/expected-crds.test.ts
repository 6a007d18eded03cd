import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { EXPECTED_CRDS } from "../../src/doctor/expected-crds.js";
import { reconcilerFactories } from "../../src/controller/reconcilers.js";

const CRDS = fileURLToPath(new URL("../../crds/", import.meta.url));

test("EXPECTED_CRDS is crds/: the same CRDs, served and storage versions", () => {
  const files = readdirSync(CRDS).filter((f) => f.endsWith(".yaml"));
  const fromFiles = files.map((f) => {
    const crd = parse(readFileSync(join(CRDS, f), "utf8")) as { metadata: { name: string }; spec: { versions: Array<{ name: string; served: boolean; storage: boolean }> } };
    return { name: crd.metadata.name, served: crd.spec.versions.filter((v) => v.served).map((v) => v.name).sort(), storage: crd.spec.versions.find((v) => v.storage)?.name };
  });
  const expected = EXPECTED_CRDS.map((e) => ({ name: e.name, served: [...e.served].sort(), storage: e.storage }));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  assert.deepEqual(expected.sort(byName), fromFiles.sort(byName));
  for (const e of EXPECTED_CRDS) assert.ok(e.served.includes(e.reads), `${e.name} serves the version sealbridge reads`);
});

test("each expected CRD names a reconciler the controller has", () => {
  const kinds = new Set(reconcilerFactories.map((f) => f.name));
  for (const e of EXPECTED_CRDS) assert.ok(kinds.has(e.reconciler), `${e.name} → ${e.reconciler}`);
});
