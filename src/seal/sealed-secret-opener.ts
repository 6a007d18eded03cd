/**
 * Opening SealedSecrets with local private keys: recovery unseal (SealedSecret → Secret, what
 * `kubeseal --recovery-unseal` does) and offline re-encryption to a newer certificate (what
 * kubeseal can only do through the controller).
 */
import type { KeyObject } from "node:crypto";
import type { Secret } from "../api/secret.js";
import type { SealedSecret } from "../api/sealed-secret.js";
import { hybridDecrypt, hybridEncrypt, type RandomSource } from "../crypto/hybrid-encryption.js";
import { scopeFromAnnotations, scopeLabel } from "../crypto/scope.js";
import { DecryptError, InputError } from "../errors.js";
import { sortedRecord } from "./secret-metadata.js";
import { isBase64 } from "../base64.js";

/** The OAEP label a SealedSecret's values were sealed to, read from its own annotations. */
export function sealedSecretLabel(sealed: SealedSecret, source: string, defaultNamespace?: string): string {
  const scope = scopeFromAnnotations(sealed.metadata?.annotations);
  const namespace = sealed.metadata?.namespace ?? defaultNamespace ?? "";
  const name = sealed.metadata?.name ?? "";
  if (scope !== "cluster-wide" && namespace === "") {
    throw new InputError(`cannot unseal: ${source} has no metadata.namespace (add the namespace it was sealed for)`, { code: "MissingNamespace" });
  }
  if (scope === "strict" && name === "") {
    throw new InputError(`cannot unseal: ${source} has no metadata.name (add the name it was sealed for)`, { code: "MissingName" });
  }
  return scopeLabel(scope, namespace, name);
}

function decodeCiphertext(value: string, where: string): Buffer {
  if (!isBase64(value)) {
    throw new DecryptError(`cannot decrypt: ${where} is not base64 (re-seal the value)`, { code: "InvalidCiphertext" });
  }
  return Buffer.from(value, "base64");
}

/**
 * Decrypts every value of a SealedSecret.
 * @throws DecryptError naming the key whose value no key opens (never its content).
 */
export function openSealedValues(sealed: SealedSecret, privateKeys: readonly KeyObject[], source: string, defaultNamespace?: string): Map<string, Buffer> {
  const label = sealedSecretLabel(sealed, source, defaultNamespace);
  const values = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(sealed.spec.encryptedData ?? {})) {
    const where = `${source}, key "${key}"`;
    try {
      values.set(key, hybridDecrypt(privateKeys, label, decodeCiphertext(value, where)));
    } catch (err) {
      if (err instanceof DecryptError) throw new DecryptError(err.message.replace(/^cannot decrypt:/, `cannot decrypt ${where}:`), { cause: err, code: err.code });
      throw err;
    }
  }
  if (sealed.spec.data) {
    const whole = hybridDecrypt(privateKeys, label, decodeCiphertext(sealed.spec.data, `${source}, spec.data`));
    let legacy: { data?: Record<string, string> };
    try {
      legacy = JSON.parse(whole.toString("utf8")) as { data?: Record<string, string> };
    } catch (err) {
      throw new DecryptError(`cannot decrypt ${source}, spec.data: the decrypted v1 payload is not a JSON Secret (re-seal it)`, { cause: err });
    }
    for (const [key, value] of Object.entries(legacy.data ?? {})) if (!values.has(key)) values.set(key, Buffer.from(value, "base64"));
  }
  return values;
}

/**
 * Recovery unseal: the Secret the controller would make from a SealedSecret.
 * @throws DecryptError when a value does not open; InputError when `spec.template.data` holds
 *   templates (rendering them offline is not supported).
 */
export function sealedSecretToSecret(sealed: SealedSecret, privateKeys: readonly KeyObject[], source: string, defaultNamespace?: string): Secret {
  const values = openSealedValues(sealed, privateKeys, source, defaultNamespace);
  const template = sealed.spec.template ?? {};
  const data: Record<string, string> = {};
  for (const [key, value] of values) data[key] = value.toString("base64");
  for (const [key, text] of Object.entries(template.data ?? {})) {
    if (text.includes("{{")) {
      throw new InputError(`cannot unseal: ${source} spec.template.data["${key}"] is a template (render it in the cluster; offline unseal decrypts encryptedData only)`, { code: "TemplateUnsupported" });
    }
    data[key] = Buffer.from(text, "utf8").toString("base64");
  }
  const metadata: Record<string, unknown> = { ...template.metadata };
  if (sealed.metadata?.name) metadata["name"] = sealed.metadata.name;
  if (sealed.metadata?.namespace) metadata["namespace"] = sealed.metadata.namespace;
  const secret: Record<string, unknown> = { apiVersion: "v1", kind: "Secret", metadata };
  if (template.type !== undefined) secret["type"] = template.type;
  if (template.immutable !== undefined) secret["immutable"] = template.immutable;
  secret["data"] = sortedRecord(data);
  return secret as Secret;
}

/**
 * Re-encrypts every value of a SealedSecret to `publicKey` (the newest certificate), keeping
 * everything else as it is. Offline: the plaintext never leaves this process.
 * @throws DecryptError when a value does not open with `privateKeys`.
 */
export function reencryptSealedSecret(
  sealed: SealedSecret,
  privateKeys: readonly KeyObject[],
  publicKey: KeyObject,
  source: string,
  random?: RandomSource,
): SealedSecret {
  const label = sealedSecretLabel(sealed, source);
  const values = openSealedValues(sealed, privateKeys, source);
  const encryptedData: Record<string, string> = {};
  for (const [key, value] of values) encryptedData[key] = hybridEncrypt(publicKey, label, value, random).toString("base64");
  const spec: Record<string, unknown> = { ...sealed.spec, encryptedData: sortedRecord(encryptedData) };
  delete spec["data"]; // a v1 blob is folded into encryptedData
  return { ...sealed, spec } as SealedSecret;
}
