/**
 * KubeApiError messages name what failed and the fix; a 403 from the
 * OwnerReferencesPermissionEnforcement admission plugin (which names no permission itself) points
 * at the owner's finalizers subresource. (The real API server's exact refusal is exercised in
 * test/install/rbac-missing-permission.real.test.ts.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { KubeApiError } from "../../src/kube/errors.js";

test("403 messages: RBAC denial vs the blockOwnerDeletion admission check", () => {
  const rbac = new KubeApiError({ verb: "create", resource: "serviceaccounts/token", namespace: "team", name: "reader" }, 403, "Forbidden", 'serviceaccounts "reader" is forbidden: User "system:serviceaccount:sealbridge:sealbridge" cannot create resource "serviceaccounts/token" in API group "" in the namespace "team"');
  assert.match(rbac.message, /^kubernetes create failed with 403 Forbidden: serviceaccounts\/token "team\/reader": .*cannot create resource "serviceaccounts\/token".* \(grant the controller's service account this permission in its RBAC\)$/);
  const admission = new KubeApiError({ verb: "create", resource: "secrets", namespace: "team", name: "x" }, 403, "Forbidden", 'secrets "x" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can\'t set finalizers on: , <nil>');
  assert.match(admission.message, /cannot set blockOwnerDeletion .* \(grant the controller's service account update on the owner kind's finalizers subresource, e\.g\. externalsecrets\/finalizers \(see deploy\/rbac\.yaml\)\)$/);
});
