/**
 * `npm run demo`: the whole sealbridge story on one machine, with no cluster. It starts the
 * Kubernetes API and Vault test servers, runs the real `sealbridge` CLI and controller and the
 * real `kubectl` and `age` against them, and checks every step it shows. Any failed check stops
 * the demo with a non-zero exit.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startTestEnv } from "../test/harness/testenv.js";
import type { TestEnv } from "../test/harness/testenv.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "sealbridge");
const DIR = mkdtempSync(join(tmpdir(), "sealbridge-demo-"));
const KUBECONFIG = join(DIR, "kubeconfig");
/** A value that must reach the Secret and appear in nothing committed. */
const DB_PASSWORD = "demo-canary-correct-horse-battery-staple";

let step = 0;
let env: TestEnv | undefined;
let controller: ChildProcess | undefined;
let controllerLog = "";

function say(title: string): void {
  step += 1;
  process.stdout.write(`\n== ${step}. ${title}\n`);
}

function ok(what: string): void {
  process.stdout.write(`   ok: ${what}\n`);
}

class DemoFailure extends Error {}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new DemoFailure(`step ${step} failed: ${what}`);
  ok(what);
}

/**
 * Runs a command to completion (asynchronously: the test servers live in this process); fails
 * the demo when it exits non-zero unless `allowFail`.
 */
async function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const shown = [cmd === process.execPath ? "node" : cmd, ...args].map((a) => a.replace(DIR, "$DEMO").replace(BIN, "sealbridge")).join(" ");
  if (opts.show !== false) process.stdout.write(`   $ ${shown.replace(/^node sealbridge/, "sealbridge")}\n`);
  const child = spawn(cmd, args, {
    env: { ...process.env, KUBECONFIG, KUBECACHEDIR: join(DIR, "kubecache"), HOME: DIR },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number>((done) => child.on("close", (c) => done(c ?? 1)));
  clearTimeout(timer);
  if (code !== 0 && !opts.allowFail) {
    throw new DemoFailure(`step ${step} failed: \`${shown}\` exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
  }
  return { code, stdout, stderr };
}

type RunOptions = { input?: string; allowFail?: boolean; show?: boolean };
const sealbridge = (args: string[], opts?: RunOptions) => run(process.execPath, [BIN, ...args], opts);
const kubectl = (args: string[], opts?: RunOptions) => run("kubectl", args, opts);

async function freePort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new DemoFailure(`step ${step} failed: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function secretValue(namespace: string, name: string, key: string): Promise<string | undefined> {
  const got = await kubectl(["get", "secret", name, "-n", namespace, "-o", `jsonpath={.data.${key}}`], { allowFail: true, show: false });
  if (got.code !== 0 || got.stdout === "") return undefined;
  return Buffer.from(got.stdout, "base64").toString("utf8");
}

async function vault(method: string, path: string, body?: unknown): Promise<unknown> {
  if (!env) throw new DemoFailure("no test environment");
  const res = await fetch(`${env.vault.addr}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": env.vault.rootToken ?? "", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new DemoFailure(`step ${step} failed: Vault ${method} ${path} answered ${res.status}`);
  return res.status === 204 ? undefined : await res.json();
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) {
    process.stdout.write("building sealbridge (npm run build)…\n");
    await run("npm", ["run", "-s", "build"], { show: false });
  }

  say("Start a Kubernetes API server and a Vault server (the test servers; no cluster needed)");
  env = await startTestEnv({ dir: DIR });
  await env.kube.writeKubeconfig(KUBECONFIG);
  await kubectl(["create", "namespace", "sealbridge"]);
  await kubectl(["create", "namespace", "my-app"]);
  await kubectl(["apply", "--server-side", "-f", join(ROOT, "crds")]);
  const crds = (await kubectl(["get", "crd", "-o", "name"])).stdout;
  check(/sealedsecrets\.bitnami\.com/.test(crds) && /externalsecrets\.external-secrets\.io/.test(crds), "CRDs installed with kubectl");

  say("Run the sealbridge controller");
  const httpPort = await freePort();
  const metricsPort = await freePort();
  await kubectl(["apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "sealbridge", namespace: "sealbridge" },
      spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }], selector: { app: "sealbridge" } },
    }),
  });
  env.kube.setServiceBackend("sealbridge", "sealbridge", `http://127.0.0.1:${httpPort}`);
  controller = spawn(
    process.execPath,
    [BIN, "controller", "--kubeconfig", KUBECONFIG, "--namespace", "sealbridge", "--http-addr", `127.0.0.1:${httpPort}`, "--metrics-addr", `127.0.0.1:${metricsPort}`, "--resync-period", "1m"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  controller.stdout?.on("data", (d: Buffer) => (controllerLog += d.toString()));
  controller.stderr?.on("data", (d: Buffer) => (controllerLog += d.toString()));
  process.stdout.write(`   $ sealbridge controller --namespace sealbridge --http-addr 127.0.0.1:${httpPort} …\n`);
  await eventually(async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined))?.status === 200, "the controller to be ready");
  check(true, "controller ready (/readyz 200)");
  await eventually(async () => {
    const keys = (await kubectl(["get", "secrets", "-n", "sealbridge", "-l", "sealedsecrets.bitnami.com/sealed-secrets-key=active", "-o", "name"], { show: false })).stdout;
    return keys.trim() !== "";
  }, "the sealing key Secret");
  check(true, "the controller created its RSA-4096 sealing key Secret (label sealedsecrets.bitnami.com/sealed-secrets-key=active)");

  say("Seal a Secret with the cluster's key (sealed-secrets compatible) and commit-safe output");
  const secretYaml = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: my-app
type: Opaque
stringData:
  password: ${DB_PASSWORD}
`;
  writeFileSync(join(DIR, "db-secret.yaml"), secretYaml);
  const leak = await sealbridge(["check", join(DIR, "db-secret.yaml")], { allowFail: true });
  check(leak.code === 1 && /db-secret\.yaml/.test(leak.stdout + leak.stderr), "`sealbridge check` flags the plaintext Secret (exit 1)");
  await sealbridge(["seal", "--kubeconfig", KUBECONFIG, "--controller-namespace", "sealbridge", "--controller-name", "sealbridge", "-f", join(DIR, "db-secret.yaml"), "-w"]);
  const sealed = readFileSync(join(DIR, "db-secret.yaml"), "utf8");
  check(/kind: SealedSecret/.test(sealed) && !sealed.includes(DB_PASSWORD), "sealed in place: a SealedSecret, no plaintext in the file");
  const clean = await sealbridge(["check", join(DIR, "db-secret.yaml")], { allowFail: true });
  check(clean.code === 0, "`sealbridge check` now passes (exit 0)");

  say("Apply it: the controller turns the SealedSecret into a Secret");
  await kubectl(["apply", "-f", join(DIR, "db-secret.yaml")]);
  await eventually(async () => (await secretValue("my-app", "db", "password")) === DB_PASSWORD, "Secret my-app/db");
  check(true, "Secret my-app/db holds the original password");

  say("Moving a sealed value to another name does not decrypt (the scope binding)");
  await kubectl(["apply", "-f", "-"], { input: sealed.replace(/name: db\b/g, "name: db-copy") });
  await eventually(async () => {
    const out = await kubectl(["get", "sealedsecret", "db-copy", "-n", "my-app", "-o", "jsonpath={.status.conditions[0].status}"], { allowFail: true, show: false });
    return out.stdout === "False" ? true : undefined;
  }, "Synced=False on db-copy");
  check((await secretValue("my-app", "db-copy", "password")) === undefined, "no Secret my-app/db-copy; SealedSecret db-copy is Synced=False");

  say("Seal with age instead: the cluster's age recipient plus an offline backup key (real age CLI)");
  await run("age-keygen", ["-o", join(DIR, "backup.key")]);
  const backupRecipient = (await run("age-keygen", ["-y", join(DIR, "backup.key")])).stdout.trim();
  const clusterRecipient = (await (await fetch(`http://127.0.0.1:${httpPort}/v1/age-recipient`)).text()).trim();
  check(clusterRecipient.startsWith("age1"), `the controller serves its age recipient (${clusterRecipient.slice(0, 12)}…)`);
  const ageSecret = (
    // The cluster's recipient is fetched from the controller (GET /v1/age-recipient through the API server).
    await sealbridge(["seal", "--age", "--recipient", backupRecipient, "-o", "yaml"], {
      input: secretYaml.replace("name: db", "name: db-age"),
    })
  ).stdout;
  check(/kind: AgeSecret/.test(ageSecret) && !ageSecret.includes(DB_PASSWORD), "an AgeSecret, no plaintext");
  writeFileSync(join(DIR, "db-age.yaml"), ageSecret);
  await kubectl(["apply", "-f", join(DIR, "db-age.yaml")]);
  await eventually(async () => (await secretValue("my-app", "db-age", "password")) === DB_PASSWORD, "Secret my-app/db-age");
  check(true, "Secret my-app/db-age holds the password");
  const offline = (await sealbridge(["unseal", "--age", "-i", join(DIR, "backup.key"), "-f", join(DIR, "db-age.yaml"), "-o", "json"])).stdout;
  const offlineValue = (JSON.parse(offline) as { data?: Record<string, string> }).data?.["password"];
  check(offlineValue !== undefined && Buffer.from(offlineValue, "base64").toString() === DB_PASSWORD, "the offline backup key opens it too (sealbridge unseal --age)");

  say("Sync a Secret from Vault with an unchanged External Secrets Operator manifest");
  await vault("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
  await vault("POST", "auth/kubernetes/role/external-secrets", {
    bound_service_account_names: ["sealbridge"],
    bound_service_account_namespaces: ["sealbridge"],
    audience: "vault",
    token_policies: ["reader"],
    token_ttl: "1h",
  });
  await vault("POST", "secret/data/my-app", { data: { database_url: "postgres://app@db/app" } });
  await kubectl(["create", "serviceaccount", "sealbridge", "-n", "sealbridge"]);
  await kubectl(["apply", "-f", "-"], {
    input: `apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata:
  name: vault-backend
spec:
  provider:
    vault:
      server: ${env.vault.addr}
      path: secret
      version: v2
      auth:
        kubernetes:
          mountPath: kubernetes
          role: external-secrets
          serviceAccountRef: { name: sealbridge, namespace: sealbridge, audiences: [vault] }
`,
  });
  await kubectl(["apply", "-f", "-"], {
    input: `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: app-credentials
  namespace: my-app
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault-backend
    kind: ClusterSecretStore
  target:
    name: app-credentials
  data:
    - secretKey: DATABASE_URL
      remoteRef:
        key: secret/data/my-app
        property: database_url
`,
  });
  await kubectl(["wait", "--for=condition=Ready", "externalsecret/app-credentials", "-n", "my-app", "--timeout=20s"]);
  check((await secretValue("my-app", "app-credentials", "DATABASE_URL")) === "postgres://app@db/app", "Secret my-app/app-credentials has DATABASE_URL from Vault");

  say("Change the value in Vault, force a sync, and the consuming Deployment restarts once");
  await kubectl(["apply", "-f", "-"], {
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
  await vault("POST", "secret/data/my-app", { data: { database_url: "postgres://app@db-2/app" } });
  await kubectl(["annotate", "externalsecret", "app-credentials", "-n", "my-app", `force-sync=${Date.now()}`, "--overwrite"]);
  await eventually(async () => (await secretValue("my-app", "app-credentials", "DATABASE_URL")) === "postgres://app@db-2/app", "the new value");
  check(true, "the Secret has the new value");
  const restartedAt = await eventually(async () => {
    const out = await kubectl(["get", "deployment", "app", "-n", "my-app", "-o", "jsonpath={.spec.template.metadata.annotations}"], { allowFail: true, show: false });
    return /sealbridge\.io\/restartedAt/.test(out.stdout) ? out.stdout : undefined;
  }, "the Deployment restart");
  check(restartedAt !== "", "Deployment my-app/app got a rolling restart (pod template annotation)");
  const generation = async () => (await kubectl(["get", "deployment", "app", "-n", "my-app", "-o", "jsonpath={.metadata.generation}"], { show: false })).stdout;
  const before = await generation();
  await kubectl(["annotate", "externalsecret", "app-credentials", "-n", "my-app", `force-sync=${Date.now()}-again`, "--overwrite"]);
  await new Promise((r) => setTimeout(r, 2_000)); // give the controller time to (not) restart it again
  check((await generation()) === before, "a sync with no change does not restart it again");

  say("Nothing secret leaked");
  check(!controllerLog.includes(DB_PASSWORD), "the password is in no controller log line");
  const events = (await kubectl(["get", "events", "-A", "-o", "json"])).stdout;
  check(!events.includes(DB_PASSWORD), "the password is in no Kubernetes Event");

  process.stdout.write(`\nThe demo passed: ${step} steps, every check green.\n`);
}

async function shutdown(): Promise<void> {
  if (controller && controller.exitCode === null) {
    controller.kill("SIGTERM");
    await new Promise((r) => controller?.once("exit", r));
  }
  await env?.stop();
  rmSync(DIR, { recursive: true, force: true });
}

try {
  await main();
  await shutdown();
} catch (err) {
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  if (controllerLog) process.stderr.write(`\n(last controller log lines)\n${controllerLog.trim().split("\n").slice(-10).join("\n")}\n`);
  await shutdown();
  process.exitCode = 1;
}
