import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { systemClock } from "../../src/clock.js";
import { kubeconfigNamespace } from "../../src/seal/kubeconfig-namespace.js";
import { SealSettingsResolver } from "../../src/seal/seal-settings.js";

let repo: string;
before(async () => {
  repo = await mkdtemp(join(tmpdir(), "sb-settings-"));
  await mkdir(join(repo, ".git"));
  await mkdir(join(repo, "prod"));
  await writeFile(join(repo, ".sealbridge.yaml"), "creation_rules:\n  - path: prod/**\n    cert: prod.pem\n    scope: cluster-wide\n    controller_namespace: rule-ns\n    format: yaml\n  - path: apps/**\n    recipients: [age1rule]\n");
});
after(async () => rm(repo, { recursive: true, force: true }));

describe("SealSettingsResolver.forFile", () => {
  test("flags beat SEALED_SECRETS_* variables, which beat the .sealbridge.yaml rule, which beats defaults", async () => {
    const file = join(repo, "prod", "s.yaml");
    const fromRule = await new SealSettingsResolver({}, repo, {}, systemClock).forFile(file);
    assert.equal(fromRule.cert, join(repo, "prod.pem"));
    assert.equal(fromRule.scope, "cluster-wide");
    assert.equal(fromRule.format, "yaml");
    assert.deepEqual([fromRule.controller.namespace, fromRule.controller.name], ["rule-ns", "sealbridge"]);
    assert.equal(fromRule.origin, `${join(repo, ".sealbridge.yaml")} rule 0`);
    assert.equal(fromRule.certOrigin, `cert of ${join(repo, ".sealbridge.yaml")} rule 0`);

    const env = { SEALED_SECRETS_CERT: "/env.pem", SEALED_SECRETS_CONTROLLER_NAMESPACE: "env-ns", SEALED_SECRETS_CONTROLLER_NAME: "env-name" };
    const fromEnv = await new SealSettingsResolver({}, repo, env, systemClock).forFile(file);
    assert.deepEqual([fromEnv.cert, fromEnv.controller.namespace, fromEnv.controller.name], ["/env.pem", "env-ns", "env-name"]);

    const fromFlags = await new SealSettingsResolver({ cert: "/flag.pem", scope: "strict", controllerNamespace: "flag-ns" }, repo, env, systemClock).forFile(file);
    assert.deepEqual([fromFlags.cert, fromFlags.scope, fromFlags.controller.namespace], ["/flag.pem", "strict", "flag-ns"]);
    assert.deepEqual([fromEnv.certOrigin, fromFlags.certOrigin], ["SEALED_SECRETS_CERT", "--cert"]);

    const ignored = await new SealSettingsResolver({ noConfig: true }, repo, {}, systemClock).forFile(file);
    assert.deepEqual([ignored.cert, ignored.scope, ignored.controller.namespace], [undefined, undefined, "sealbridge"]);
  });

  test("--recipient makes it an AgeSecret and keeps the rule's recipients out", async () => {
    const settings = await new SealSettingsResolver({ recipient: ["age1x"] }, repo, {}, systemClock).forFile(join(repo, "prod", "s.yaml"));
    assert.equal(settings.kind, "AgeSecret");
    assert.deepEqual(settings.recipients, ["age1x"]);
    const apps = join(repo, "apps", "s.yaml");
    const replaced = await new SealSettingsResolver({ recipient: ["age1x"] }, repo, {}, systemClock).forFile(apps);
    assert.deepEqual(replaced.recipients, ["age1x"]);
  });

  test("--age or --cluster-recipient alone keep the rule's recipients; --cluster-recipient implies AgeSecret", async () => {
    const apps = join(repo, "apps", "s.yaml");
    const age = await new SealSettingsResolver({ age: true }, repo, {}, systemClock).forFile(apps);
    assert.deepEqual([age.kind, age.recipients, age.clusterRecipient.kind], ["AgeSecret", ["age1rule"], "controller"]);
    const offline = await new SealSettingsResolver({ clusterRecipient: "age1c" }, repo, {}, systemClock).forFile(join(repo, "prod", "s.yaml"));
    assert.deepEqual([offline.kind, offline.clusterRecipient], ["AgeSecret", { kind: "given", recipient: "age1c", origin: "--cluster-recipient" }]);
    const withRule = await new SealSettingsResolver({ clusterRecipient: "age1c" }, repo, {}, systemClock).forFile(apps);
    assert.deepEqual(withRule.recipients, ["age1rule"]);
  });
});

describe("kubeconfigNamespace", () => {
  test("the current context's namespace; --context picks another; default otherwise", async () => {
    const file = join(repo, "kubeconfig");
    await writeFile(file, "apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {namespace: team-a}\n- name: b\n  context: {}\n");
    assert.equal(await kubeconfigNamespace({ kubeconfig: file, env: {} }), "team-a");
    assert.equal(await kubeconfigNamespace({ kubeconfig: file, context: "b", env: {} }), "default");
    assert.equal(await kubeconfigNamespace({ env: { KUBECONFIG: `${join(repo, "missing")}:${file}` } }), "team-a");
    assert.equal(await kubeconfigNamespace({ env: { HOME: repo } }), "default");
  });
});
