// Hints of Kubernetes API errors name what fixes them (issue 8): a missing built-in object is
// not fixed by installing a CRD.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KubeApiError } from "../../src/kube/errors.js";

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
