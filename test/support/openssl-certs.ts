/**
 * Test certificates made by the real `openssl`: a CA and leaves with chosen SANs and exact
 * validity dates (`openssl ca -startdate/-enddate`, since OpenSSL 3.0's `req` only takes -days).
 * EC P-256 keys keep it fast.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA made by {@link opensslCa}; its folder is removed by `dispose`. */
export interface TestCa {
  certPem: string;
  dir: string;
  dispose(): void;
}

/** A leaf certificate and its key (PEM). */
export interface TestLeaf {
  certPem: string;
  keyPem: string;
}

const run = (args: string[], cwd: string): void => {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
};

/** A self-signed CA valid from 2000 to 2099 (so fixed test dates fall inside it). */
export function opensslCa(cn = "sealbridge Test CA"): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "sb-ca-"));
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "01\n");
  writeFileSync(
    join(dir, "self.cnf"),
    ["[ca]", "default_ca = d", "[d]", "database = index.txt", "new_certs_dir = .", "serial = serial", "default_md = sha256", "policy = p", "unique_subject = no",
      "[p]", "commonName = supplied", "[v3ca]", "basicConstraints = critical,CA:true", "keyUsage = critical,keyCertSign,cRLSign", "subjectKeyIdentifier = hash", ""].join("\n"),
  );
  run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"], dir);
  run(["req", "-new", "-key", "ca.key", "-out", "ca.csr", "-subj", `/CN=${cn}`], dir);
  run(["ca", "-batch", "-selfsign", "-config", "self.cnf", "-keyfile", "ca.key", "-in", "ca.csr", "-out", "ca.crt", "-startdate", "20000101000000Z", "-enddate", "20991231000000Z", "-extensions", "v3ca", "-notext"], dir);
  return { certPem: readFileSync(join(dir, "ca.crt"), "utf8"), dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "Z");

/** A leaf signed by `ca` for `dnsNames`, valid exactly from `notBefore` to `notAfter`. */
export function opensslLeaf(ca: TestCa, dnsNames: string[], notBefore: Date, notAfter: Date): TestLeaf {
  const dir = ca.dir;
  const tag = Math.random().toString(36).slice(2);
  const key = `leaf-${tag}.key`;
  const csr = `leaf-${tag}.csr`;
  const crt = `leaf-${tag}.crt`;
  const cnf = `ca-${tag}.cnf`;
  writeFileSync(
    join(dir, cnf),
    [
      "[ca]",
      "default_ca = d",
      "[d]",
      "database = index.txt",
      "new_certs_dir = .",
      `serial = serial-${tag}`,
      "default_md = sha256",
      "policy = p",
      "unique_subject = no",
      "[p]",
      "commonName = supplied",
      "[ext]",
      `subjectAltName = ${dnsNames.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(",")}`,
      "basicConstraints = CA:false",
      "authorityKeyIdentifier = keyid",
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, `serial-${tag}`), `${Buffer.from(tag.padEnd(8, "0")).toString("hex")}\n`);
  run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], dir);
  run(["req", "-new", "-key", key, "-out", csr, "-subj", `/CN=${dnsNames[0] ?? "leaf"}`], dir);
  run(
    ["ca", "-batch", "-config", cnf, "-cert", "ca.crt", "-keyfile", "ca.key", "-in", csr, "-out", crt, "-startdate", stamp(notBefore), "-enddate", stamp(notAfter), "-extensions", "ext", "-notext"],
    dir,
  );
  return { certPem: readFileSync(join(dir, crt), "utf8"), keyPem: readFileSync(join(dir, key), "utf8") };
}
