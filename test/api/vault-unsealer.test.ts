/**
 * The VaultUnsealer CRD and its zod schema cannot drift: every example in
 * crds/examples/vault-unsealer/ gets the same verdict from the CRD's openAPIV3Schema (structural
 * checks as the API server does them, plus the one CEL form the CRD uses) and from the zod
 * schema, the one its file name states; the CRD serves the resource the kind watches and declares
 * the zod spec fields.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { vaultUnsealerResource, vaultUnsealerSchema } from "../../src/api/vault-unsealer.js";
import { parseVaultUnsealer } from "../../src/controller/vault-unsealer/spec.js";
import { checkSchema, type Schema } from "../harness/kube/schema.js";
import { CRD_DIR, loadCrd } from "./crd-file.js";

const crd = loadCrd("vaultunsealers.sealbridge.io.yaml");
const schema = crd.spec.versions[0]?.schema.openAPIV3Schema as Schema;
const EXAMPLES = join(CRD_DIR, "examples", "vault-unsealer");

/** `has(self.a) != has(self.b)` rules, evaluated wherever the schema declares them. */
function celCauses(value: unknown, s: Schema, path: string): string[] {
  const out: string[] = [];
  const rules = (s as { "x-kubernetes-validations"?: Array<{ rule: string }> })["x-kubernetes-validations"] ?? [];
  for (const { rule } of rules) {
    const m = /^has\(self\.(\w+)\) != has\(self\.(\w+)\)$/.exec(rule);
    assert.ok(m?.[1] && m[2], `unsupported CEL rule at ${path}: ${rule}`);
    const o = (value ?? {}) as Record<string, unknown>;
    if ((o[m[1]] !== undefined) === (o[m[2]] !== undefined)) out.push(`${path}: ${rule}`);
  }
  if (Array.isArray(value) && s.items) value.forEach((v, i) => out.push(...celCauses(v, s.items as Schema, `${path}[${i}]`)));
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    const v = (value as Record<string, unknown> | undefined)?.[k];
    if (v !== undefined) out.push(...celCauses(v, sub, `${path}.${k}`));
  }
  return out;
}

describe("crds/examples/vault-unsealer agree with the zod schema", () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).sort();
  test("there are valid and invalid examples", () => {
    assert.ok(files.filter((f) => f.startsWith("valid-")).length >= 3);
    assert.ok(files.filter((f) => f.startsWith("invalid-")).length >= 3);
  });
  for (const file of files) {
    test(file, () => {
      const doc = parseYaml(readFileSync(join(EXAMPLES, file), "utf8")) as Record<string, unknown>;
      const expected = file.startsWith("valid-");
      const r = checkSchema(doc, schema);
      const causes = [...r.causes, ...celCauses(doc, schema, "")];
      assert.equal(causes.length === 0, expected, `CRD verdict: ${JSON.stringify(causes)}`);
      const z = vaultUnsealerSchema.safeParse(doc);
      assert.equal(z.success, expected, `zod verdict: ${z.success ? "" : JSON.stringify(z.error.issues[0])}`);
      const parsed = parseVaultUnsealer(doc as never);
      assert.equal(parsed.ok, expected);
      if (!parsed.ok) assert.match(parsed.message, /^invalid VaultUnsealer: spec\.\S+: .* \(fix the manifest\)$/);
    });
  }
});

describe("the VaultUnsealer CRD", () => {
  test("serves the resource the kind watches, with a status subresource", () => {
    assert.equal(crd.spec.group, vaultUnsealerResource.group);
    assert.equal(crd.spec.names.plural, vaultUnsealerResource.plural);
    assert.equal(crd.spec.names.kind, vaultUnsealerResource.kind);
    assert.equal(crd.spec.scope, "Namespaced");
    const v = crd.spec.versions.find((x) => x.name === vaultUnsealerResource.version);
    assert.ok(v?.served && v.storage && v.subresources?.status);
  });
  test("declares the zod spec fields", () => {
    const spec = schema.properties?.["spec"];
    assert.deepEqual(Object.keys(spec?.properties ?? {}).sort(), Object.keys(vaultUnsealerSchema.shape.spec.shape).sort());
    assert.deepEqual(Object.keys(spec?.properties?.["nodes"]?.properties ?? {}).sort(), ["addresses", "port", "scheme", "selector", "via"]);
  });
  test("defaults: port 8200, http, PodIP, every share, 30s checks, 5m alerts", () => {
    const p = parseVaultUnsealer({
      apiVersion: "sealbridge.io/v1alpha1",
      kind: "VaultUnsealer",
      metadata: { name: "v", namespace: "vault", generation: 3 },
      spec: { nodes: { selector: { matchLabels: { app: "vault" } } }, shares: [{ secretRef: { name: "s", key: "a" } }, { secretRef: { name: "s", key: "b" } }] },
    });
    assert.ok(p.ok);
    assert.deepEqual(p.value.nodes, { kind: "pods", matchLabels: { app: "vault" }, port: 8200, scheme: "http", via: "PodIP" });
    assert.deepEqual([p.value.sharesToUse, p.value.checkIntervalMs, p.value.alertAfterMs, p.value.generation], [2, 30_000, 300_000, 3]);
  });
});
