/**
 * The key material of a real-stack run, made with the openssl CLI into the run folder: a CA, the
 * kube-apiserver serving certificate for 127.0.0.1/localhost signed by it, and the RSA key that
 * signs ServiceAccount tokens (private for the apiserver and controller-manager, public for
 * verification).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Paths (and the CA PEM) of the material in {@link makePki}'s folder. */
export interface RealstackPki {
  caCert: string;
  caKey: string;
  caPem: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message;
    throw new Error(`realstack: openssl ${args[0] ?? ""} failed: ${stderr.trim()} (is openssl 3 installed?)`);
  }
}

/**
 * Writes the material into `dir` (which exists).
 * @throws Error when openssl fails.
 */
export function makePki(dir: string): RealstackPki {
  const p = (name: string): string => join(dir, name);
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "7", "-subj", "/CN=sealbridge-realstack-ca",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", p("ca.key"), "-out", p("ca.crt")], dir);
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=kube-apiserver", "-keyout", p("apiserver.key"), "-out", p("apiserver.csr")], dir);
  writeFileSync(p("apiserver.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
  openssl(["x509", "-req", "-in", p("apiserver.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"), "-CAcreateserial", "-days", "7", "-extfile", p("apiserver.ext"), "-out", p("apiserver.crt")], dir);
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", p("sa.key")], dir);
  openssl(["pkey", "-in", p("sa.key"), "-pubout", "-out", p("sa.pub")], dir);
  return {
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    caPem: readFileSync(p("ca.crt"), "utf8"),
    serverCert: p("apiserver.crt"),
    serverKey: p("apiserver.key"),
    saKey: p("sa.key"),
    saPub: p("sa.pub"),
  };
}
