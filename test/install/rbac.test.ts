/**
 * The controller's RBAC source (src/install/rbac.ts): deploy/rbac.yaml is exactly its rendering,
 * no rule uses a wildcard, every kind the controller reconciles can be listed, watched, have its
 * status patched and be an owner (finalizers), leases and key material stay in the controller's own
 * namespace, and a feature selection renders only that feature's rules. (That these rules are
 * enough, and each one needed, is proven against the real API server in
 * test/install/rbac.real.test.ts.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { ageSecretResource } from "../../src/api/age-secret.js";
import { externalSecretResource } from "../../src/api/external-secret.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../src/api/secret-store.js";
import { SEALED_SECRETS } from "../../src/controller/sealed-secret/index.js";
import { rbacObjects, renderRbacYaml } from "../../src/install/rbac-manifest.js";
import { RBAC_FEATURES, selectFeatures } from "../../src/install/rbac.js";
import type { ResourceRef } from "../../src/kube/types.js";

const FILE = new URL("../../deploy/rbac.yaml", import.meta.url);

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
function rulesOf(kind: "ClusterRole" | "Role", features?: string[]): Rule[] {
  const obj = rbacObjects(features !== undefined ? { features } : {}).find((o) => o.object["kind"] === kind)?.object;
  return (obj?.["rules"] as Rule[] | undefined) ?? [];
}
function allows(rules: Rule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
}

describe("controller RBAC", () => {
  test("deploy/rbac.yaml is the rendering of src/install/rbac.ts", () => {
    assert.equal(readFileSync(FILE, "utf8"), renderRbacYaml(), "deploy/rbac.yaml is stale: regenerate with `node --import tsx scripts/render-rbac.ts`");
    const kinds = parseAllDocuments(readFileSync(FILE, "utf8")).map((d) => (d.toJS() as { kind?: string } | null)?.kind).filter(Boolean);
    assert.deepEqual(kinds, ["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]);
  });

  test("no wildcards anywhere", () => {
    for (const f of RBAC_FEATURES) {
      for (const r of [...f.cluster, ...f.namespaced]) {
        for (const v of [...r.apiGroups, ...r.resources, ...r.verbs]) assert.ok(!v.includes("*"), `${f.name}: wildcard in ${JSON.stringify(r)}`);
        assert.ok(r.why.length > 10, `${f.name}: every rule says why`);
      }
    }
  });

  test("every reconciled kind: list, watch, status patch, finalizers update (owner references)", () => {
    const cluster = rulesOf("ClusterRole");
    const kinds: Array<[ResourceRef, boolean]> = [[SEALED_SECRETS, true], [ageSecretResource, true], [externalSecretResource, true], [secretStoreResource, false], [clusterSecretStoreResource, false]];
    for (const [res, owner] of kinds) {
      for (const verb of ["list", "watch"]) assert.ok(allows(cluster, res.group, res.plural, verb), `${verb} ${res.plural}`);
      assert.ok(allows(cluster, res.group, `${res.plural}/status`, "patch"), `patch ${res.plural}/status`);
      assert.equal(allows(cluster, res.group, `${res.plural}/finalizers`, "update"), owner, `update ${res.plural}/finalizers`);
    }
    // What the README's list missed: update on secrets (SealedSecret/AgeSecret targets are replaced).
    for (const verb of ["get", "list", "watch", "create", "update", "patch", "delete"]) assert.ok(allows(cluster, "", "secrets", verb), `${verb} secrets`);
  });

  test("leases, key Secrets and the backup ConfigMap: a Role in the controller's namespace; cluster-wide only reads of ConfigMaps", () => {
    const cluster = rulesOf("ClusterRole");
    const role = rulesOf("Role");
    for (const verb of ["get", "create", "update"]) assert.ok(allows(role, "coordination.k8s.io", "leases", verb));
    assert.ok(!cluster.some((r) => r.resources.includes("leases")), "no cluster-wide leases");
    for (const verb of ["get", "create", "update"]) assert.ok(allows(role, "", "configmaps", verb));
    // Reads only: get (ESO caProvider), list+watch (CertificateCheck bundles).
    assert.deepEqual(cluster.filter((r) => r.resources.includes("configmaps")).flatMap((r) => r.verbs).sort(), ["get", "list", "watch"]);
    const objs = rbacObjects({ namespace: "ops" });
    assert.ok(objs.filter((o) => o.object["kind"] === "Role" || o.object["kind"] === "RoleBinding").every((o) => (o.object["metadata"] as { namespace: string }).namespace === "ops"));
  });

  test("features select their rules; core always; an unknown feature is refused with the known ones", () => {
    const esoOnly = rulesOf("ClusterRole", ["vault-sync"]);
    assert.ok(allows(esoOnly, "external-secrets.io", "externalsecrets", "watch"));
    assert.ok(allows(esoOnly, "", "events", "create"), "core comes along");
    assert.ok(!esoOnly.some((r) => r.apiGroups.includes("bitnami.com") || r.apiGroups.includes("sealbridge.io")));
    assert.ok(!allows(esoOnly, "", "secrets", "update"), "vault-sync alone never replaces Secrets");
    assert.equal(rulesOf("Role", ["vault-sync"]).some((r) => r.resources.includes("secrets")), false);
    assert.throws(() => selectFeatures(["certs-typo"]), /unknown feature "certs-typo": --features \(use one or more of core, sealing, age, vault-sync, certs, acme, unseal\)/);
  });
});
