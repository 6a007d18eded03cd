/**
 * `sealbridge doctor` as a process against the test servers and a real `sealbridge controller`
 * process: the healthy chain passes, then one fault at a time, each naming the right first broken
 * link, and restored before the next. Canaries planted in Secrets (a Vault token, a TLS Secret's
 * extra key, a DNS credential) never appear in any output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// Pinned to the test servers (not SEALBRIDGE_BACKEND, and so not picked up by `npm run test:real`):
// its faults seal in-process Vault nodes and delete the Service the test server's proxy routes;
// doctor.real.test.ts runs the chain on the real tier.
import { startBackend as startTestBackend, type Backend } from "../harness/realstack/backend.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { waitFor } from "../support/controller-process.js";
import { runCli } from "../support/run-cli.js";
import { APP, NS, appRole, appRoleStore, assertFirstFailure, healthyChain, tlsSecret, type DoctorRun, type DoctorScenario } from "./doctor-scenario.js";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `CANARY-${randomBytes(8).toString("hex")}`;

describe("sealbridge doctor against the test servers and a controller process", { timeout: 600_000 }, () => {
  let backend: Backend;
  let storeVault: VaultTestCluster;
  let nodeVault: VaultTestCluster;
  let s: DoctorScenario;
  const outputs: string[] = [];
  const doctor = async (args: string[] = [], env: Record<string, string> = {}): Promise<DoctorRun> => {
    const r = await s.doctor(args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    backend = await startTestBackend({ kind: "testenv" });
    [storeVault, nodeVault] = await Promise.all([startVaultServer({ mode: "dev" }), startVaultServer({ mode: "dev" })]);
    s = await healthyChain(backend, nodeVault.addr, CANARY);
  });

  after(async () => {
    await s?.stop();
    await Promise.all([backend?.stop(), storeVault?.stop(), nodeVault?.stop()]);
  });

  test("the healthy chain: no broken link, exit 0, every link judged", async () => {
    const r = await doctor();
    assertFirstFailure(r, null);
    const byName = new Map(r.report?.checks.map((c) => [c.name, c]));
    for (const link of ["kubeconfig", "api-server", "crds", "controller-lease", "controller-service", "controller-ready", "sealing-cert", "age-recipient", "secret-stores", "certificates", "vault-nodes"]) {
      assert.equal(byName.get(link)?.status, "ok", `${link}: ${JSON.stringify(byName.get(link))}`);
    }
    // No Deployment or Pod: the controller runs outside the cluster, which is not a failure.
    assert.equal(byName.get("controller-pods")?.status, "skip");
    assert.equal(byName.get("dns-credentials")?.status, "skip");
    const text = await runCli(["doctor", "--kubeconfig", s.ws.kubeconfig], { env: { HOME: s.ws.dir } });
    outputs.push(text.stdout, text.stderr);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /^no broken link/m);
  });

  test("no kubeconfig at all, or a missing --kubeconfig file → kubeconfig, everything else skipped", async () => {
    const none = await runCli(["doctor", "-o", "json"], { env: { HOME: s.ws.dir } });
    outputs.push(none.stdout, none.stderr);
    assertFirstFailure({ ...none, report: JSON.parse(none.stdout) }, "kubeconfig");
    const missing = await doctor(["--kubeconfig", join(s.ws.dir, "nope")]);
    assertFirstFailure(missing, "kubeconfig");
    assert.ok(missing.report?.checks.slice(1).every((c) => c.status === "skip" && c.message.startsWith("skipped: needs")));
  });

  test("API server down, or credentials refused → api-server", async () => {
    const down = join(s.ws.dir, "down.kubeconfig");
    writeFileSync(down, readFileSync(s.ws.kubeconfig, "utf8").replace(/server: https:\/\/127\.0\.0\.1:\d+/, "server: https://127.0.0.1:1"));
    const r = await doctor(["--kubeconfig", down]);
    assertFirstFailure(r, "api-server");
    assert.equal(r.report?.checks.find((c) => c.name === "crds")?.message, "skipped: needs the API server");
    const badToken = join(s.ws.dir, "bad-token.kubeconfig");
    await backend.kube.writeKubeconfig(badToken, { token: "not-a-valid-token" });
    const refused = await doctor(["--kubeconfig", badToken]);
    assertFirstFailure(refused, "api-server");
    assert.match(refused.report?.checks[1]?.message ?? "", /401/);
  });

  test("a CRD missing → crds (text output names it first, with the fix)", async () => {
    await s.kubectl(["delete", "crd", "agesecrets.sealbridge.io"]);
    try {
      const r = await doctor();
      assertFirstFailure(r, "crds");
      assert.match(r.report?.checks.find((c) => c.name === "crds")?.message ?? "", /agesecrets\.sealbridge\.io not installed/);
      const text = await runCli(["doctor", "--kubeconfig", s.ws.kubeconfig], { env: { HOME: s.ws.dir } });
      outputs.push(text.stdout, text.stderr);
      assert.equal(text.code, 1);
      const [first, fix] = text.stdout.split("\n");
      assert.match(first ?? "", /^first broken link: crds: /);
      assert.match(fix ?? "", /^fix: .*crds/);
    } finally {
      await s.kubectl(["apply", "--server-side", "-f", fileURLToPath(new URL("../../crds/agesecrets.sealbridge.io.yaml", import.meta.url))]);
      assert.equal((await waitEstablished((a) => s.ws.kubectl(a), ["crd/agesecrets.sealbridge.io"])).code, 0);
    }
  });

  test("the Service missing → controller-service", async () => {
    await s.kubectl(["-n", NS, "delete", "service", "sealbridge"]);
    try {
      const r = await doctor();
      assertFirstFailure(r, "controller-service");
      assert.match(r.report?.checks.find((c) => c.name === "controller-ready")?.message ?? "", /skipped: needs the controller's Service/);
    } finally {
      await s.apply([{ apiVersion: "v1", kind: "Service", metadata: { name: "sealbridge", namespace: NS }, spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }] } }]);
    }
    assertFirstFailure(await doctor(), null);
  });

  test("a SecretStore whose Vault is sealed → secret-stores (by its status, and by doctor's own sys/health probe)", async () => {
    const { roleId, secretId } = await appRole(storeVault.addr, storeVault.rootToken ?? "");
    storeVault.node(0).seal();
    await s.apply(appRoleStore("sealed", storeVault.addr, roleId, secretId));
    try {
      await waitFor("the sealed store's Ready=False", async () => (await s.condition(`/apis/external-secrets.io/v1/namespaces/${APP}/secretstores/sealed`, "Ready"))?.status === "False", 60_000);
      const r = await doctor();
      assertFirstFailure(r, "secret-stores");
      const link = r.report?.checks.find((c) => c.name === "secret-stores");
      assert.match(link?.message ?? "", /SecretStore app\/sealed: .*sealed/);
      assert.match(link?.fix ?? "", /unseal/);
      // Judged by the controller's status alone, the verdict is the same.
      const statusOnly = await doctor(["--no-vault-probe"]);
      assertFirstFailure(statusOnly, "secret-stores");
      assert.match(statusOnly.report?.checks.find((c) => c.name === "secret-stores")?.message ?? "", /Vault is sealed/);
    } finally {
      await s.kubectl(["-n", APP, "delete", "secretstore", "sealed"]);
    }
    // A token-auth store is validated without a Vault call: only doctor's probe sees its Vault sealed.
    await s.apply([
      { apiVersion: "v1", kind: "Secret", metadata: { name: "store-token", namespace: APP }, stringData: { token: storeVault.rootToken ?? "" } },
      { apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name: "token-store", namespace: APP }, spec: { provider: { vault: { server: storeVault.addr, path: "secret", auth: { tokenSecretRef: { name: "store-token", key: "token" } } } } } },
    ]);
    try {
      await waitFor("the token store's Ready", async () => (await s.condition(`/apis/external-secrets.io/v1/namespaces/${APP}/secretstores/token-store`, "Ready"))?.status !== undefined, 60_000);
      const r = await doctor();
      assertFirstFailure(r, "secret-stores");
      assert.match(r.report?.checks.find((c) => c.name === "secret-stores")?.message ?? "", /SecretStore app\/token-store: Vault http:\/\/127\.0\.0\.1:\d+ is sealed \(seen from here\)/);
    } finally {
      await s.kubectl(["-n", APP, "delete", "secretstore", "token-store"]);
      await storeVault.node(0).restart({ unsealed: true });
    }
    assertFirstFailure(await doctor(), null);
  });

  test("a SecretStore whose auth fails → secret-stores (the wrong secret_id never printed)", async () => {
    const roleId = (await (await fetch(`${storeVault.addr}/v1/auth/approle/role/doctor/role-id`, { headers: { "X-Vault-Token": storeVault.rootToken ?? "" } })).json()) as { data: { role_id: string } };
    await s.apply(appRoleStore("bad-auth", storeVault.addr, roleId.data.role_id, CANARY));
    try {
      await waitFor("the bad store's Ready=False", async () => (await s.condition(`/apis/external-secrets.io/v1/namespaces/${APP}/secretstores/bad-auth`, "Ready"))?.status === "False", 60_000);
      const r = await doctor();
      assertFirstFailure(r, "secret-stores");
      const link = r.report?.checks.find((c) => c.name === "secret-stores");
      assert.match(link?.message ?? "", /SecretStore app\/bad-auth: .*login failed/);
      assert.match(link?.fix ?? "", /auth/);
    } finally {
      await s.kubectl(["-n", APP, "delete", "secretstore", "bad-auth"]);
    }
  });

  test("a DnsCredential that cannot be proven → dns-credentials", async () => {
    await s.apply([
      {
        apiVersion: "sealbridge.io/v1alpha1",
        kind: "DnsCredential",
        metadata: { name: "tsig", namespace: APP },
        spec: { source: { secretRef: { name: "tsig-incoming", key: "secret" } }, provider: { rfc2136: { nameserver: "127.0.0.1:1", tsigKeyName: "acme" } }, zone: "example.test", targets: [{ name: "tsig", key: "secret" }] },
      },
    ]);
    try {
      await waitFor("the DnsCredential's Ready=False", async () => (await s.condition(`/apis/sealbridge.io/v1alpha1/namespaces/${APP}/dnscredentials/tsig`, "Ready"))?.status === "False", 60_000);
      const r = await doctor();
      assertFirstFailure(r, "dns-credentials");
      const link = r.report?.checks.find((c) => c.name === "dns-credentials");
      assert.match(link?.message ?? "", /DnsCredential app\/tsig/);
      assert.match(link?.fix ?? "", /source/);
    } finally {
      await s.kubectl(["-n", APP, "delete", "dnscredential", "tsig"]);
    }
  });

  test("an expired certificate → certificates", async () => {
    const day = 86_400_000;
    await s.apply([tlsSecret(s.ca, "old-tls", new Date(Date.now() - 90 * day), new Date(Date.now() - day), CANARY)]);
    try {
      const r = await doctor();
      assertFirstFailure(r, "certificates");
      assert.match(r.report?.checks.find((c) => c.name === "certificates")?.message ?? "", /Secret app\/old-tls\[tls\.crt\]: Expired/);
    } finally {
      await s.kubectl(["-n", APP, "delete", "secret", "old-tls"]);
    }
  });

  test("a sealed Vault node a VaultUnsealer watches → vault-nodes", async () => {
    nodeVault.node(0).seal();
    try {
      await waitFor("the node recorded sealed", async () => {
        const u = (await backend.get(`/apis/sealbridge.io/v1alpha1/namespaces/${NS}/vaultunsealers/vault-watch`)) as { status?: { nodes?: Array<{ sealed?: boolean }> } } | undefined;
        return u?.status?.nodes?.[0]?.sealed === true;
      }, 60_000);
      const r = await doctor();
      assertFirstFailure(r, "vault-nodes");
      assert.match(r.report?.checks.find((c) => c.name === "vault-nodes")?.message ?? "", /sealed/);
    } finally {
      await nodeVault.node(0).restart({ unsealed: true });
    }
  });

  test("the controller stopped (lease released), the Lease gone, a stale Lease → controller-lease", async () => {
    await s.controller().stop();
    const released = await doctor();
    assertFirstFailure(released, "controller-lease");
    assert.match(released.report?.checks.find((c) => c.name === "controller-lease")?.message ?? "", /no holder/);
    assert.equal(released.report?.checks.find((c) => c.name === "secret-stores")?.message, "skipped: needs a leading controller");

    await s.kubectl(["-n", NS, "delete", "lease", "sealbridge-controller"]);
    const gone = await doctor();
    assertFirstFailure(gone, "controller-lease");
    assert.match(gone.report?.checks.find((c) => c.name === "controller-lease")?.message ?? "", /no Lease sealbridge\/sealbridge-controller/);

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString().replace("Z", "000Z").replace(/\.(\d{3})000Z$/, ".$1000Z");
    await s.apply([{ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "sealbridge-controller", namespace: NS }, spec: { holderIdentity: "sealbridge-old", leaseDurationSeconds: 15, renewTime: hourAgo, acquireTime: hourAgo } }]);
    const stale = await doctor();
    assertFirstFailure(stale, "controller-lease");
    assert.match(stale.report?.checks.find((c) => c.name === "controller-lease")?.message ?? "", /stale: sealbridge-old last renewed it 60m ago/);
  });

  test("no output of any run holds a planted value or a Vault token", () => {
    const all = outputs.join("\n");
    assert.ok(outputs.length > 10);
    assert.ok(!all.includes(CANARY), "no canary");
    assert.ok(!all.includes(backend.vault.rootToken), "no Vault token");
    assert.ok(!all.includes(storeVault.rootToken ?? "--"), "no Vault token");
  });
});
