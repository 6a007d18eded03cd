import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusterRecipientSource } from "../../src/seal/cluster-recipient.js";

const controller = { namespace: "sealbridge", name: "sealbridge" };
const rule = (clusterRecipient: string | false | undefined) => ({ clusterRecipient, origin: "/repo/.sealbridge.yaml rule 0" });

describe("clusterRecipientSource: flag, then .sealbridge.yaml rule, then the controller", () => {
  const cases: Array<[string, string | false | undefined, ReturnType<typeof rule> | null, unknown]> = [
    ["nothing given: ask the controller", undefined, null, { kind: "controller", controller }],
    ["a rule without cluster_recipient: ask the controller", undefined, rule(undefined), { kind: "controller", controller }],
    ["--no-cluster-recipient", false, rule("age1rule"), { kind: "none" }],
    ["--cluster-recipient wins over the rule", "age1flag", rule("age1rule"), { kind: "given", recipient: "age1flag", origin: "--cluster-recipient" }],
    ["the rule's recipient", undefined, rule("age1rule"), { kind: "given", recipient: "age1rule", origin: "/repo/.sealbridge.yaml rule 0 cluster_recipient" }],
    ["the rule's cluster_recipient: false", undefined, rule(false), { kind: "none" }],
    ["--cluster-recipient over a rule's false", "age1flag", rule(false), { kind: "given", recipient: "age1flag", origin: "--cluster-recipient" }],
  ];
  for (const [name, flag, matched, expected] of cases) {
    test(name, () => assert.deepEqual(clusterRecipientSource(flag, matched, controller), expected));
  }
});
