/**
 * Demo steps 3–6: a plaintext Secret found by `sealbridge check`, sealed in place with the
 * cluster's key (a kubeseal-compatible SealedSecret) and turned into a Secret by the controller;
 * the scope binding refusing a copy under another name; then the same Secret sealed with age (the
 * cluster's recipient plus an offline backup key from the real age CLI) into an AgeSecret.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../../src/kube/types.js";
import type { ControllerProcess } from "./controller-process.js";
import type { DemoSession } from "./session.js";

/** A value that must reach the Secrets and appear in nothing committed, logged or shown. */
export const DB_PASSWORD = "demo-canary-correct-horse-battery-staple";

const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: my-app
type: Opaque
stringData:
  password: ${DB_PASSWORD}
`;

/** Seals with the cluster's RSA key and applies the SealedSecret. */
export async function sealWithClusterKey(demo: DemoSession): Promise<void> {
  demo.secrets.push(DB_PASSWORD);
  demo.say("Seal a Secret with the cluster's key (sealed-secrets compatible) and commit-safe output");
  const file = join(demo.dir, "db-secret.yaml");
  writeFileSync(file, secretYaml);
  const leak = await demo.sealbridge(["check", file], { allowFail: true });
  demo.check(leak.code === 1 && /db-secret\.yaml/.test(leak.stdout + leak.stderr) && !(leak.stdout + leak.stderr).includes(DB_PASSWORD), "`sealbridge check` flags the plaintext Secret (exit 1) without printing the value");
  await demo.sealbridge(["seal", "--kubeconfig", demo.kubeconfig, "--controller-namespace", "sealbridge", "--controller-name", "sealbridge", "-f", file, "-w"]);
  const sealed = readFileSync(file, "utf8");
  demo.check(/apiVersion: bitnami\.com\/v1alpha1/.test(sealed) && /kind: SealedSecret/.test(sealed) && !sealed.includes(DB_PASSWORD), "sealed in place: a bitnami.com/v1alpha1 SealedSecret, no plaintext in the file");
  const clean = await demo.sealbridge(["check", file], { allowFail: true });
  demo.check(clean.code === 0, "`sealbridge check` now passes (exit 0)");

  demo.say("Apply it: the controller turns the SealedSecret into a Secret");
  await demo.kubectl(["apply", "-f", file]);
  await demo.eventually(() => demo.storedSecret("my-app", "db", "password") === DB_PASSWORD, "Secret my-app/db");
  demo.check((await demo.secretValue("my-app", "db", "password")) === DB_PASSWORD, "Secret my-app/db holds the original password");
  demo.keepNotes.push("kubectl get sealedsecrets,agesecrets,secrets -n my-app");

  demo.say("Moving a sealed value to another name does not decrypt (the scope binding)");
  await demo.kubectl(["apply", "-f", "-"], { input: sealed.replace(/name: db\b/g, "name: db-copy") });
  const synced = (o: KubeObject | undefined) => (o?.["status"] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions?.find((c) => c.type === "Synced")?.status;
  await demo.eventually(() => synced(demo.stored("sealedsecrets.bitnami.com", "my-app", "db-copy")) === "False", "Synced=False on db-copy");
  const copyStatus = await demo.field("sealedsecret", "db-copy", "my-app", "{.status.conditions[?(@.type=='Synced')].status}");
  demo.check(copyStatus === "False" && (await demo.secretValue("my-app", "db-copy", "password")) === undefined, "no Secret my-app/db-copy; SealedSecret db-copy is Synced=False");
}

/** Seals with age (cluster recipient + offline backup key) and applies the AgeSecret. */
export async function sealWithAge(demo: DemoSession, controller: ControllerProcess): Promise<void> {
  demo.say("Seal with age instead: the cluster's age recipient plus an offline backup key (real age CLI)");
  const backupKey = join(demo.dir, "backup.key");
  await demo.run("age-keygen", ["-o", backupKey]);
  const backupRecipient = (await demo.run("age-keygen", ["-y", backupKey])).stdout.trim();
  const clusterRecipient = (await (await fetch(`${controller.url}/v1/age-recipient`)).text()).trim();
  demo.check(clusterRecipient.startsWith("age1"), `the controller serves its age recipient (${clusterRecipient.slice(0, 12)}…)`);
  // The cluster's recipient is fetched from the controller (GET /v1/age-recipient through the API server).
  const ageSecret = (await demo.sealbridge(["seal", "--age", "--recipient", backupRecipient, "-o", "yaml"], { input: secretYaml.replace("name: db", "name: db-age") })).stdout;
  demo.check(/apiVersion: sealbridge\.io\/v1alpha1/.test(ageSecret) && /kind: AgeSecret/.test(ageSecret) && /BEGIN AGE ENCRYPTED FILE/.test(ageSecret) && !ageSecret.includes(DB_PASSWORD), "an AgeSecret of armored age files, no plaintext");
  const file = join(demo.dir, "db-age.yaml");
  writeFileSync(file, ageSecret);
  await demo.kubectl(["apply", "-f", file]);
  await demo.eventually(() => demo.storedSecret("my-app", "db-age", "password") === DB_PASSWORD, "Secret my-app/db-age");
  demo.check((await demo.secretValue("my-app", "db-age", "password")) === DB_PASSWORD, "Secret my-app/db-age holds the password");
  const offline = (await demo.sealbridge(["unseal", "--age", "-i", backupKey, "-f", file, "-o", "json"])).stdout;
  const offlineValue = (JSON.parse(offline) as { data?: Record<string, string> }).data?.["password"];
  demo.check(offlineValue !== undefined && Buffer.from(offlineValue, "base64").toString() === DB_PASSWORD, "the offline backup key opens it too (sealbridge unseal --age)");
}
