import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { lintEsoManifests } from "../../src/eso/lint.js";
import { HOMELAB_EXTERNAL_SECRET } from "./homelab-manifest.js";

const examples = readFileSync(new URL("../fixtures/eso/eso-vault-examples.yaml", import.meta.url), "utf8");

const homelab = `
${HOMELAB_EXTERNAL_SECRET}---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: vault-backend }
spec:
  provider:
    vault:
      server: http://vault.vault:8200
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: eso
          serviceAccountRef: { name: eso, namespace: eso, audiences: [vault] }
`;

describe("lintEsoManifests", () => {
  test("the homelab manifest and its ClusterSecretStore are clean (v1beta1 accepted)", () => {
    assert.deepEqual(lintEsoManifests(homelab, "homelab.yaml"), []);
  });

  test("ESO's own Vault examples: token, appRole, kubernetes stores are clean; cert auth, metadataPolicy and find are reported", () => {
    const findings = lintEsoManifests(examples, "eso-vault-examples.yaml");
    const byDoc = new Map<number, string[]>();
    for (const f of findings) byDoc.set(f.document, [...(byDoc.get(f.document) ?? []), f.path]);
    // docs 0-2: token, approle, kubernetes SecretStores
    assert.equal(byDoc.get(0), undefined);
    assert.equal(byDoc.get(1), undefined);
    assert.equal(byDoc.get(2), undefined);
    // doc 4: ClusterSecretStore with cert auth (so no supported auth method); its caProvider is fine
    assert.deepEqual(byDoc.get(4), ["spec.provider.vault.auth.cert", "spec.provider.vault.auth"]);
    // doc 5: ExternalSecret using metadataPolicy Fetch
    assert.deepEqual(byDoc.get(5), ["spec.data[1].remoteRef.metadataPolicy", "spec.data[2].remoteRef.metadataPolicy"]);
    // doc 6: dataFrom find (extract with a nested property is supported)
    assert.deepEqual(byDoc.get(6), ["spec.dataFrom[1].find", "spec.dataFrom[2].find"]);
    assert.equal(findings.length, 6);
  });

  test("unknown fields, bad values, unsupported kinds and versions are each reported with a path", () => {
    const text = `
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: { name: x, namespace: n }
spec:
  secretStoreRef: { name: s }
  refreshPolicy: OnChange
  target: { creationPolicy: CreateOrMerge, template: { templateFrom: [] } }
  data: [{ secretKey: a, remoteRef: { key: k, decodingStrategy: Base64 } }]
  typo: 1
---
apiVersion: external-secrets.io/v1alpha1
kind: ExternalSecret
metadata: { name: old }
---
apiVersion: external-secrets.io/v1
kind: PushSecret
metadata: { name: p }
---
apiVersion: external-secrets.io/v1
kind: SecretStore
metadata: { name: aws }
spec: { provider: { aws: { service: SecretsManager } } }
---
apiVersion: v1
kind: Secret
metadata: { name: ignored }
`;
    const paths = lintEsoManifests(text, "f.yaml").map((f) => `${f.document}:${f.path}`);
    for (const want of [
      "0:spec.refreshPolicy",
      "0:spec.target.creationPolicy",
      "0:spec.target.template.templateFrom",
      "0:spec.data[0].remoteRef.decodingStrategy",
      "0:spec.typo",
      "1:apiVersion",
      "2:kind",
      "3:spec.provider.aws",
      "3:spec.provider.vault",
    ]) {
      assert.ok(paths.includes(want), `${want} missing from ${paths.join(" ")}`);
    }
    assert.ok(!paths.some((p) => p.startsWith("4:")));
  });
});
