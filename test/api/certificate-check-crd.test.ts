/**
 * crds/certificatechecks.sealbridge.io.yaml and src/api/certificate-check.ts agree: every example
 * in crds/examples/certificate-check/ gets the verdict its file name states from the CRD schema
 * (checked as the API server does, with the test server's structural-schema code, plus the CEL
 * rules the CRD uses) and from zod; the CRD declares the zod spec fields and the watched resource.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { certificateCheckResource, certificateCheckSchema } from "../../src/api/certificate-check.js";
import { checkSchema, type Schema } from "../harness/kube/schema.js";
import { CRD_DIR, loadCrd } from "./crd-file.js";

const crd = loadCrd("certificatechecks.sealbridge.io.yaml");
const version = crd.spec.versions[0];
const root = version?.schema.openAPIV3Schema;

type Obj = Record<string, unknown>;
const has = (o: unknown, k: string): boolean => typeof o === "object" && o !== null && k in o;
const size = (o: unknown, k: string): number => (has(o, k) && Array.isArray((o as Obj)[k]) ? ((o as Obj)[k] as unknown[]).length : 0);

/** The CEL rules this CRD uses, as JavaScript (an unknown rule fails the test). */
const CEL: Record<string, (self: unknown) => boolean> = {
  "(has(self.secrets) ? size(self.secrets) : 0) + (has(self.configMaps) ? size(self.configMaps) : 0) + (has(self.endpoints) ? size(self.endpoints) : 0) > 0": (s) =>
    size(s, "secrets") + size(s, "configMaps") + size(s, "endpoints") > 0,
  "has(self.name) != has(self.selector)": (s) => has(s, "name") !== has(s, "selector"),
  "has(self.configMapRef) != has(self.secretRef)": (s) => has(s, "configMapRef") !== has(s, "secretRef"),
  "[has(self.alertmanager), has(self.webhook), has(self.ntfy)].filter(x, x).size() == 1": (s) =>
    [has(s, "alertmanager"), has(s, "webhook"), has(s, "ntfy")].filter(Boolean).length === 1,
};

function celCauses(value: unknown, schema: Schema, path: string): string[] {
  const out: string[] = [];
  const rules = (schema as { "x-kubernetes-validations"?: Array<{ rule: string }> })["x-kubernetes-validations"] ?? [];
  for (const { rule } of rules) {
    const fn = CEL[rule];
    assert.ok(fn, `CEL rule without a JavaScript twin in this test at ${path}: ${rule}`);
    if (!fn(value)) out.push(`${path}: ${rule}`);
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...celCauses(v, schema.items as Schema, `${path}[${i}]`)));
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    const v = (value as Obj | undefined)?.[k];
    if (v !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)) out.push(...celCauses(v, sub, `${path}.${k}`));
  }
  return out;
}

describe("crds/examples/certificate-check agree with the zod schema", () => {
  const dir = join(CRD_DIR, "examples", "certificate-check");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  test("there are valid and invalid examples", () => {
    assert.ok(files.some((f) => f.startsWith("valid-")));
    assert.ok(files.some((f) => f.startsWith("invalid-")));
  });
  for (const file of files) {
    test(file, () => {
      assert.ok(root);
      const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as Obj;
      const expected = file.startsWith("valid-");
      const r = checkSchema(doc, root);
      const cel = celCauses(doc, root, "");
      const crdOk = r.causes.length === 0 && cel.length === 0;
      const z = certificateCheckSchema.safeParse(doc);
      assert.equal(crdOk, expected, `CRD verdict: ${JSON.stringify([r.causes, cel])}`);
      assert.equal(z.success, expected, `zod verdict: ${z.success ? "" : JSON.stringify(z.error.issues[0])}`);
    });
  }
});

describe("the CertificateCheck CRD", () => {
  test("serves the resource the controller watches, with a status subresource", () => {
    assert.equal(crd.spec.group, certificateCheckResource.group);
    assert.equal(crd.spec.names.plural, certificateCheckResource.plural);
    assert.equal(crd.spec.names.kind, certificateCheckResource.kind);
    assert.equal(crd.spec.scope, "Namespaced");
    assert.equal(version?.name, certificateCheckResource.version);
    assert.ok(version?.subresources?.status);
  });
  test("declares exactly the spec fields zod knows", () => {
    const crdFields = Object.keys(root?.properties?.["spec"]?.properties ?? {}).sort();
    const specSchema = certificateCheckSchema.shape.spec;
    const inner = (specSchema as unknown as { def?: { in?: { shape?: object } }; _zod?: { def?: { in?: { shape?: object } } } });
    const shape = inner.def?.in?.shape ?? inner._zod?.def?.in?.shape ?? (specSchema as unknown as { shape?: object }).shape;
    assert.ok(shape, "zod spec shape");
    assert.deepEqual(crdFields, Object.keys(shape).sort());
  });
});
