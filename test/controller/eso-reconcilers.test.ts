import { test } from "node:test";
import assert from "node:assert/strict";
import { reconcilerFactories } from "../../src/controller/reconcilers.js";
import type { ControllerConfig } from "../../src/controller/config.js";
import type { ControllerDeps } from "../../src/controller/reconcilers.js";
import { clusterSecretStoreFactory, esoServicesFor, externalSecretFactory, secretStoreFactory } from "../../src/controller/eso-reconcilers.js";
import { silentLogger } from "../../src/log.js";
import type { KubeClient } from "../../src/kube/types.js";

test("`sealbridge controller` runs the ExternalSecret, SecretStore and ClusterSecretStore reconcilers, sharing one set of Vault services", async () => {
  const kube = {} as KubeClient;
  const deps = { kube, http: {} as ControllerDeps["http"], log: silentLogger, clock: { now: () => new Date(0) } } as ControllerDeps;
  const cfg = {} as ControllerConfig;
  const built = await Promise.all([externalSecretFactory(cfg, deps), secretStoreFactory(cfg, deps), clusterSecretStoreFactory(cfg, deps)]);
  assert.deepEqual(built.map((r) => `${r.name}:${r.resource.plural}.${r.resource.group}/${r.resource.version}`), [
    "externalsecret:externalsecrets.external-secrets.io/v1",
    "secretstore:secretstores.external-secrets.io/v1",
    "clustersecretstore:clustersecretstores.external-secrets.io/v1",
  ]);
  assert.equal(esoServicesFor(kube, deps.clock), esoServicesFor(kube, deps.clock));
  const source = reconcilerFactories.map((f) => f.create.toString()).join("\n");
  for (const name of ["externalSecretFactory", "secretStoreFactory", "clusterSecretStoreFactory"]) assert.ok(source.includes(name), `${name} is registered`);
});
