/**
 * The homelab manifest applied verbatim with the real kubectl, the real `sealbridge controller`
 * process syncing it from Vault, and `kubectl wait` seeing Ready; neither the controller's output
 * nor the object's status holds the value. Runs against the test servers, or with
 * SEALBRIDGE_BACKEND=real against a real kube-apiserver and OpenBao (`npm run test:real`).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startBackend, type Backend } from "../harness/realstack/backend.js";
import { HOMELAB_EXTERNAL_SECRET } from "../eso/homelab-manifest.js";
import { kubeWorkspace, startController, waitFor, type ControllerProcess, type KubeWorkspace } from "../support/controller-process.js";
import { fileURLToPath } from "node:url";
import { waitEstablished } from "../support/crd-wait.js";

const CANARY = `canary-${randomBytes(6).toString("hex")}`;
const CRDS = fileURLToPath(new URL("../../crds/", import.meta.url));

describe("sealbridge controller syncs the homelab ExternalSecret applied with kubectl", { timeout: 300_000 }, () => {
  let backend: Backend;
  let ws: KubeWorkspace;
  let controller: ControllerProcess | undefined;

  before(async () => {
    backend = await startBackend();
    ws = await kubeWorkspace(backend.kube);
    const res = await fetch(`${backend.vault.addr}/v1/secret/data/my-app`, {
      method: "POST",
      headers: { "X-Vault-Token": backend.vault.rootToken, "Content-Type": "application/json" },
      body: JSON.stringify({ data: { database_url: CANARY } }),
    });
    assert.equal(res.status, 200);
  });

  after(async () => {
    await controller?.stop();
    await backend?.stop();
    ws?.cleanup();
  });

  test("kubectl apply, controller sync, kubectl wait", async () => {
    for (const plural of ["externalsecrets", "secretstores", "clustersecretstores"]) {
      const r = await ws.kubectl(["apply", "--server-side", "-f", join(CRDS, `${plural}.external-secrets.io.yaml`)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const established = await waitEstablished((a) => ws.kubectl(a), ["crd", "--all"]);
    assert.equal(established.code, 0, established.stderr);
    for (const ns of ["sealbridge", "my-app"]) assert.equal((await ws.kubectl(["create", "namespace", ns])).code, 0);
    const file = join(ws.dir, "eso.yaml");
    writeFileSync(
      file,
      `apiVersion: v1
kind: Secret
metadata: { name: vault-token, namespace: sealbridge }
stringData: { token: "${backend.vault.rootToken}" }
---
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: { name: vault-backend }
spec:
  provider:
    vault:
      server: "${backend.vault.addr}"
      path: "secret"
      version: "v2"
      auth:
        tokenSecretRef: { name: vault-token, key: token, namespace: sealbridge }
---
${HOMELAB_EXTERNAL_SECRET}`,
    );
    const applied = await ws.kubectl(["apply", "-f", file]);
    assert.equal(applied.code, 0, applied.stderr);
    controller = await startController(ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
    const secret = await waitFor("the Secret", () => backend.get("/api/v1/namespaces/my-app/secrets/app-credentials"), 60_000);
    assert.equal(Buffer.from(String((secret["data"] as Record<string, string>)["DATABASE_URL"]), "base64").toString(), CANARY);
    // The Secret can land before the status write; real kubectl's wait refuses at once (".status.conditions
    // accessor error") while status has no conditions list yet, so wait for the list to exist first.
    await waitFor("status.conditions", async () => {
      const es = await backend.get("/apis/external-secrets.io/v1/namespaces/my-app/externalsecrets/app-credentials");
      return Array.isArray((es?.["status"] as { conditions?: unknown } | undefined)?.conditions) ? true : undefined;
    }, 60_000);
    const waited = await ws.kubectl(["wait", "--for=condition=Ready", "externalsecret/app-credentials", "-n", "my-app", "--timeout=20s"]);
    assert.equal(waited.code, 0, waited.stderr);
    const got = await ws.kubectl(["get", "externalsecret", "app-credentials", "-n", "my-app", "-o", "json"]);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(!got.stdout.includes(CANARY));
    assert.ok(!controller.output().includes(CANARY), "the value never reaches the controller's logs");
    assert.ok(!controller.output().includes(backend.vault.rootToken), "nor the Vault token");
  });
});
