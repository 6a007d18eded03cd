/**
 * Demo step 10: real BIND 9 (authoritative for example.test, TSIG-signed RFC 2136 updates) and
 * real Pebble (the ACME test CA, validating DNS-01 through that BIND); an AcmeCertificate renews
 * the expiring certificate of step 9 into the same Secret; openssl verifies the new chain against
 * Pebble's root; the TXT record is gone; the expiry alert resolves.
 */
import { X509Certificate, createPublicKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AlertReceiver } from "../../test/harness/alertmanager/receiver.js";
import { newKey, startBind } from "../../test/harness/acme/bind.js";
import { startPebble } from "../../test/harness/acme/pebble.js";
import { checkState, expiryAlert } from "./certificate-alert.js";
import type { DemoSession } from "./session.js";

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g;

/** Runs the step. */
export async function acmeIssuance(demo: DemoSession, receiver: AlertReceiver): Promise<void> {
  demo.say("Renew it over ACME DNS-01 through real BIND 9 and Pebble; the alert resolves");
  const key = newKey("sealbridge-acme", true);
  demo.secrets.push(key.secret);
  const bind = await startBind({ keys: [key] });
  demo.onStop(() => bind.close());
  demo.note(`BIND 9 named: authoritative for ${bind.zone} on 127.0.0.1:${bind.port}, TSIG key ${key.name} may update TXT records`);
  const pebble = await startPebble({ dnsServer: bind.server });
  demo.onStop(() => pebble.stop());
  demo.note(`Pebble: ACME directory ${pebble.directoryUrl}, validating DNS-01 against that BIND`);

  writeFileSync(join(demo.dir, "tsig.secret"), key.secret, { mode: 0o600 });
  writeFileSync(join(demo.dir, "pebble-ca.pem"), pebble.caPem);
  await demo.kubectl(["create", "secret", "generic", "acme-tsig", "-n", "web", `--from-file=secret=${join(demo.dir, "tsig.secret")}`]);
  await demo.kubectl(["create", "secret", "generic", "pebble-ca", "-n", "web", `--from-file=ca.crt=${join(demo.dir, "pebble-ca.pem")}`]);
  const oldFingerprint = new X509Certificate((await demo.secretValue("web", "www-tls", "tls.crt")) ?? "").fingerprint256;
  await demo.kubectl(["apply", "-f", "-"], {
    input: `apiVersion: sealbridge.io/v1alpha1
kind: AcmeCertificate
metadata: { name: www, namespace: web }
spec:
  dnsNames: [www.example.test]
  secretName: www-tls
  issuer:
    directoryUrl: ${pebble.directoryUrl}
    email: ops@example.test
    accountKeySecretRef: { name: acme-account }
    caBundleSecretRef: { name: pebble-ca, key: ca.crt }
  dns01:
    zone: ${bind.zone}
    rfc2136:
      nameserver: "127.0.0.1:${bind.port}"
      tsigKeyName: ${key.name}
      tsigAlgorithm: HMACSHA256
      tsigSecretSecretRef: { name: acme-tsig, key: secret }
`,
  });

  await demo.eventually(() => {
    const first = demo.storedSecret("web", "www-tls", "tls.crt")?.match(PEM_CERT)?.[0];
    return first !== undefined && new X509Certificate(first).fingerprint256 !== oldFingerprint;
  }, "the renewed certificate in Secret web/www-tls", 60_000);
  const chainPem = (await demo.secretValue("web", "www-tls", "tls.crt")) ?? "";
  const [leafPem = "", ...intermediates] = chainPem.match(PEM_CERT) ?? [];
  const leaf = new X509Certificate(leafPem);
  demo.check(leaf.subjectAltName === "DNS:www.example.test" && intermediates.length >= 1, `Secret web/www-tls now holds a Pebble certificate for www.example.test and its chain (${intermediates.length} intermediate)`);
  const keyPem = (await demo.secretValue("web", "www-tls", "tls.key")) ?? "";
  const keyMatches = keyPem !== "" && createPublicKey(keyPem).export({ type: "spki", format: "der" }).equals(leaf.publicKey.export({ type: "spki", format: "der" }));
  demo.check(keyMatches, "tls.key is the private key of the new certificate");

  writeFileSync(join(demo.dir, "pebble-root.pem"), await pebble.issuingRoot());
  writeFileSync(join(demo.dir, "www.crt"), leafPem);
  writeFileSync(join(demo.dir, "www-chain.pem"), intermediates.join(""));
  const verified = await demo.run("openssl", ["verify", "-CAfile", join(demo.dir, "pebble-root.pem"), "-untrusted", join(demo.dir, "www-chain.pem"), join(demo.dir, "www.crt")], { allowFail: true });
  demo.check(verified.code === 0 && /: OK\s*$/.test(verified.stdout), "openssl verifies the chain against Pebble's root (fetched from its management API)");

  const dig = await demo.run("dig", ["@127.0.0.1", "-p", String(bind.port), "+short", "TXT", `_acme-challenge.www.${bind.zone}`], { allowFail: true });
  demo.check(dig.code === 0 && dig.stdout.trim() === "", "the _acme-challenge TXT record was removed from BIND after validation");

  const recorded = () => (demo.stored("acmecertificates.sealbridge.io", "web", "www")?.["status"] as { notAfter?: string } | undefined)?.notAfter;
  await demo.eventually(() => recorded() !== undefined && new Date(recorded() ?? "").getTime() === new Date(leaf.validTo).getTime(), "status.notAfter of AcmeCertificate web/www");
  const notAfter = await demo.field("acmecertificate", "www", "web", "{.status.notAfter}");
  const ready = await demo.field("acmecertificate", "www", "web", "{.status.conditions[?(@.type=='Ready')].reason}");
  demo.check(ready === "Issued" && new Date(notAfter).getTime() === new Date(leaf.validTo).getTime(), `AcmeCertificate web/www Ready (Issued), status.notAfter ${notAfter} matches the certificate`);

  const resolved = await demo.eventually(() => {
    const a = expiryAlert(receiver);
    return a && receiver.isResolved(a) ? a : undefined;
  }, "the CertificateExpiring alert to resolve");
  demo.check(resolved.endsAt !== undefined, `the alert was resolved at the receiver (endsAt ${resolved.endsAt ?? ""})`);
  await demo.eventually(() => checkState(demo) === "Valid", "CertificateCheck web/www to report Valid");
  demo.check((await demo.field("certificatecheck", "www", "web", "{.status.certificates[0].state}")) === "Valid", "CertificateCheck web/www reports the Secret as Valid");
  demo.check(receiver.refused().length === 0, "every alert body conformed to the spec");
  demo.keepNotes.push(`dig @127.0.0.1 -p ${bind.port} SOA ${bind.zone}   # the BIND 9 test zone`);
}
