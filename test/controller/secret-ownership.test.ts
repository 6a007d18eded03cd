import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { controllerOf, isControlledBy, ownershipConflict } from "../../src/controller/secret-ownership.js";
import type { KubeObject, OwnerReference } from "../../src/kube/types.js";

const ref = (kind: string, name: string, uid: string, controller = true): OwnerReference => ({ apiVersion: "x/v1", kind, name, uid, controller, blockOwnerDeletion: true });
const secret = (owners: OwnerReference[] = [], annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "strict1", namespace: "a", annotations, ...(owners.length > 0 ? { ownerReferences: owners } : {}) },
});
const ss = { kind: "SealedSecret", name: "strict1", uid: "uid-ss" };
const age = { kind: "AgeSecret", name: "strict1", uid: "uid-age" };

describe("secret ownership (owner reference kind and UID)", () => {
  test("the controller reference decides; non-controller references do not", () => {
    const s = secret([ref("Deployment", "web", "uid-d", false), ref("SealedSecret", "strict1", "uid-ss")]);
    assert.equal(controllerOf(s)?.uid, "uid-ss");
    assert.equal(isControlledBy(s, ss), true);
    assert.equal(isControlledBy(s, age), false);
    assert.equal(ownershipConflict(s, ss), undefined);
    assert.equal(ownershipConflict(s, age), "Secret a/strict1 is managed by SealedSecret a/strict1");
    assert.equal(ownershipConflict(secret([ref("Deployment", "web", "uid-d", false)]), age), undefined, "no controller: the claimant's own rules apply");
  });

  test("annotations never make a Secret someone's: a sealbridge hash or managed annotation on a Secret another object controls is still a conflict", () => {
    const s = secret([ref("AgeSecret", "strict1", "uid-age")], { "sealbridge.io/unsealed-hash": "abc", "sealedsecrets.bitnami.com/managed": "true" });
    assert.equal(ownershipConflict(s, ss), "Secret a/strict1 is managed by AgeSecret a/strict1");
    assert.equal(ownershipConflict(s, { kind: "ExternalSecret", name: "es", uid: "uid-es" }), "Secret a/strict1 is managed by AgeSecret a/strict1");
  });

  test("the same kind and name with another UID (a re-created object) is a conflict that says how to resolve it", () => {
    const s = secret([ref("SealedSecret", "strict1", "uid-old")]);
    assert.match(ownershipConflict(s, ss) ?? "", /^Secret a\/strict1 is managed by SealedSecret a\/strict1 \(an earlier object of that name: delete the Secret/);
    assert.equal(isControlledBy(s, { ...ss, uid: undefined }), false);
  });
});
