import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { RELOAD_HASHES_ANNOTATION, RESTARTED_AT_ANNOTATION, referencedSecrets, reloadPatch, watchesSecret } from "../../src/controller/reload.js";
import type { KubeObject } from "../../src/kube/types.js";

const now = new Date("2026-11-22T01:00:00Z");

function deployment(annotation: string | undefined, podAnnotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "app", ...(annotation !== undefined ? { annotations: { "sealbridge.io/reload": annotation } } : {}) },
    spec: {
      template: {
        metadata: { annotations: podAnnotations },
        spec: {
          volumes: [{ name: "a", secret: { secretName: "vol-secret" } }, { name: "p", projected: { sources: [{ secret: { name: "projected-secret" } }] } }],
          initContainers: [{ name: "i", envFrom: [{ secretRef: { name: "init-secret" } }] }],
          containers: [{ name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } }] }],
        },
      },
    },
  };
}

describe("reload", () => {
  test("referencedSecrets finds volumes, projected volumes, env and envFrom of all containers", () => {
    assert.deepEqual([...referencedSecrets(deployment("auto"))].sort(), ["env-secret", "init-secret", "projected-secret", "vol-secret"]);
  });

  test("watchesSecret: auto means referenced Secrets; a list names them; no annotation means never", () => {
    assert.equal(watchesSecret(deployment("auto"), "env-secret"), true);
    assert.equal(watchesSecret(deployment("auto"), "other"), false);
    assert.equal(watchesSecret(deployment("a, other ,b"), "other"), true);
    assert.equal(watchesSecret(deployment("a,b"), "env-secret"), false);
    assert.equal(watchesSecret(deployment(undefined), "env-secret"), false);
  });

  test("reloadPatch restarts once per content hash and keeps other Secrets' hashes", () => {
    const first = reloadPatch(deployment("auto"), "env-secret", "h1", now);
    const annotations = (first as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations;
    assert.equal(annotations[RESTARTED_AT_ANNOTATION], now.toISOString());
    assert.deepEqual(JSON.parse(annotations[RELOAD_HASHES_ANNOTATION] ?? "{}"), { "env-secret": "h1" });
    const after = deployment("auto", annotations);
    assert.equal(reloadPatch(after, "env-secret", "h1", now), null, "same content: no second restart");
    const second = reloadPatch(after, "vol-secret", "h2", now) as { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    assert.deepEqual(JSON.parse(second.spec.template.metadata.annotations[RELOAD_HASHES_ANNOTATION] ?? "{}"), { "env-secret": "h1", "vol-secret": "h2" });
    assert.equal(reloadPatch(deployment(undefined), "env-secret", "h1", now), null);
    assert.notEqual(reloadPatch(deployment("auto", { [RELOAD_HASHES_ANNOTATION]: "not json" }), "env-secret", "h1", now), null);
  });
});
