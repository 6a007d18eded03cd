import { test } from "node:test";
import assert from "node:assert/strict";
import { reconcilerFactories, serviceShare } from "../../../src/controller/reconcilers.js";
import type { ControllerConfig } from "../../../src/controller/config.js";
import type { ControllerDeps } from "../../../src/controller/reconcilers.js";
import { esoServicesOf, externalSecretFactory } from "../../../src/controller/external-secret/index.js";
import { clusterSecretStoreFactory, secretStoreFactory } from "../../../src/controller/secret-store/index.js";
import { silentLogger } from "../../../src/log.js";
import type { KubeClient } from "../../../src/kube/types.js";

test("`sealbridge controller` runs the ExternalSecret, SecretStore and ClusterSecretStore reconcilers, sharing one set of Vault services", async () => {
  const kube = {} as KubeClient;
  const share = serviceShare();
  const built: string[] = [];
  const counting: ControllerDeps["share"] = (name, build) => share(name, () => (built.push(name), build()));
  const deps = { kube, http: {} as ControllerDeps["http"], log: silentLogger, clock: { now: () => new Date(0) }, share: counting } as ControllerDeps;
  const cfg = {} as ControllerConfig;
  const reconcilers = await Promise.all([externalSecretFactory(cfg, deps), secretStoreFactory(cfg, deps), clusterSecretStoreFactory(cfg, deps)]);
  assert.deepEqual(reconcilers.map((r) => `${r.name}:${r.resource.plural}.${r.resource.group}/${r.resource.version}`), [
    "externalsecret:externalsecrets.external-secrets.io/v1",
    "secretstore:secretstores.external-secrets.io/v1",
    "clustersecretstore:clustersecretstores.external-secrets.io/v1",
  ]);
  assert.deepEqual(built, ["eso-vault-services"], "the three factories built the Vault services once");
  assert.equal(esoServicesOf(deps), esoServicesOf(deps));
  const other = { ...deps, share: serviceShare() } as ControllerDeps;
  assert.notEqual(esoServicesOf(other), esoServicesOf(deps), "another controller process gets its own (no hidden global)");
  const source = reconcilerFactories.map((f) => f.toString()).join("\n");
  for (const name of ["externalSecretFactory", "secretStoreFactory", "clusterSecretStoreFactory"]) assert.ok(source.includes(name), `${name} is registered`);
});
