/**
 * TLS material for the Kubernetes test server: a self-signed ECDSA P-256 CA and a serving
 * certificate for 127.0.0.1/localhost made with node:crypto (x509.ts; milliseconds), plus the
 * RSA-2048 key that signs ServiceAccount tokens (RS256, as kube-apiserver's default; ~200 ms to
 * generate). Made once per process and cached in a file under the temp dir, so test processes
 * after the first start in milliseconds (the material only protects loopback test servers).
 */
import { createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { makeCertificate } from "./x509.js";

/** PEM-encoded TLS material. */
export interface ServerTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** PKCS#8 PEM of the RS256 token-signing key. */
  tokenKeyPem: string;
}

const genKeyPair = promisify(generateKeyPair);

function serial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b;
}

async function generate(): Promise<ServerTls> {
  const tokenKey = genKeyPair("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const leaf = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caSpki = ca.publicKey.export({ type: "spki", format: "der" });
  const now = Date.now();
  const notBefore = new Date(now - 60 * 60 * 1000);
  const notAfter = new Date(now + 365 * 24 * 60 * 60 * 1000);
  const caPem = makeCertificate({
    subjectCN: "sealbridge-test-ca", issuerCN: "sealbridge-test-ca", serial: serial(), notBefore, notAfter,
    subjectSpki: caSpki, issuerSpki: caSpki, issuerKey: ca.privateKey, ca: true,
  });
  const certPem = makeCertificate({
    subjectCN: "kube-apiserver", issuerCN: "sealbridge-test-ca", serial: serial(), notBefore, notAfter,
    subjectSpki: leaf.publicKey.export({ type: "spki", format: "der" }), issuerSpki: caSpki, issuerKey: ca.privateKey, ca: false,
    dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"], ipAddresses: ["127.0.0.1"],
  });
  const keyPem = leaf.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { caPem, certPem, keyPem, tokenKeyPem: (await tokenKey).privateKey };
}

function cacheFile(): string {
  let who = "user";
  try {
    who = String(userInfo().uid);
  } catch {
    // No passwd entry: one shared name is fine.
  }
  return join(tmpdir(), `sealbridge-kube-test-tls-v2-${who}.json`);
}

async function fromCache(path: string): Promise<ServerTls | undefined> {
  try {
    const t = JSON.parse(await readFile(path, "utf8")) as ServerTls;
    const cert = new X509Certificate(t.certPem);
    // Re-generate well before expiry, or when anything is unreadable.
    if (new Date(cert.validTo).getTime() - Date.now() < 7 * 24 * 3600 * 1000) return undefined;
    if (!cert.checkIssued(new X509Certificate(t.caPem))) return undefined;
    createPrivateKey(t.keyPem);
    createPrivateKey(t.tokenKeyPem);
    return t;
  } catch {
    return undefined;
  }
}

let cached: Promise<ServerTls> | undefined;

/** The TLS material: from this process, the temp-dir cache, or generated (~200 ms) and cached. */
export function serverTls(): Promise<ServerTls> {
  cached ??= (async () => {
    const path = cacheFile();
    const hit = await fromCache(path);
    if (hit) return hit;
    const made = await generate();
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    try {
      await writeFile(tmp, JSON.stringify(made), { mode: 0o600 });
      await rename(tmp, path);
    } catch {
      // An unwritable temp dir only costs the next process the generation time.
    }
    return made;
  })();
  return cached;
}
