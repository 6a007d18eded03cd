/**
 * ControllerKeys' two roles against the Kubernetes test server: `follow` (every replica) loads
 * and watches the key Secrets but never writes; `start` (the leader) creates the first key and
 * age identity; a renewal that fires on an instance that no longer leads creates nothing; `stop`
 * ends the watch so later changes are no longer picked up.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ControllerKeys } from "../../../src/controller/keys/controller-keys.js";
import type { ControllerKeysOptions } from "../../../src/controller/keys/controller-keys.js";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import { silentLogger } from "../../../src/log.js";
import { eventually, kubeFixture, NAMESPACES } from "../../kube/kube-fixture.js";
import type { KubeFixture } from "../../kube/kube-fixture.js";
import { goGeneratedKey, keySecret, opensslKey } from "../../support/openssl-keys.js";
import { ManualTimers } from "../runtime/manual-timers.js";

const clock = { now: () => new Date() };

function options(namespace: string, overrides: Partial<ControllerKeysOptions> = {}): ControllerKeysOptions {
  const key = goGeneratedKey();
  return {
    namespace,
    keyPrefix: "sealed-secrets-key",
    renewPeriodMs: 0,
    backupRecipients: [],
    backupConfigMap: "sealbridge-key-backup",
    generateSealingKey: () => key,
    generateAgeIdentity: () => generateAgeIdentity(),
    reloadEveryMs: 0,
    ...overrides,
  };
}

describe("ControllerKeys: follow on every replica, write only when leading", { timeout: 60_000 }, () => {
  let f: KubeFixture;
  before(async () => {
    f = await kubeFixture();
  });
  after(async () => f.close());

  const keySecrets = (ns: string) => f.server.objects("secrets", ns).filter((s) => s.metadata.labels?.["sealedsecrets.bitnami.com/sealed-secrets-key"] === "active");

  test("a follower writes nothing, picks up a key created later through its watch, and stops watching on stop()", async () => {
    await f.kube.create(NAMESPACES, { metadata: { name: "follow" } });
    const follower = new ControllerKeys(options("follow"));
    try {
      await follower.follow(f.kube, clock, silentLogger);
      assert.equal(follower.registry.keys.length, 0);
      assert.equal(keySecrets("follow").length, 0, "a follower never creates a key");
      const leader = new ControllerKeys(options("follow"));
      await leader.start(f.kube, clock, silentLogger);
      await leader.stop();
      assert.equal(keySecrets("follow").length, 1);
      await eventually(() => follower.registry.keys.length === 1 && follower.ageRecipient !== undefined, 5000, "the follower loads the new key");
      assert.equal(follower.ageRecipient, leader.ageRecipient);
      const version = follower.version;
      await follower.stop();
      // A witness still following shows when the watch has delivered the new key.
      const witness = new ControllerKeys(options("follow"));
      try {
        await witness.follow(f.kube, clock, silentLogger);
        const later = opensslKey(2048);
        await f.kube.create({ group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true }, keySecret("sealed-secrets-keylater", later, { namespace: "follow" }));
        await eventually(() => witness.registry.keys.length === 2, 5000, "the witness loads the later key");
      } finally {
        await witness.stop();
      }
      assert.equal(follower.registry.keys.length, 1, "no reload after stop()");
      assert.equal(follower.version, version);
    } finally {
      await follower.stop();
    }
  });

  test("a renewal due while another replica leads creates no key", async () => {
    await f.kube.create(NAMESPACES, { metadata: { name: "renew" } });
    let leading = true;
    let generated = 0;
    const timers = new ManualTimers();
    const keys = new ControllerKeys(
      options("renew", {
        timers,
        // Renewal due almost at once (the timer adds up to a minute of jitter: none here).
        renewPeriodMs: 1,
        random: () => 0,
        generateSealingKey: () => {
          generated++;
          return opensslKey(2048);
        },
      }),
    );
    try {
      await keys.start(f.kube, clock, silentLogger, () => leading);
      assert.equal(generated, 1, "the leader made the first key");
      leading = false;
      const before = keySecrets("renew").length;
      assert.equal(timers.pending, 1, "the renewal timer is armed");
      timers.advance(60_000);
      assert.equal(timers.pending, 0, "the renewal fired");
      // Not leading, it only reloads, then looks again in a minute: the timer is armed again.
      await eventually(() => timers.pending === 1, 5000, "the renewal re-armed");
      assert.equal(generated, 1, "no key made while not leading");
      assert.equal(keySecrets("renew").length, before);
    } finally {
      await keys.stop();
    }
  });
});
