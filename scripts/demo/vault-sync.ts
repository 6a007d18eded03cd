/**
 * Demo steps 7–8: the homelab write-up's ExternalSecret (ESO v1beta1, applied unchanged from
 * crds/examples/) synced from the dev-mode Vault test server through Kubernetes auth; then a new
 * value in Vault, a force-sync, and exactly one rolling restart of the Deployment that reads it.
 */
import { join } from "node:path";
import type { KubeObject } from "../../src/kube/types.js";
import type { DemoSession } from "./session.js";

const HOMELAB_EXTERNAL_SECRET = join("crds", "examples", "external-secrets", "valid-externalsecret-homelab.yaml");

/** Vault setup, the store and the homelab ExternalSecret. */
export async function syncFromVault(demo: DemoSession): Promise<void> {
  demo.say("Sync a Secret from Vault with an unchanged External Secrets Operator manifest (the homelab example)");
  await demo.vault("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
  await demo.vault("POST", "auth/kubernetes/role/external-secrets", {
    bound_service_account_names: ["sealbridge"],
    bound_service_account_namespaces: ["sealbridge"],
    audience: "vault",
    token_policies: ["reader"],
    token_ttl: "1h",
  });
  await demo.vault("POST", "secret/data/my-app", { data: { database_url: "postgres://app@db/app" } });
  demo.note("Vault: policy reader, role external-secrets on auth/kubernetes, secret/my-app database_url written");
  await demo.kubectl(["create", "serviceaccount", "sealbridge", "-n", "sealbridge"]);
  await demo.kubectl(["apply", "-f", "-"], {
    input: `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault-backend
spec:
  provider:
    vault:
      server: ${demo.env.vault.addr}
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: external-secrets
          serviceAccountRef: { name: sealbridge, namespace: sealbridge, audiences: [vault] }
`,
  });
  await demo.kubectl(["apply", "-f", join(demo.root, HOMELAB_EXTERNAL_SECRET)]);
  await demo.kubectl(["wait", "--for=condition=Ready", "externalsecret/app-credentials", "-n", "my-app", "--timeout=30s"]);
  demo.check((await demo.secretValue("my-app", "app-credentials", "DATABASE_URL")) === "postgres://app@db/app", "Secret my-app/app-credentials has DATABASE_URL from Vault");
  demo.check((await demo.field("externalsecret", "app-credentials", "my-app", "{.status.conditions[?(@.type=='Ready')].reason}")) === "SecretSynced", "ExternalSecret Ready=True, reason SecretSynced (as ESO reports it)");
  demo.keepNotes.push("kubectl get externalsecret app-credentials -n my-app -o yaml");
}

/** A change in Vault reaches the Secret and restarts its consumer once. */
export async function reloadOnChange(demo: DemoSession): Promise<void> {
  demo.say("Change the value in Vault, force a sync, and the consuming Deployment restarts once");
  await demo.kubectl(["apply", "-f", "-"], {
    input: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: my-app
  annotations:
    sealbridge.io/reload: app-credentials
spec:
  selector: { matchLabels: { app: app } }
  template:
    metadata: { labels: { app: app } }
    spec:
      containers:
        - name: app
          image: nginx
          envFrom: [{ secretRef: { name: app-credentials } }]
`,
  });
  await demo.vault("POST", "secret/data/my-app", { data: { database_url: "postgres://app@db-2/app" } });
  demo.note("Vault: secret/my-app database_url changed");
  await demo.kubectl(["annotate", "externalsecret", "app-credentials", "-n", "my-app", `force-sync=${Date.now()}`, "--overwrite"]);
  await demo.eventually(() => demo.storedSecret("my-app", "app-credentials", "DATABASE_URL") === "postgres://app@db-2/app", "the new value");
  demo.check((await demo.secretValue("my-app", "app-credentials", "DATABASE_URL")) === "postgres://app@db-2/app", "the Secret has the new value");
  const restartedAt = (o: KubeObject | undefined) =>
    (o?.["spec"] as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template?.metadata?.annotations?.["sealbridge.io/restartedAt"];
  await demo.eventually(() => restartedAt(demo.stored("deployments.apps", "my-app", "app")), "the Deployment restart");
  const annotations = await demo.field("deployment", "app", "my-app", "{.spec.template.metadata.annotations}");
  demo.check(/sealbridge\.io\/restartedAt/.test(annotations), "Deployment my-app/app got a rolling restart (pod template annotation sealbridge.io/restartedAt)");
  const generation = await demo.field("deployment", "app", "my-app", "{.metadata.generation}");
  const synced = () => (demo.stored("externalsecrets.external-secrets.io", "my-app", "app-credentials")?.["status"] as { syncedResourceVersion?: string } | undefined)?.syncedResourceVersion;
  const before = synced();
  await demo.kubectl(["annotate", "externalsecret", "app-credentials", "-n", "my-app", `force-sync=${Date.now()}-again`, "--overwrite"]);
  // The sync of the new annotation is done when syncedResourceVersion takes its hash.
  await demo.eventually(() => synced() !== before, "the second sync");
  demo.check((await demo.field("deployment", "app", "my-app", "{.metadata.generation}")) === generation, "a sync with no change does not restart it again");
}
