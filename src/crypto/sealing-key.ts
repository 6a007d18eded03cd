/**
 * Sealing keys: the controller's RSA key pair and its self-signed certificate, in the forms
 * sealed-secrets uses (PKCS#1 `tls.key`, PEM `tls.crt`, key Secrets in a `kubernetes.io/tls`
 * Secret or a `v1 List` of them as `kubectl get secret -o yaml` prints a backup).
 */
import { constants, createPrivateKey, generateKeyPair, privateEncrypt, X509Certificate, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { systemClock, type Clock } from "../clock.js";
import { InputError } from "../errors.js";

/** A certificate to seal to: its RSA public key and validity. */
export interface SealingCertificate {
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 fingerprint, colon-separated hex (as openssl prints it). */
  fingerprint: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/g;

/**
 * Parses the first PEM certificate in `pem` (the controller's `/v1/cert.pem` may hold several;
 * kubeseal uses the first) and refuses it when expired, as kubeseal does.
 * @throws InputError when there is no parsable certificate, its key is not RSA, or it has expired.
 */
export function parseSealingCertificate(pem: string | Uint8Array, source: string, clock: Clock = systemClock): SealingCertificate {
  const text = typeof pem === "string" ? pem : Buffer.from(pem).toString("utf8");
  const block = text.match(PEM_CERT)?.[0];
  if (!block) throw new InputError(`invalid certificate: ${source} holds no PEM certificate (pass the controller's cert.pem)`, { code: "InvalidCertificate" });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block);
  } catch (err) {
    throw new InputError(`invalid certificate: ${source} cannot be parsed (pass the controller's cert.pem)`, { cause: err, code: "InvalidCertificate" });
  }
  const publicKey = cert.publicKey;
  if (publicKey.asymmetricKeyType !== "rsa") {
    throw new InputError(`invalid certificate: ${source} does not hold an RSA key (pass a sealed-secrets certificate)`, { code: "InvalidCertificate" });
  }
  const notAfter = new Date(cert.validTo);
  if (clock.now().getTime() > notAfter.getTime()) {
    throw new InputError(
      `failed to encrypt using an expired certificate: ${source} expired ${notAfter.toISOString()} (fetch the controller's current certificate)`,
      { code: "ExpiredCertificate" },
    );
  }
  return { publicKey, notBefore: new Date(cert.validFrom), notAfter, fingerprint: cert.fingerprint256 };
}

function keyFromPem(pem: string, source: string): KeyObject {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    return key;
  } catch (err) {
    throw new InputError(`invalid private key: ${source} holds a key that is not a readable RSA key (pass the controller's tls.key)`, {
      cause: err,
      code: "InvalidPrivateKey",
    });
  }
}

/** Collects `data["tls.key"]` from a Secret, or from each item of a List. */
function keysFromObject(obj: unknown, out: string[]): void {
  if (typeof obj !== "object" || obj === null) return;
  const record = obj as Record<string, unknown>;
  if (Array.isArray(record["items"])) {
    for (const item of record["items"]) keysFromObject(item, out);
    return;
  }
  const data = record["data"];
  if (typeof data === "object" && data !== null) {
    const encoded = (data as Record<string, unknown>)["tls.key"];
    if (typeof encoded === "string") out.push(Buffer.from(encoded, "base64").toString("utf8"));
  }
  const stringData = record["stringData"];
  if (typeof stringData === "object" && stringData !== null) {
    const plain = (stringData as Record<string, unknown>)["tls.key"];
    if (typeof plain === "string") out.push(plain);
  }
}

/**
 * Reads RSA private keys the way `kubeseal --recovery-private-key` accepts them: PEM (PKCS#1 or
 * PKCS#8; several blocks allowed), or a key Secret backup in JSON/YAML (one or many documents,
 * `kind: List` included) whose `data["tls.key"]` holds the PEM.
 * @throws InputError when the text holds no key, or a key that cannot be read.
 */
export function parsePrivateKeys(text: string, source: string): KeyObject[] {
  let pems: string[] = [...(text.match(PEM_KEY) ?? [])];
  if (pems.length === 0 || /^\s*[{]|^\s*(apiVersion|kind|items|data)\s*:/m.test(text)) {
    const fromObjects: string[] = [];
    try {
      for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length === 0) keysFromObject(doc.toJS(), fromObjects);
      }
    } catch {
      // not YAML either: fall through to the "no key" error below
    }
    if (fromObjects.length > 0) pems = fromObjects.flatMap((p) => p.match(PEM_KEY) ?? [p]);
  }
  if (pems.length === 0) {
    throw new InputError(`invalid private key: ${source} holds no PEM private key or key Secret (pass tls.key or a key Secret backup)`, {
      code: "InvalidPrivateKey",
    });
  }
  return pems.map((pem) => keyFromPem(pem, source));
}

/** A new controller key: PKCS#1 PEM private key and a self-signed PEM certificate. */
export interface GeneratedSealingKey {
  privateKeyPem: string;
  certificatePem: string;
}

/** Options of `generateSealingKey`. */
export interface SealingKeyOptions {
  /** RSA modulus size; sealed-secrets' default is 4096. */
  bits?: number;
  /** Certificate lifetime in milliseconds; default 10 years (sealed-secrets' `--key-ttl`). */
  validityMs?: number;
  /** Common name; sealed-secrets leaves it empty unless `--my-cn` is set. */
  commonName?: string;
  clock?: Clock;
}

const TEN_YEARS_MS = 87600 * 3600 * 1000;
// DER prefix of a PKCS#1 v1.5 DigestInfo for SHA-256 (RFC 8017 9.2 note 1).
const SHA256_DIGEST_INFO_PREFIX = Buffer.from("3031300d060960864801650304020105000420", "hex");

/**
 * Generates a sealing key as the sealed-secrets controller does: RSA (node:crypto), and a
 * self-signed certificate (built with node-forge, signed natively) with KeyUsage Encipher Only,
 * CA:TRUE and a random 128-bit serial.
 * @throws Error only if key generation itself fails (out of entropy or memory).
 */
export async function generateSealingKey(options: SealingKeyOptions = {}): Promise<GeneratedSealingKey> {
  const { bits = 4096, validityMs = TEN_YEARS_MS, commonName, clock = systemClock } = options;
  const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  const forge = (await import("node-forge")).default;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  const serial = forge.util.bytesToHex(forge.random.getBytesSync(16));
  cert.serialNumber = ((parseInt(serial.slice(0, 1), 16) % 7) + 1).toString(16) + serial.slice(1); // positive, minimal DER
  const now = clock.now();
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + validityMs);
  const subject = commonName ? [{ name: "commonName", value: commonName }] : [];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "keyUsage", critical: true, encipherOnly: true },
    { name: "basicConstraints", critical: true, cA: true },
    { name: "subjectKeyIdentifier" },
  ]);
  // forge hands over the SHA-256 digest of the TBS certificate; sign it with native RSA.
  const signer = {
    sign(md: { digest(): { getBytes(): string } }): string {
      const digest = Buffer.from(md.digest().getBytes(), "binary");
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]);
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString("binary");
    },
  };
  cert.sign(signer as unknown as Parameters<typeof cert.sign>[0], forge.md.sha256.create());
  return {
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    certificatePem: forge.pki.certificateToPem(cert),
  };
}
