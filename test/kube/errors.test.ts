// Hints of Kubernetes API errors name what fixes them (issue 8): a missing built-in object is
// not fixed by installing a CRD; a 403 from the OwnerReferencesPermissionEnforcement admission
// plugin (which names no permission itself) points at the owner's finalizers subresource. (The real
// API server's exact refusal is exercised in test/install/rbac-missing-permission.real.test.ts.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KubeApiError } from "../../src/kube/errors.js";

test("403 messages: RBAC denial vs the blockOwnerDeletion admission check", () => {
  const rbac = new KubeApiError({ verb: "create", resource: "serviceaccounts/token", namespace: "team", name: "reader" }, 403, "Forbidden", 'serviceaccounts "reader" is forbidden: User "system:serviceaccount:sealbridge:sealbridge" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team"');
  assert.match(rbac.message, /^kubernetes create failed with 403 Forbidden: serviceaccounts\/token "team\/reader": .*cannot create resource "serviceaccounts\/token".* \(grant the controller's service account this permission in its RBAC\)$/);
  const admission = new KubeApiError({ verb: "create", resource: "secrets", namespace: "team", name: "x" }, 403, "Forbidden", 'secrets "x" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can\'t set finalizers on: , <nil>');
  assert.match(admission.message, /cannot set blockOwnerDeletion .* \(grant the controller's service account update on the owner kind's finalizers subresource, e\.g\. externalsecrets\/finalizers \(see deploy\/rbac\.yaml\)\)$/);
});


describe("KubeApiError hints", () => {
  test("a missing ServiceAccount (or any built-in object) says to check or create it, not to install a CRD", () => {
    for (const resource of ["serviceaccounts", "secrets", "leases.coordination.k8s.io", "deployments.apps"]) {
      const err = new KubeApiError({ verb: "create", resource, namespace: "apps", name: "vault-auth" }, 404, "NotFound", `${resource} "vault-auth" not found`);
      assert.match(err.message, /\(check the name and namespace, or create it\)$/, resource);
      assert.doesNotMatch(err.message, /CRD/, resource);
    }
  });

  test("a missing custom resource still points at the CRD", () => {
    const err = new KubeApiError({ verb: "list", resource: "sealedsecrets.bitnami.com", namespace: "apps" }, 404, "NotFound", "the server could not find the requested resource");
    assert.match(err.message, /install the CRD/);
  });
});
