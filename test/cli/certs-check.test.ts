/**
 * `sealbridge certs check` as a process: openssl-made certificates in files, in Secrets on the
 * Kubernetes test server, behind cert-manager Certificates, and served by a local TLS server.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:tls";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { SECRETS } from "../../src/kube/resources.js";
import type { KubeClient, KubeObject } from "../../src/kube/types.js";
import { CERT_MANAGER_CERTIFICATES } from "../../src/certs/kube-inputs.js";
import { startKubeServer, type KubeTestServer } from "../harness/kube/index.js";
import { opensslCa, opensslLeaf, type TestCa, type TestLeaf } from "../support/openssl-certs.js";
import { installCrd, testKubeClient } from "../support/kube-client.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const DAY = 86_400_000;
const CANARY = "CANARY-PRIVATE-KEY-MATERIAL";

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { env: { PATH: process.env["PATH"] ?? "", HOME: "/nonexistent", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

function tlsSecret(namespace: string, name: string, leaf: TestLeaf, extra: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    type: "kubernetes.io/tls",
    data: {
      "tls.crt": Buffer.from(leaf.certPem).toString("base64"),
      "tls.key": Buffer.from(leaf.keyPem + CANARY).toString("base64"),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
    },
  };
}

describe("sealbridge certs check", () => {
  let ca: TestCa;
  let dir: string;
  let fresh: TestLeaf;
  let overdue: TestLeaf;
  let expired: TestLeaf;
  let server: KubeTestServer;
  let kube: KubeClient;
  let closeKube: () => void;
  let kubeconfig: string;
  let tls: Server;
  let tlsPort: number;
  const now = Date.now();

  before(async () => {
    ca = opensslCa();
    fresh = opensslLeaf(ca, ["www.example.test"], new Date(now - DAY), new Date(now + 89 * DAY));
    overdue = opensslLeaf(ca, ["old.example.test"], new Date(now - 70 * DAY), new Date(now + 20 * DAY));
    expired = opensslLeaf(ca, ["gone.example.test"], new Date(now - 100 * DAY), new Date(now - 10 * DAY));
    dir = mkdtempSync(join(tmpdir(), "sb-certs-"));
    writeFileSync(join(dir, "fresh.pem"), fresh.certPem);
    writeFileSync(join(dir, "overdue.pem"), overdue.certPem);
    writeFileSync(join(dir, "expired.pem"), expired.certPem);
    writeFileSync(join(dir, "garbage.pem"), "not a certificate\n");
    writeFileSync(join(dir, "ca.pem"), ca.certPem);
    server = await startKubeServer();
    kubeconfig = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    ({ kube, close: closeKube } = await testKubeClient(server));
    await kube.create({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, { apiVersion: "v1", kind: "Namespace", metadata: { name: "web" } });
    await kube.create(SECRETS, tlsSecret("web", "www-tls", fresh, { "ca.crt": ca.certPem }));
    await kube.create(SECRETS, tlsSecret("web", "old-tls", overdue));
    await kube.create(SECRETS, { apiVersion: "v1", kind: "Secret", metadata: { name: "opaque", namespace: "web" }, type: "Opaque", data: { "tls.crt": Buffer.from("x").toString("base64") } });
    tls = createServer({ key: fresh.keyPem, cert: fresh.certPem });
    await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
    tlsPort = (tls.address() as { port: number }).port;
  });
  after(async () => {
    tls.close();
    closeKube();
    await server.stop();
    ca.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("--file: a fresh certificate is Valid, exit 0, as a table", async () => {
    const r = await cli(["certs", "check", "--file", join(dir, "fresh.pem")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^SOURCE\s+STATE\s+DAYS LEFT\s+NOT AFTER\s+SUBJECT\s+MESSAGE$/m);
    assert.match(r.stdout, /File .*fresh\.pem\s+Valid\s+88\s/);
  });
  test("--file -o json: past its renewal time is RenewalOverdue, exit 1", async () => {
    const r = await cli(["certs", "check", "--file", join(dir, "overdue.pem"), "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { certificates: Array<{ state: string; severity: string; dnsNames: string[]; message: string }> };
    assert.equal(out.certificates[0]?.state, "RenewalOverdue");
    assert.deepEqual(out.certificates[0]?.dnsNames, ["old.example.test"]);
    assert.match(out.certificates[0]?.message ?? "", /did not change/);
  });
  test("expired and unparsable files exit 2 with a clear message each", async () => {
    const r = await cli(["certs", "check", "--file", join(dir, "expired.pem"), "--file", join(dir, "garbage.pem"), "--file", join(dir, "missing.pem"), "-o", "yaml"]);
    assert.equal(r.code, 2, r.stderr);
    const out = parseYaml(r.stdout) as { certificates: Array<{ state: string; message: string }> };
    assert.deepEqual(out.certificates.map((c) => c.state), ["Expired", "Invalid", "Invalid"]);
    assert.match(out.certificates[0]?.message ?? "", /expired at .* \(10 days ago\)/);
    assert.equal(out.certificates[1]?.message, "no PEM block found");
    assert.match(out.certificates[2]?.message ?? "", /cannot read .*missing\.pem/);
  });
  test("--warn and --critical take durations or fractions", async () => {
    const warn = await cli(["certs", "check", "--file", join(dir, "fresh.pem"), "--warn", "95d", "--renew-before", "10d"]);
    assert.equal(warn.code, 1, warn.stdout);
    assert.match(warn.stdout, /Expiring/);
    const crit = await cli(["certs", "check", "--file", join(dir, "fresh.pem"), "--critical", "99%"]);
    assert.equal(crit.code, 2, crit.stdout);
    const bad = await cli(["certs", "check", "--file", join(dir, "fresh.pem"), "--warn", "soon"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /^error: invalid threshold "soon": --warn \(not a fraction or a duration; use a fraction of the lifetime such as 1\/3/m);
  });
  test("--secret and --all-secrets through the kubeconfig; the field selector is server-side; no key material printed", async () => {
    const before = server.counters.requests("GET", /fieldSelector=type%3Dkubernetes\.io%2Ftls/);
    const r = await cli(["certs", "check", "--kubeconfig", kubeconfig, "--secret", "web/www-tls", "--all-secrets", "-o", "json"]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { certificates: Array<{ source: { name: string }; state: string }> };
    assert.deepEqual(out.certificates.map((c) => `${c.source.name} ${c.state}`).sort(), ["old-tls RenewalOverdue", "www-tls Valid", "www-tls Valid"]);
    assert.equal(server.counters.requests("GET", /fieldSelector=type%3Dkubernetes\.io%2Ftls/), before + 1);
    for (const text of [r.stdout, r.stderr]) {
      assert.ok(!text.includes(CANARY) && !text.includes("PRIVATE KEY"), "no key material in the output");
    }
    const missing = await cli(["certs", "check", "--kubeconfig", kubeconfig, "--secret", "web/nope"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stdout, /Secret web\/nope not found/);
  });
  test("--endpoint with SNI and --ca-file: served chain checked; wrong name and unreachable are findings", async () => {
    const ok = await cli(["certs", "check", "--endpoint", `127.0.0.1:${tlsPort}`, "--server-name", "www.example.test", "--ca-file", join(dir, "ca.pem"), "-o", "json"]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { certificates: Array<{ state: string }> }).certificates[0]?.state, "Valid");
    const wrong = await cli(["certs", "check", "--endpoint", `127.0.0.1:${tlsPort}`, "--server-name", "shop.example.test", "--ca-file", join(dir, "ca.pem")]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stdout, /not valid for "shop\.example\.test"/);
    const untrusted = await cli(["certs", "check", "--endpoint", `127.0.0.1:${tlsPort}`, "--server-name", "www.example.test"]);
    assert.equal(untrusted.code, 2);
    assert.match(untrusted.stdout, /chain not trusted/);
    const closed = await cli(["certs", "check", "--endpoint", "127.0.0.1:1"]);
    assert.equal(closed.code, 2);
    assert.match(closed.stdout, /127\.0\.0\.1:1 unreachable: ECONNREFUSED/);
    const bad = await cli(["certs", "check", "--endpoint", "no-port"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /invalid --endpoint "no-port": expected HOST:PORT/);
  });
  test("--cert-manager: renewalTime and a failed issuance come from the Certificate status", async () => {
    const none = await cli(["certs", "check", "--kubeconfig", kubeconfig, "--cert-manager"]);
    assert.equal(none.code, 3);
    assert.match(none.stderr, /no cert-manager\.io\/v1 Certificate resource/);
    await installCrd(kube, new URL("../fixtures/cert-manager/certificates.cert-manager.io.yaml", import.meta.url));
    const cert = (name: string, secretName: string): KubeObject => ({
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name, namespace: "web" },
      spec: { secretName, dnsNames: ["www.example.test"], issuerRef: { name: "le" } },
    });
    await kube.create(CERT_MANAGER_CERTIFICATES, cert("www", "www-tls"));
    await kube.create(CERT_MANAGER_CERTIFICATES, cert("missing", "missing-tls"));
    await kube.patchStatus(CERT_MANAGER_CERTIFICATES, "web", "www", {
        renewalTime: new Date(now + 30 * DAY).toISOString(),
        lastFailureTime: new Date(now - 3_600_000).toISOString(),
        failedIssuanceAttempts: 2,
        conditions: [
          { type: "Ready", status: "True", reason: "Ready", message: "Certificate is up to date and has not expired" },
          { type: "Issuing", status: "False", reason: "Failed", message: "The certificate request has failed to complete and will be retried: acme: 429 rateLimited" },
        ],
    });
    const r = await cli(["certs", "check", "--kubeconfig", kubeconfig, "--cert-manager", "-o", "json"]);
    assert.equal(r.code, 2, r.stderr);
    const out = JSON.parse(r.stdout) as { certificates: Array<{ source: { name: string }; state: string; message: string; renewalTime?: string }> };
    const byName = new Map(out.certificates.map((c) => [c.source.name, c]));
    assert.equal(byName.get("www")?.state, "RenewalOverdue");
    assert.match(byName.get("www")?.message ?? "", /cert-manager issuance failed after 2 failed attempts: Failed: The certificate request has failed to complete and will be retried: acme: 429 rateLimited/);
    assert.equal(byName.get("missing")?.state, "Invalid");
    assert.match(byName.get("missing")?.message ?? "", /Secret web\/missing-tls of Certificate missing not found/);
  });
});
