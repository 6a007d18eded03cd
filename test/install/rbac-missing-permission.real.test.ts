/**
 * Each permission in src/install/rbac.ts is needed, and its absence is reported clearly: on a
 * real API server, the controller runs under the RBAC source less two permissions — `create
 * serviceaccounts/token` (kubernetes auth with serviceAccountRef) and `update
 * externalsecrets/finalizers` (the owner reference with blockOwnerDeletion that
 * OwnerReferencesPermissionEnforcement guards) — and each affected ExternalSecret gets a Ready=False
 * condition (and a Warning Event) from the 403 that names what is missing, while the rest syncs.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../../src/kube/types.js";
import { installControllerIdentity } from "../harness/realstack/controller-identity.js";
import { realFixture, until, CRDS_DIR } from "../harness/realstack/real-fixture.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { startController } from "../support/controller-process.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { waitEstablished } from "../support/crd-wait.js";

const ES = (name: string) => `/apis/external-secrets.io/v1/namespaces/team/externalsecrets/${name}`;

describe("a permission taken away from the controller's RBAC", { timeout: 400_000 }, () => {
  let f: RealFixture;
  let controller: ControllerProcess;

  before(async () => {
    f = await realFixture();
    for (const file of readdirSync(CRDS_DIR).filter((x) => x.endsWith(".yaml"))) {
      const r = await f.ws.kubectl(["apply", "--server-side", "-f", join(CRDS_DIR, file)]);
      assert.equal(r.code, 0, r.stderr);
    }
    const w = await waitEstablished((a) => f.ws.kubectl(a), ["crd", "--all"]);
    assert.equal(w.code, 0, w.stderr);
    const { token } = await installControllerIdentity(f.admin, {
      namespace: "sealbridge",
      without: [
        { apiGroup: "", resource: "serviceaccounts/token", verb: "create" },
        { apiGroup: "external-secrets.io", resource: "externalsecrets/finalizers", verb: "update" },
      ],
    });
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "team" } });
    await f.admin.ensure("/api/v1/namespaces/team/serviceaccounts", { metadata: { name: "reader" } });
    await f.bao("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
    await f.bao("POST", "secret/data/app", { data: { v: "value" } });
    await f.bao("POST", "auth/kubernetes/role/team", { bound_service_account_names: ["reader"], bound_service_account_namespaces: ["team"], audience: "vault", token_policies: ["reader"] });
    const readerToken = (await f.bao<{ auth: { client_token: string } }>("POST", "auth/token/create", { policies: ["reader"], ttl: "2h" })).auth.client_token;
    await f.admin.ensure("/api/v1/namespaces/team/secrets", { metadata: { name: "vault-token" }, stringData: { token: readerToken } });
    const vault = f.stack.vault!.addr;
    const store = (name: string, auth: unknown): KubeObject => ({ apiVersion: "external-secrets.io/v1", kind: "SecretStore", metadata: { name, namespace: "team" }, spec: { provider: { vault: { server: vault, path: "secret", version: "v2", auth } } } });
    const es = (name: string, storeName: string, target: Record<string, unknown> = {}): KubeObject => ({
      apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name, namespace: "team" },
      spec: { refreshInterval: "1h", secretStoreRef: { name: storeName, kind: "SecretStore" }, target: { name, ...target }, data: [{ secretKey: "v", remoteRef: { key: "app", property: "v" } }] },
    });
    await f.apply([
      store("by-sa", { kubernetes: { role: "team", serviceAccountRef: { name: "reader", audiences: ["vault"] } } }),
      store("by-token", { tokenSecretRef: { name: "vault-token", key: "token" } }),
      es("needs-token-request", "by-sa"),
      es("needs-finalizers", "by-token"),
      es("orphan-ok", "by-token", { creationPolicy: "Orphan" }),
    ]);
    controller = await startController(f.workspaceFor(token), ["--namespace", "sealbridge", "--key-renew-period", "0", "--resync-period", "5s"], 120_000);
  });

  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("without create serviceaccounts/token: Ready=False naming the verb, the resource and the identity", async () => {
    const c = await until("a failed condition", async () => {
      const cond = await f.condition(ES("needs-token-request"), "Ready");
      return cond?.status === "False" && /403/.test(cond.message ?? "") ? cond : undefined;
    }, 90_000);
    assert.match(c.message ?? "", /cannot create resource "serviceaccounts\/token"/);
    assert.match(c.message ?? "", /system:serviceaccount:sealbridge:sealbridge/);
    assert.match(c.message ?? "", /grant the controller's service account this permission in its RBAC/);
  });

  test("without update externalsecrets/finalizers: the owned Secret is refused (OwnerReferencesPermissionEnforcement) and the condition says so", async () => {
    const c = await until("a failed condition", async () => {
      const cond = await f.condition(ES("needs-finalizers"), "Ready");
      return cond?.status === "False" && /403/.test(cond.message ?? "") ? cond : undefined;
    }, 90_000);
    assert.match(c.message ?? "", /cannot set blockOwnerDeletion/);
    assert.match(c.message ?? "", /grant the controller's service account update on the owner kind's finalizers subresource, e\.g\. externalsecrets\/finalizers/);
    assert.equal(await f.admin.get("/api/v1/namespaces/team/secrets/needs-finalizers"), undefined, "no Secret was made");
    const events = ((await f.admin.must("GET", "/api/v1/namespaces/team/events")) as { items: Array<{ involvedObject: { name: string }; type: string }> }).items;
    assert.ok(events.some((e) => e.involvedObject.name === "needs-finalizers" && e.type === "Warning"), "a Warning Event");
  });

  test("what needs neither permission still syncs (an Orphan Secret has no owner reference)", async () => {
    await until("the Orphan Secret", async () => (await f.secretData("team", "orphan-ok"))?.["v"] === "value", 60_000);
  });
});
