/**
 * Test sealing keys made by the real `openssl` (fast: RSA-2048 unless asked otherwise) and key
 * Secrets built from them, as a sealed-secrets controller stores them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeObject } from "../../src/kube/types.js";
import { fileURLToPath } from "node:url";

export interface TestKey {
  privateKeyPem: string;
  certificatePem: string;
}

/** A PKCS#1 key and a self-signed certificate valid from now for `days` days. */
export function opensslKey(bits = 2048, days = 3650): TestKey {
  const dir = mkdtempSync(join(tmpdir(), "sb-key-"));
  try {
    const key = join(dir, "tls.key");
    const crt = join(dir, "tls.crt");
    execFileSync("openssl", ["genrsa", "-traditional", "-out", key, String(bits)], { stdio: "ignore" });
    execFileSync("openssl", ["req", "-x509", "-new", "-key", key, "-out", crt, "-days", String(days), "-subj", "/O=sealbridge-test"], { stdio: "ignore" });
    return { privateKeyPem: readFileSync(key, "utf8"), certificatePem: readFileSync(crt, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The go-generated sealed-secrets key from test/fixtures/sealed-secrets. */
export function goGeneratedKey(): TestKey {
  const dir = fileURLToPath(new URL("../fixtures/sealed-secrets/go-generated-key/", import.meta.url));
  return { privateKeyPem: readFileSync(join(dir, "tls.key"), "utf8"), certificatePem: readFileSync(join(dir, "tls.crt"), "utf8") };
}

/** A key Secret as sealed-secrets writes it. */
export function keySecret(name: string, key: TestKey, opts: { label?: string; namespace?: string; created?: string } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace: opts.namespace ?? "sealbridge",
      labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": opts.label ?? "active" },
      ...(opts.created ? { creationTimestamp: opts.created } : {}),
    },
    type: "kubernetes.io/tls",
    data: {
      "tls.key": Buffer.from(key.privateKeyPem).toString("base64"),
      "tls.crt": Buffer.from(key.certificatePem).toString("base64"),
    },
  };
}
