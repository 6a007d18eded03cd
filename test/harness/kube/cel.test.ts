// Conformance: x-kubernetes-validations (CEL) rules of the project's and ESO's CRDs are evaluated
// as kube-apiserver does after schema validation (texts checked against kube-apiserver 1.37.2;
// https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation-rules),
// the "not checked" cause when schema errors block them, and the Warning of a deprecated version.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { celCauses } from "./cel.js";
import { startKubeServer, type KubeTestServer } from "./index.js";
import type { Schema } from "./schema.js";
import { send, type Target } from "./test-client.js";

const crdFile = (name: string) => parseYaml(readFileSync(fileURLToPath(new URL(`../../../crds/${name}`, import.meta.url)), "utf8")) as Record<string, unknown>;
const CSS = "/apis/external-secrets.io/v1/clustersecretstores";
const NOT_CHECKED = "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

describe("the CEL subset", () => {
  const rule = (r: string, message = "m"): Schema => ({ type: "object", "x-kubernetes-validations": [{ rule: r, message }] }) as Schema;
  const ok = (r: string, self: unknown) => celCauses(self, rule(r)).length === 0;
  test("has, !, &&, ||, !=, list filter/size, in, all/matches", () => {
    assert.equal(ok("has(self.a) || has(self.b)", { a: 1 }), true);
    assert.equal(ok("has(self.a) || has(self.b)", {}), false);
    assert.equal(ok("(has(self.a) && !has(self.b)) || (!has(self.a) && has(self.b))", { a: 1, b: 2 }), false);
    assert.equal(ok("has(self.value) != has(self.secretRef)", { value: "x" }), true);
    assert.equal(ok("[has(self.a),has(self.b),has(self.c)].filter(x,x==true).size() == 1", { a: 1, c: 1 }), false);
    assert.equal(ok("[has(self.a),has(self.b)].filter(x,x==true).size() <= 1", { b: 1 }), true);
    assert.equal(ok("!('esoNamespace' in self) && !('esoStoreName' in self)", { esoStoreName: "x" }), false);
    assert.equal(ok("self.all(k, k.matches('^[-._a-zA-Z0-9]+$'))", { "good.key": "v", "bad key": "v" }), false);
  });
  test("a rule outside the subset is skipped, never a refusal", () => {
    assert.deepEqual(celCauses({ a: 1 }, rule("self.a.startsWith('x') ? true : false")), []);
    assert.deepEqual(celCauses({ a: 1 }, rule("int(self.a) > duration('1s')")), []);
  });
});

describe("CEL rules on the test server", () => {
  let server: KubeTestServer;
  let t: Target;
  before(async () => {
    server = await startKubeServer();
    t = { url: server.url, caPem: server.caPem, token: server.adminToken };
    for (const f of ["clustersecretstores.external-secrets.io.yaml", "externalsecrets.external-secrets.io.yaml", "agesecrets.sealbridge.io.yaml"]) {
      assert.equal((await send(t, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crdFile(f))).status, 201, f);
    }
  });
  after(() => server.stop());
  const store = (provider: Record<string, unknown>) => ({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "cel" }, spec: { provider } });

  test("ESO's rules refuse what ESO's CRD refuses, at the rule's path with its message", async () => {
    const both = await send(t, "POST", CSS, store({ openBao: { server: "https://b", caBundle: "eA==", caProvider: { type: "Secret", name: "n", key: "k", namespace: "x" }, auth: { tokenSecretRef: { name: "t", key: "k" } } } }));
    assert.equal(both.status, 422);
    assert.equal(both.json.message, 'ClusterSecretStore.external-secrets.io "cel" is invalid: spec.provider.openBao: Invalid value: at most one of the fields in [caBundle caProvider] may be set');
    const role = await send(t, "POST", CSS, store({ openBao: { server: "https://b", auth: { appRole: { roleId: "r", roleRef: { name: "n", key: "k" }, secretRef: { name: "s", key: "k" } } } } }));
    assert.equal(role.json.message, 'ClusterSecretStore.external-secrets.io "cel" is invalid: spec.provider.openBao.auth.appRole: Invalid value: exactly one of the fields in [roleId roleRef] must be set');
    // The Vault provider has no rules: both CA fields are stored (sealbridge reports what it cannot use).
    const vault = await send(t, "POST", `${CSS}?dryRun=All`, store({ vault: { server: "https://v", caBundle: "eA==", caProvider: { type: "Secret", name: "n", key: "k", namespace: "x" }, auth: { tokenSecretRef: { name: "t", key: "k" } } } }));
    assert.equal(vault.status, 201, JSON.stringify(vault.json));
  });

  test("a schema error that blocks the rules adds the 'not checked' cause; the AgeSecret key rule", async () => {
    const bad = await send(t, "POST", CSS, store({ vault: { server: "https://v", version: "v3", auth: { tokenSecretRef: { name: "t", key: "k" } } } }));
    assert.equal(bad.json.message, `ClusterSecretStore.external-secrets.io "cel" is invalid: [spec.provider.vault.version: Unsupported value: "v3": supported values: "v1", "v2", ${NOT_CHECKED}]`);
    assert.equal((await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "demo" } })).status, 201);
    const age = { apiVersion: "sealbridge.io/v1alpha1", kind: "AgeSecret", metadata: { name: "a" }, spec: { encryptedData: { "not a key": "-----BEGIN AGE ENCRYPTED FILE-----\nx\n-----END AGE ENCRYPTED FILE-----\n" } } };
    const r = await send(t, "POST", "/apis/sealbridge.io/v1alpha1/namespaces/demo/agesecrets", age);
    assert.equal(r.json.message, 'AgeSecret.sealbridge.io "a" is invalid: spec.encryptedData: Invalid value: keys are Secret data keys ([-._a-zA-Z0-9]+)');
  });

  test("requests to a deprecated version carry its Warning", async () => {
    assert.equal((await send(t, "POST", "/api/v1/namespaces", { metadata: { name: "apps" } })).status, 201);
    const r = await send(t, "GET", "/apis/external-secrets.io/v1beta1/namespaces/apps/externalsecrets");
    assert.equal(r.status, 200);
    assert.equal(r.headers["warning"], '299 - "external-secrets.io/v1beta1 ExternalSecret is deprecated; use external-secrets.io/v1 ExternalSecret"');
    assert.equal((await send(t, "GET", "/apis/external-secrets.io/v1/namespaces/apps/externalsecrets")).headers["warning"], undefined);
  });
});
