import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AgeSecret } from "../../../src/api/age-secret.js";
import { encryptAgeValue } from "../../../src/crypto/age-envelope.js";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import { openAgeSecretValues } from "../../../src/controller/age-secret/observe.js";
import { ageSecretSource } from "../../../src/controller/age-secret/plan.js";
import { planSecret } from "../../../src/controller/encrypted-secret/secret-plan.js";
import { writeKind, writtenObject } from "../support/child-writes.js";

const CANARY = "canary-age-4c1d";

async function ageSecret(scope: "strict" | "namespace-wide" | "cluster-wide", ns: string, name: string, recipients: string[]): Promise<AgeSecret> {
  return {
    apiVersion: "sealbridge.io/v1alpha1",
    kind: "AgeSecret",
    metadata: { name, namespace: ns },
    spec: { encryptedData: { token: await encryptAgeValue(Buffer.from(CANARY), scope, ns, name, recipients) }, template: { type: "Opaque" } },
  };
}

describe("openAgeSecretValues", async () => {
  const cluster = await generateAgeIdentity();
  const stranger = await generateAgeIdentity();

  test("opens a value sealed for where the object is", async () => {
    const as = await ageSecret("strict", "prod", "api", [cluster.recipient]);
    const got = await openAgeSecretValues(as, "prod", "api", [stranger.identity, cluster.identity]);
    assert.ok(got.ok);
    assert.equal(got.values.get("token")?.toString(), CANARY);
    const plan = planSecret(ageSecretSource(as, "prod", "api", "u"), null, got);
    assert.equal(writeKind(plan.writes) === "create" && writtenObject(plan.writes).metadata.ownerReferences?.[0]?.kind, "AgeSecret");
  });

  const moves: Array<[string, "strict" | "namespace-wide", string, string, boolean]> = [
    ["strict, other name", "strict", "prod", "api2", false],
    ["strict, other namespace", "strict", "dev", "api", false],
    ["namespace-wide, other name", "namespace-wide", "prod", "api2", true],
    ["namespace-wide, other namespace", "namespace-wide", "dev", "api", false],
  ];
  for (const [name, scope, ns, n, opens] of moves) {
    test(`scope envelope: ${name} ${opens ? "opens" : "is refused"}`, async () => {
      const as = await ageSecret(scope, "prod", "api", [cluster.recipient]);
      const got = await openAgeSecretValues(as, ns, n, [cluster.identity]);
      assert.equal(got.ok, opens);
      if (!got.ok) {
        assert.match(got.message, /sealed for scope/);
        assert.doesNotMatch(got.message, new RegExp(CANARY));
      }
    });
  }

  test("a value for someone else, or no identity, fails clearly", async () => {
    const as = await ageSecret("strict", "prod", "api", [stranger.recipient]);
    const got = await openAgeSecretValues(as, "prod", "api", [cluster.identity]);
    assert.match(!got.ok ? got.message : "", /no identity matched/);
    const none = await openAgeSecretValues(as, "prod", "api", []);
    assert.match(!none.ok ? none.message : "", /no age identity is loaded/);
  });
});
