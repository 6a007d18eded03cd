import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { certificateCheckResource } from "../../../src/api/certificate-check.js";
import { CertificateGauges } from "../../../src/certs/certificate-metrics.js";
import { certificateCheckKind } from "../../../src/controller/certificate-check/index.js";
import type { ObjectCache, ReconcileContext } from "../../../src/controller/types.js";
import { CONFIGMAPS, SECRETS } from "../../../src/kube/resources.js";
import type { KubeObject } from "../../../src/kube/types.js";
import { silentLogger } from "../../../src/log.js";

const checks: KubeObject[] = [
  {
    apiVersion: "sealbridge.io/v1alpha1",
    kind: "CertificateCheck",
    metadata: { name: "www", namespace: "web" },
    spec: {
      secrets: [{ name: "www-tls" }, { selector: { matchLabels: { app: "shop" } } }],
      endpoints: [{ address: "www.example.test:443", secretName: "served-tls" }],
      trustBundle: { configMapRef: { name: "private-ca", key: "ca.crt" } },
      alertSinks: [{ ntfy: { url: "https://ntfy.sh", topic: "t", tokenSecretRef: { name: "ntfy-token", key: "token" } } }],
    },
  },
  { apiVersion: "sealbridge.io/v1alpha1", kind: "CertificateCheck", metadata: { name: "bad", namespace: "web" }, spec: {} },
];

const cache: ObjectCache = { get: () => undefined, list: (ns) => checks.filter((c) => ns === undefined || c.metadata.namespace === ns), synced: async () => undefined };

describe("certificateCheckKind", () => {
  test("Secret and ConfigMap changes map to the checks that name them", async () => {
    const kind = certificateCheckKind({ gauges: new CertificateGauges(new Registry()), scanTlsSecrets: false });
    assert.equal(kind.name, "certificatecheck");
    assert.equal(kind.resource, certificateCheckResource);
    await kind.start?.({ cache: () => cache, log: silentLogger, clock: { now: () => new Date() } } as unknown as ReconcileContext);
    const secrets = kind.secondaryWatches?.find((w) => w.resource === SECRETS);
    const configMaps = kind.secondaryWatches?.find((w) => w.resource === CONFIGMAPS);
    assert.ok(secrets && configMaps);
    const s = (name: string, labels: Record<string, string> = {}, namespace = "web"): KubeObject => ({ metadata: { name, namespace, labels } });
    assert.deepEqual(secrets.mapToPrimary(s("www-tls")), ["web/www"]);
    assert.deepEqual(secrets.mapToPrimary(s("any", { app: "shop" })), ["web/www"]);
    assert.deepEqual(secrets.mapToPrimary(s("served-tls")), ["web/www"]);
    assert.deepEqual(secrets.mapToPrimary(s("ntfy-token")), ["web/www"]);
    assert.deepEqual(secrets.mapToPrimary(s("www-tls", {}, "other")), []);
    assert.deepEqual(secrets.mapToPrimary(s("unrelated")), []);
    assert.deepEqual(configMaps.mapToPrimary(s("private-ca")), ["web/www"]);
    assert.deepEqual(configMaps.mapToPrimary(s("www-tls")), []);
    const bad = kind.parse(checks[1] as KubeObject);
    assert.deepEqual(bad, { ok: false, reason: "InvalidSpec", message: "invalid CertificateCheck: spec: name at least one of secrets, configMaps or endpoints (fix the spec)" });
    await kind.stop?.();
  });
});
