/**
 * crds/ and src/api/ agree for AcmeCertificate and DnsCredential: every example in
 * crds/examples/acme/ gets the verdict its file name states from both the CRD's openAPIV3Schema
 * (structural checks of the test server, plus the two CEL rule forms these CRDs use) and the
 * zod schema; the CRDs serve the resources the controller watches and declare the zod fields.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { acmeCertificateResource, acmeCertificateSchema, acmeCertificateSpecSchema } from "../../src/api/acme-certificate.js";
import { dnsCredentialResource, dnsCredentialSchema, dnsCredentialSpecSchema } from "../../src/api/dns-credential.js";
import { checkSchema, type Schema } from "../harness/kube/schema.js";
import { CRD_DIR, loadCrd } from "./crd-file.js";

const kinds = {
  AcmeCertificate: { crd: loadCrd("acmecertificates.sealbridge.io.yaml"), zod: acmeCertificateSchema as z.ZodType, spec: acmeCertificateSpecSchema, ref: acmeCertificateResource },
  DnsCredential: { crd: loadCrd("dnscredentials.sealbridge.io.yaml"), zod: dnsCredentialSchema as z.ZodType, spec: dnsCredentialSpecSchema, ref: dnsCredentialResource },
};

/** The CEL forms these CRDs use: `has(self.a) != has(self.b)` and `[has(self.a), …].filter(x, x).size() == 1`. */
function celCauses(value: unknown, schema: Schema, path: string): string[] {
  const out: string[] = [];
  const rules = (schema as { "x-kubernetes-validations"?: Array<{ rule: string }> })["x-kubernetes-validations"] ?? [];
  const has = (f: string) => value !== null && typeof value === "object" && f in value;
  for (const { rule } of rules) {
    const xor = /^has\(self\.(\w+)\) != has\(self\.(\w+)\)$/.exec(rule);
    const one = /^\[(.*)\]\.filter\(x, x\)\.size\(\) == 1$/.exec(rule);
    if (xor?.[1] && xor[2]) {
      if (has(xor[1]) === has(xor[2])) out.push(`${path}: ${rule}`);
    } else if (one?.[1]) {
      const fields = [...one[1].matchAll(/has\(self\.(\w+)\)/g)].map((m) => m[1] ?? "");
      if (fields.filter(has).length !== 1) out.push(`${path}: ${rule}`);
    } else assert.fail(`unsupported CEL rule in CRD at ${path}: ${rule}`);
  }
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    const v = (value as Record<string, unknown> | undefined)?.[k];
    if (v !== undefined) out.push(...celCauses(v, sub, `${path}.${k}`));
  }
  return out;
}

describe("crds/examples/acme agree with the zod schemas", () => {
  const dir = join(CRD_DIR, "examples", "acme");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  test("valid and invalid examples of both kinds", () => {
    for (const p of ["valid-acmecertificate", "invalid-acmecertificate", "valid-dnscredential", "invalid-dnscredential"]) assert.ok(files.some((f) => f.startsWith(p)), p);
  });
  for (const file of files) {
    test(file, () => {
      const doc = parseYaml(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
      const kind = kinds[doc["kind"] as keyof typeof kinds];
      assert.ok(kind, `unknown kind in ${file}`);
      const schema = kind.crd.spec.versions[0]?.schema.openAPIV3Schema;
      assert.ok(schema);
      const causes = [...checkSchema(doc, schema).causes, ...celCauses(doc, schema, "")];
      const expected = file.startsWith("valid-");
      assert.equal(causes.length === 0, expected, `CRD verdict for ${file}: ${JSON.stringify(causes)}`);
      const z = kind.zod.safeParse(doc);
      assert.equal(z.success, expected, `zod verdict for ${file}: ${z.success ? "" : JSON.stringify(z.error.issues[0])}`);
    });
  }
});

describe("the CRDs serve what the controller watches and declare the zod fields", () => {
  for (const [name, { crd, ref, spec }] of Object.entries(kinds)) {
    test(name, () => {
      assert.equal(crd.spec.group, ref.group);
      assert.equal(crd.spec.names.plural, ref.plural);
      assert.equal(crd.spec.names.kind, ref.kind);
      assert.equal(crd.spec.scope, ref.namespaced ? "Namespaced" : "Cluster");
      const v = crd.spec.versions.find((x) => x.name === ref.version);
      assert.ok(v?.served && v.storage && v.subresources?.status);
      const props = v.schema.openAPIV3Schema.properties?.["spec"]?.properties ?? {};
      assert.deepEqual(Object.keys(props).sort(), Object.keys((spec as unknown as { shape: Record<string, unknown> }).shape).sort());
    });
  }
});
