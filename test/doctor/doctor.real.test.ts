/**
 * `sealbridge doctor` on the real-stack tier: a real kube-apiserver (its service proxy to the
 * controller process through a network namespace) and a real OpenBao dev server. The healthy
 * chain passes; a missing CRD and a sealed OpenBao are each named as the first broken link; no
 * output holds a planted value or the OpenBao token.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { startBackend, type Backend } from "../harness/realstack/backend.js";
import { assertFirstFailure, healthyChain, type DoctorRun, type DoctorScenario } from "./doctor-scenario.js";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `CANARY-${randomBytes(8).toString("hex")}`;

describe("sealbridge doctor on a real API server and OpenBao", { timeout: 600_000 }, () => {
  let backend: Backend;
  let s: DoctorScenario;
  const outputs: string[] = [];
  const doctor = async (args: string[] = []): Promise<DoctorRun> => {
    const r = await s.doctor(args);
    outputs.push(r.stdout, r.stderr);
    return r;
  };

  before(async () => {
    backend = await startBackend({ kind: "real" });
    s = await healthyChain(backend, backend.vault.addr, CANARY);
  });

  after(async () => {
    await s?.stop();
    await backend?.stop();
  });

  test("the healthy chain passes", async () => {
    const r = await doctor();
    assertFirstFailure(r, null);
    for (const link of ["api-server", "crds", "controller-lease", "controller-ready", "sealing-cert", "age-recipient", "secret-stores", "certificates", "vault-nodes"]) {
      assert.equal(r.report?.checks.find((c) => c.name === link)?.status, "ok", `${link}: ${r.stdout}`);
    }
  });

  test("a CRD missing → crds", async () => {
    await s.kubectl(["delete", "crd", "dnscredentials.sealbridge.io"]);
    try {
      const r = await doctor();
      assertFirstFailure(r, "crds");
      assert.match(r.report?.checks.find((c) => c.name === "crds")?.message ?? "", /dnscredentials\.sealbridge\.io not installed/);
    } finally {
      await s.kubectl(["apply", "--server-side", "-f", fileURLToPath(new URL("../../crds/dnscredentials.sealbridge.io.yaml", import.meta.url))]);
      assert.equal((await waitEstablished((a) => s.ws.kubectl(a), ["crd/dnscredentials.sealbridge.io"])).code, 0);
    }
  });

  test("OpenBao sealed → secret-stores (doctor's probe sees it; the token-auth store's status is older)", async () => {
    const res = await fetch(`${backend.vault.addr}/v1/sys/seal`, { method: "PUT", headers: { "X-Vault-Token": backend.vault.rootToken } });
    assert.equal(res.status, 204);
    const r = await doctor();
    assertFirstFailure(r, "secret-stores");
    const link = r.report?.checks.find((c) => c.name === "secret-stores");
    assert.match(link?.message ?? "", /ClusterSecretStore vault-backend: Vault http:\/\/127\.0\.0\.1:\d+ is sealed \(seen from here\)/);
    assert.match(link?.fix ?? "", /unseal/);
  });

  test("no output holds a planted value or the OpenBao token", () => {
    const all = outputs.join("\n");
    assert.ok(!all.includes(CANARY));
    assert.ok(!all.includes(backend.vault.rootToken));
  });
});
