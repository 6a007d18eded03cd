import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createServer, type Server } from "node:https";
import { execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import type { Secret } from "../../src/api/secret.js";
import type { SealedSecret } from "../../src/api/sealed-secret.js";
import { sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { formatObject } from "../../src/seal/manifest-output.js";
import { generateSealingKey } from "../../src/crypto/sealing-key.js";
import { reencryptSealedSecret, sealedSecretToSecret } from "../../src/seal/sealed-secret-opener.js";
import { referenceDecrypt, VECTOR_CERT, VECTOR_KEY, vectorCertPem, vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";
import { runCli } from "../support/run-cli.js";

const CANARY = "CANARY-ctl-4e21";
const TOKEN = "test-token-not-secret";
/** Seals a fixture in-process (the CLI itself is exercised elsewhere; this keeps spawns few). */
function sealFixture(name: string, ns: string, format: "json" | "yaml", options: { scope?: "namespace-wide" | "cluster-wide"; publicKey?: KeyObject } = {}): string {
  const secret = parse(secretYaml(name, ns)) as Secret;
  return formatObject(sealSecret(secret, { publicKey: options.publicKey ?? vectorPublicKey, scope: options.scope, source: "fixture" }), format);
}
const secretYaml = (name: string, ns?: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ""}stringData:\n  password: ${CANARY}\n`;

let dir: string;
let server: Server;
let kubeconfig: string;
let newKey: { privateKeyPem: string; certificatePem: string };
const seen: Array<{ method: string; url: string; auth: string | undefined }> = [];
/** When true, the controller behind the proxy answers 503 (started, keys not loaded yet). */
let controllerUnavailable = false;

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sb-seal-ctl-"));
  newKey = await generateSealingKey({ bits: 2048 });
  await writeFile(join(dir, "new.crt"), newKey.certificatePem);
  await writeFile(join(dir, "new.key"), newKey.privateKeyPem);
  const proxy = "/api/v1/namespaces/sealbridge/services/http:sealbridge:http/proxy";
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1", "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")], { stdio: "ignore" });
  const tls = { key: await readFile(join(dir, "tls.key")), cert: await readFile(join(dir, "tls.crt")) };
  server = createServer(tls, (req, res) => {
    void (async () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization });
      const send = (status: number, text: string) => res.writeHead(status, { "Content-Type": "application/json" }).end(text);
      if (req.method === "GET" && req.url === "/api/v1/namespaces/sealbridge/services/sealbridge") return send(200, JSON.stringify({ kind: "Service", spec: { ports: [{ name: "http", port: 8080 }] } }));
      if (controllerUnavailable && req.url?.startsWith(`${proxy}/`)) return send(503, "no key yet");
      if (req.method === "GET" && req.url === `${proxy}/v1/cert.pem`) return send(200, vectorCertPem);
      if (req.method === "POST" && req.url === `${proxy}/v1/verify`) {
        try {
          sealedSecretToSecret(JSON.parse(await body(req)) as SealedSecret, [vectorPrivateKey], "verify");
          return send(200, "");
        } catch {
          return send(409, "no key could decrypt secret");
        }
      }
      if (req.method === "POST" && req.url === `${proxy}/v1/rotate`) {
        const rotated = reencryptSealedSecret(JSON.parse(await body(req)) as SealedSecret, [vectorPrivateKey], createPrivateKey(newKey.privateKeyPem), "rotate");
        return send(200, JSON.stringify(rotated));
      }
      send(404, JSON.stringify({ kind: "Status", code: 404 }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${port}", certificate-authority-data: ${tls.cert.toString("base64")}}\nusers:\n- name: u\n  user: {token: ${TOKEN}}\ncontexts:\n- name: x\n  context: {cluster: c, user: u, namespace: team}\ncurrent-context: x\n`,
  );
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ KUBECONFIG: kubeconfig });

describe("the certificate from the controller, through the API server's service proxy", () => {
  test("seal without --cert: reads the Service, GETs /v1/cert.pem with the kubeconfig's token; a Secret without namespace takes the context's", async () => {
    seen.length = 0;
    const result = await runCli(["seal"], { input: secretYaml("db"), env: env() });
    assert.equal(result.code, 0, result.stderr);
    const obj = JSON.parse(result.stdout) as { metadata: { namespace: string }; spec: { encryptedData: Record<string, string> } };
    assert.equal(obj.metadata.namespace, "team");
    assert.equal(referenceDecrypt(vectorPrivateKey, "team/db", Buffer.from(obj.spec.encryptedData["password"] ?? "", "base64")).toString(), CANARY);
    assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), ["GET /api/v1/namespaces/sealbridge/services/sealbridge", "GET /api/v1/namespaces/sealbridge/services/http:sealbridge:http/proxy/v1/cert.pem"]);
    assert.ok(seen.every((s) => s.auth === `Bearer ${TOKEN}`));
    assert.ok(!result.stderr.includes(TOKEN));
  });

  test("--fetch-cert prints the PEM; a missing Service names the flags to fix it", async () => {
    const fetched = await runCli(["seal", "--fetch-cert"], { env: env() });
    assert.equal(fetched.code, 0, fetched.stderr);
    assert.equal(fetched.stdout.trim(), vectorCertPem.trim());
    const missing = await runCli(["seal", "--controller-namespace", "kube-system", "--controller-name", "sealed-secrets-controller"], { input: secretYaml("db", "x"), env: env() });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: cannot find the controller: service kube-system\/sealed-secrets-controller answered HTTP 404 \(check --controller-namespace and --controller-name/);
  });

  test("--validate: 200 passes, 409 fails with a clear message", async () => {
    const sealed = sealFixture("db", "prod", "json");
    const ok = await runCli(["seal", "--validate"], { input: sealed, env: env() });
    assert.equal(ok.code, 0, ok.stderr);
    const moved = JSON.stringify({ ...JSON.parse(sealed), metadata: { name: "db", namespace: "elsewhere" } });
    const bad = await runCli(["seal", "--validate"], { input: moved, env: env() });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: invalid SealedSecret: stdin, document 0 cannot be decrypted by the controller/);
  });

  test("a 503 from the controller on --validate, --re-encrypt and reseal names what fixes it, not --cert", async () => {
    const file = join(dir, "unavailable.yaml");
    const sealed = sealFixture("db", "prod", "yaml");
    await writeFile(file, sealed);
    const tree = await mkdtemp(join(dir, "unavailable-"));
    await writeFile(join(tree, "s.yaml"), sealed);
    controllerUnavailable = true;
    try {
      const validate = await runCli(["seal", "--validate"], { input: sealed, env: env() });
      const reencrypt = await runCli(["seal", "--re-encrypt", "-f", file], { env: env() });
      const reseal = await runCli(["reseal", tree], { env: env() });
      for (const [name, result] of [["--validate", validate], ["--re-encrypt", reencrypt], ["reseal", reseal]] as const) {
        assert.equal(result.code, 1, name);
        assert.match(result.stderr, /answered HTTP 503 \(check the controller is running and has loaded its keys: kubectl -n sealbridge get pods/, name);
        assert.doesNotMatch(result.stderr, /--cert FILE/, name);
        assert.equal(result.stderr.trim().split("\n").length, 1, `${name}: one line`);
      }
      assert.doesNotMatch(validate.stderr, /recovery-private-key/, "no offline way to validate");
      assert.match(reencrypt.stderr, /or re-encrypt offline with --recovery-private-key KEY --cert NEW_CERT\)$/m);
      assert.match(reseal.stderr, /or re-encrypt offline with --recovery-private-key KEY --cert NEW_CERT\)$/m);
      assert.equal(await readFile(file, "utf8"), sealed, "nothing written");
    } finally {
      controllerUnavailable = false;
    }
  });

  test("--re-encrypt -f FILE rotates through /v1/rotate and rewrites the file in place", async () => {
    const file = join(dir, "rotate.yaml");
    await writeFile(file, sealFixture("db", "prod", "yaml"));
    const result = await runCli(["seal", "--re-encrypt", "-f", file], { env: env() });
    assert.equal(result.code, 0, result.stderr);
    const obj = parse(await readFile(file, "utf8")) as SealedSecret;
    const value = sealedSecretToSecret(obj, [createPrivateKey(newKey.privateKeyPem)], "t").data?.["password"];
    assert.equal(Buffer.from(value ?? "", "base64").toString(), CANARY);
  });
});

describe("sealbridge seal --re-encrypt offline", () => {
  test("with --recovery-private-key and the newest --cert, no cluster needed (kubeseal cannot)", async () => {
    const sealed = sealFixture("db", "prod", "json", { scope: "namespace-wide" });
    const result = await runCli(["seal", "--re-encrypt", "--recovery-private-key", VECTOR_KEY, "--cert", join(dir, "new.crt"), "-o", "yaml"], { input: sealed });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /CANARY/);
    const obj = parse(result.stdout) as SealedSecret;
    assert.deepEqual(obj.metadata?.annotations, { "sealedsecrets.bitnami.com/namespace-wide": "true" });
    assert.equal(Buffer.from(sealedSecretToSecret({ ...obj, metadata: { ...obj.metadata, name: "renamed" } }, [createPrivateKey(newKey.privateKeyPem)], "t").data?.["password"] ?? "", "base64").toString(), CANARY);
  });
});

describe("sealbridge reseal DIR", () => {
  test("offline: re-encrypts every SealedSecret to the newest cert, leaves other documents alone, and a re-run changes nothing", async () => {
    const tree = join(dir, "reseal");
    await mkdir(join(tree, "apps"), { recursive: true });
    const sealedA = sealFixture("a", "apps", "yaml");
    const sealedB = sealFixture("b", "apps", "json", { scope: "cluster-wide" });
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}   # keep\n";
    await writeFile(join(tree, "apps", "a.yaml"), `${configMap}${sealedA}`);
    await writeFile(join(tree, "b.json"), sealedB);
    await writeFile(join(tree, "cm.yaml"), configMap);
    const args = ["reseal", tree, "--cert", join(dir, "new.crt"), "--recovery-private-key", `${VECTOR_KEY},${join(dir, "new.key")}`];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /^reseal: 3 files scanned, 2 SealedSecret\(s\) re-encrypted in 2 file\(s\), 0 already on the newest key\n$/);
    assert.doesNotMatch(first.stderr + first.stdout, /CANARY/);
    const a = await readFile(join(tree, "apps", "a.yaml"), "utf8");
    assert.ok(a.startsWith(configMap));
    assert.equal(await readFile(join(tree, "cm.yaml"), "utf8"), configMap);
    const newPrivate = createPrivateKey(newKey.privateKeyPem);
    for (const obj of [parse(a.slice(configMap.length)), JSON.parse(await readFile(join(tree, "b.json"), "utf8"))] as SealedSecret[]) {
      assert.equal(Buffer.from(sealedSecretToSecret(obj, [newPrivate], "t").data?.["password"] ?? "", "base64").toString(), CANARY);
    }
    const second = await runCli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /0 SealedSecret\(s\) re-encrypted in 0 file\(s\), 2 already on the newest key/);
    assert.equal(await readFile(join(tree, "apps", "a.yaml"), "utf8"), a);
  });

  test("through the controller: every SealedSecret is POSTed to /v1/rotate and rewritten; other documents stay", async () => {
    const tree = join(dir, "reseal-ctl");
    await mkdir(join(tree, "apps"), { recursive: true });
    const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}   # keep\n";
    await writeFile(join(tree, "apps", "a.yaml"), `${configMap}---\n${sealFixture("a", "apps", "yaml")}`);
    await writeFile(join(tree, "b.json"), sealFixture("b", "apps", "json", { scope: "cluster-wide" }));
    seen.length = 0;
    const result = await runCli(["reseal", tree], { env: env() });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^reseal: 2 files scanned, 2 SealedSecret\(s\) re-encrypted in 2 file\(s\)/m);
    assert.doesNotMatch(result.stderr + result.stdout, /CANARY/);
    assert.equal(seen.filter((s) => s.method === "POST" && s.url.endsWith("/proxy/v1/rotate")).length, 2);
    assert.ok(seen.every((s) => s.auth === `Bearer ${TOKEN}`));
    const a = await readFile(join(tree, "apps", "a.yaml"), "utf8");
    assert.ok(a.startsWith(`${configMap}---\n`), a);
    const newPrivate = createPrivateKey(newKey.privateKeyPem);
    for (const obj of [parse(a.slice(configMap.length + 4)), JSON.parse(await readFile(join(tree, "b.json"), "utf8"))] as SealedSecret[]) {
      assert.equal(Buffer.from(sealedSecretToSecret(obj, [newPrivate], "t").data?.["password"] ?? "", "base64").toString(), CANARY);
    }
  });

  test("a value no key opens fails the whole run and writes nothing", async () => {
    const tree = join(dir, "reseal-bad");
    await mkdir(tree);
    const good = sealFixture("a", "apps", "yaml");
    const foreign = sealFixture("b", "apps", "yaml", { publicKey: createPublicKey(newKey.certificatePem) });
    await writeFile(join(tree, "1.yaml"), good);
    await writeFile(join(tree, "2.yaml"), foreign);
    const result = await runCli(["reseal", tree, "--cert", VECTOR_CERT, "--recovery-private-key", join(dir, "new.key")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: cannot decrypt .*1\.yaml, document 0, key "password"/);
    assert.equal(await readFile(join(tree, "1.yaml"), "utf8"), good);
    assert.equal(await readFile(join(tree, "2.yaml"), "utf8"), foreign);
  });
});

describe("start-up cost", () => {
  test("sealing with --cert FILE never loads the Kubernetes client; fetching from the controller does", async () => {
    const hooks = join(dir, "hooks.mjs");
    await writeFile(hooks, `export async function resolve(specifier, context, next) {\n  if (specifier.includes("@kubernetes/client-node")) throw new Error("KUBE_CLIENT_LOADED");\n  return next(specifier, context);\n}\n`);
    const register = join(dir, "register.mjs");
    await writeFile(register, `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const withFile = await runCli(["seal", "--cert", VECTOR_CERT], { input: secretYaml("db", "prod"), nodeArgs: ["--import", register] });
    assert.equal(withFile.code, 0, withFile.stderr);
    const viaController = await runCli(["seal", "--debug"], { input: secretYaml("db", "prod"), nodeArgs: ["--import", register], env: env() });
    assert.equal(viaController.code, 1);
    assert.match(viaController.stderr, /KUBE_CLIENT_LOADED/);
    assert.ok(vectorPublicKey);
  });
});
