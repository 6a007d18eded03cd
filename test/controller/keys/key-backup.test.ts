import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { generateAgeIdentity } from "../../../src/crypto/age-keys.js";
import { ageIdentitySecret, buildAgeIdentitySet } from "../../../src/controller/keys/age-identity.js";
import {
  AGE_IDENTITIES_ENTRY,
  MANIFEST_ENTRY,
  SEALING_KEYS_ENTRY,
  buildKeyBackupConfigMap,
  decryptKeyBackup,
  keyBackupManifest,
  manifestOf,
  sameManifest,
} from "../../../src/controller/keys/key-backup.js";
import { buildKeyRegistry } from "../../../src/controller/keys/key-registry.js";
import { goGeneratedKey, keySecret, opensslKey } from "../../support/openssl-keys.js";

describe("key backup", async () => {
  const holder = await generateAgeIdentity();
  const cluster = await generateAgeIdentity();
  const keySecrets = [keySecret("sealed-secrets-key1", goGeneratedKey()), keySecret("sealed-secrets-key2", opensslKey())];
  keySecrets[0]!.metadata.uid = "server-set";
  keySecrets[0]!.metadata.resourceVersion = "42";
  const ageSecrets = [{ ...ageIdentitySecret("sealbridge", cluster, new Date("2026-01-01T00:00:00Z")), metadata: { ...ageIdentitySecret("sealbridge", cluster, new Date("2026-01-01T00:00:00Z")).metadata, name: "sealbridge-age-identity-x" } }];
  const manifest = keyBackupManifest(buildKeyRegistry(keySecrets), await buildAgeIdentitySet(ageSecrets), [holder.recipient]);
  const cm = await buildKeyBackupConfigMap({ name: "sealbridge-key-backup", namespace: "sealbridge", sealingKeySecrets: keySecrets, ageIdentitySecrets: ageSecrets, manifest });
  const data = cm["data"] as Record<string, string>;

  test("the ConfigMap holds armored age files and a secret-free manifest", () => {
    assert.match(data[SEALING_KEYS_ENTRY] ?? "", /^-----BEGIN AGE ENCRYPTED FILE-----/);
    assert.match(data[AGE_IDENTITIES_ENTRY] ?? "", /^-----BEGIN AGE ENCRYPTED FILE-----/);
    const everything = JSON.stringify(cm);
    assert.doesNotMatch(everything, /PRIVATE KEY|AGE-SECRET-KEY/);
    // No base64 DER key ("MII…" is "TUlJ…") outside the age ciphertexts, whose random base64 may
    // hold any four characters.
    const outsideCiphertexts = everything.replace(/-----BEGIN AGE ENCRYPTED FILE-----[^]*?-----END AGE ENCRYPTED FILE-----/g, "");
    assert.doesNotMatch(outsideCiphertexts, /TUlJ/);
    assert.deepEqual(manifestOf(cm)?.sealingKeys.map((k) => k.secretName).sort(), ["sealed-secrets-key1", "sealed-secrets-key2"]);
    assert.deepEqual(manifestOf(cm)?.ageRecipients, [cluster.recipient]);
    assert.ok(sameManifest(manifestOf(cm), manifest));
    assert.ok(!sameManifest(manifestOf(cm), { ...manifest, recipients: ["age1other"] }));
    assert.ok(JSON.parse(data[MANIFEST_ENTRY] ?? "{}"));
  });

  test("the real age CLI opens it into a v1 List of key Secrets, kubeseal-recovery shaped", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-backup-"));
    try {
      writeFileSync(join(dir, "id"), `${holder.identity}\n`, { mode: 0o600 });
      writeFileSync(join(dir, "keys.age"), data[SEALING_KEYS_ENTRY] ?? "");
      const out = execFileSync("age", ["-d", "-i", join(dir, "id"), join(dir, "keys.age")], { encoding: "utf8" });
      const list = parseYaml(out) as { apiVersion: string; kind: string; items: Array<{ kind: string; type: string; metadata: Record<string, unknown>; data: Record<string, string> }> };
      assert.equal(list.apiVersion, "v1");
      assert.equal(list.kind, "List");
      assert.equal(list.items.length, 2);
      for (const item of list.items) {
        assert.equal(item.kind, "Secret");
        assert.equal(item.type, "kubernetes.io/tls");
        assert.ok(item.data["tls.key"] && item.data["tls.crt"]);
        assert.equal(item.metadata["uid"], undefined);
        assert.equal(item.metadata["resourceVersion"], undefined);
      }
      assert.equal(Buffer.from(list.items[0]?.data["tls.key"] ?? "", "base64").toString(), goGeneratedKey().privateKeyPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("decryptKeyBackup round-trips; a stranger cannot open it", async () => {
    const back = await decryptKeyBackup(cm, [holder.identity], "backup.yaml");
    assert.deepEqual(back.sealingKeySecrets.map((s) => s.metadata.name), ["sealed-secrets-key1", "sealed-secrets-key2"]);
    assert.equal((await buildAgeIdentitySet(back.ageIdentitySecrets)).identities[0]?.recipient, cluster.recipient);
    const stranger = await generateAgeIdentity();
    await assert.rejects(decryptKeyBackup(cm, [stranger.identity], "backup.yaml"), /no identity matched/);
    await assert.rejects(decryptKeyBackup({ data: {} }, [holder.identity], "x.yaml"), /has no data.sealing-keys.yaml.age/);
  });
});
