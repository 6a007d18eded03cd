/**
 * The VaultUnsealer's parse step over crds/examples/vault-unsealer/ (the CRD/zod agreement of
 * those examples is test/api/crds.test.ts's): valid examples parse, invalid ones give one line
 * naming the field; and the defaults.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseVaultUnsealer } from "../../src/controller/vault-unsealer/spec.js";
import type { KubeObject } from "../../src/kube/types.js";
import { CRD_DIR } from "./crd-file.js";

const EXAMPLES = join(CRD_DIR, "examples", "vault-unsealer");

describe("parseVaultUnsealer", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).sort()) {
    test(file, () => {
      const parsed = parseVaultUnsealer(parseYaml(readFileSync(join(EXAMPLES, file), "utf8")) as KubeObject);
      assert.equal(parsed.ok, file.startsWith("valid-"));
      if (!parsed.ok) assert.match(parsed.message, /^invalid VaultUnsealer: spec\.\S+: .* \(fix the manifest\)$/);
    });
  }
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
