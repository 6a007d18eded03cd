import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import type { Secret } from "../../src/api/secret.js";
import { sealSecret } from "../../src/seal/sealed-secret-builder.js";
import { referenceDecrypt, VECTOR_CERT, VECTOR_KEY, vectorPrivateKey, vectorPublicKey } from "../support/sealing-vectors.js";
import { runCli } from "../support/run-cli.js";

const CANARY = "CANARY-cli-e1b7d0";
const CANARY2 = "CANARY-cli-2-93ac1";

function secretYaml(name: string, namespace: string, value = CANARY, extra = ""): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  namespace: ${namespace}
${extra}type: Opaque
stringData:
  password: ${value}
data:
  user: ${Buffer.from(CANARY2).toString("base64")}
`;
}

function assertNoCanary(...texts: string[]): void {
  for (const text of texts) {
    assert.doesNotMatch(text, /CANARY/);
    assert.ok(!text.includes(Buffer.from(CANARY).toString("base64")));
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "sb-seal-cli-"));
});
after(async () => rm(dir, { recursive: true, force: true }));

describe("sealbridge seal / unseal round trips", () => {
  test("stdin → JSON SealedSecret on stdout; independent decrypt opens it; unseal gives the values back", async () => {
    const sealed = await runCli(["seal", "--cert", VECTOR_CERT], { input: secretYaml("db", "prod") });
    assert.equal(sealed.code, 0, sealed.stderr);
    assertNoCanary(sealed.stdout, sealed.stderr);
    const obj = JSON.parse(sealed.stdout) as { apiVersion: string; kind: string; spec: { encryptedData: Record<string, string> } };
    assert.equal(obj.kind, "SealedSecret");
    assert.equal(referenceDecrypt(vectorPrivateKey, "prod/db", Buffer.from(obj.spec.encryptedData["password"] ?? "", "base64")).toString(), CANARY);

    const opened = await runCli(["unseal", "--recovery-private-key", VECTOR_KEY, "-o", "yaml"], { input: sealed.stdout });
    assert.equal(opened.code, 0, opened.stderr);
    const secret = parse(opened.stdout) as { data: Record<string, string> };
    assert.equal(Buffer.from(secret.data["password"] ?? "", "base64").toString(), CANARY);
    assertNoCanary(opened.stderr);
  });

  test("all three scopes round trip; moves outside the scope fail to decrypt with a one-line error", async () => {
    const input = [secretYaml("a", "ns1"), secretYaml("b", "ns1", CANARY, "  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n"), secretYaml("c", "ns1", CANARY, "  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n")].join("---\n");
    const sealed = await runCli(["seal", "--cert", VECTOR_CERT, "-o", "yaml"], { input });
    assert.equal(sealed.code, 0, sealed.stderr);
    assertNoCanary(sealed.stdout);
    const docs = parseAllDocuments(sealed.stdout).map((d) => d.toJS() as { metadata: Record<string, unknown> });
    assert.equal(docs.length, 3);
    const unseal = async (objs: unknown[]) => runCli(["seal", "--recovery-unseal", "--recovery-private-key", VECTOR_KEY], { input: objs.map((o) => JSON.stringify(o)).join("\n") });
    const ok = await unseal(docs);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.split(Buffer.from(CANARY).toString("base64")).length - 1, 3);
    const relocate = (o: { metadata: Record<string, unknown> }, meta: Record<string, unknown>) => ({ ...o, metadata: { ...o.metadata, ...meta } });
    const cases: Array<[unknown, boolean]> = [
      [relocate(docs[0]!, { name: "renamed" }), false],
      [relocate(docs[0]!, { namespace: "ns2" }), false],
      [relocate(docs[1]!, { name: "renamed" }), true],
      [relocate(docs[1]!, { namespace: "ns2" }), false],
      [relocate(docs[2]!, { namespace: "ns2", name: "other" }), true],
    ];
    for (const [obj, opens] of cases) {
      const result = await unseal([obj]);
      assert.equal(result.code === 0, opens, result.stderr);
      if (!opens) {
        assert.match(result.stderr, /^error: cannot decrypt stdin, document 0, key "(password|user)": no private key opens this value/);
        assert.equal(result.stderr.trim().split("\n").length, 1);
        assertNoCanary(result.stdout, result.stderr);
      }
    }
  });

  test("--raw seals one value for the scope; --scope and --namespace/--name bind it", async () => {
    await writeFile(join(dir, "value.txt"), CANARY);
    const raw = await runCli(["seal", "--raw", "--cert", VECTOR_CERT, "--namespace", "n", "--name", "m", "--from-file", `password=${join(dir, "value.txt")}`]);
    assert.equal(raw.code, 0, raw.stderr);
    assertNoCanary(raw.stdout);
    assert.equal(referenceDecrypt(vectorPrivateKey, "n/m", Buffer.from(raw.stdout, "base64")).toString(), CANARY);
    const wide = await runCli(["seal", "--raw", "--cert", VECTOR_CERT, "--scope", "cluster-wide"], { input: CANARY });
    assert.equal(referenceDecrypt(vectorPrivateKey, "", Buffer.from(wide.stdout, "base64")).toString(), CANARY);
  });
});

describe("sealbridge seal -w (in place, many files, atomic)", () => {
  test("seals every Secret of several files and a directory in one run; other documents stay byte for byte", async () => {
    const tree = join(dir, "tree");
    await mkdir(join(tree, "sub"), { recursive: true });
    const configMap = "# config\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: \"1\"}\n";
    await writeFile(join(tree, "mixed.yaml"), `${configMap}---\n${secretYaml("one", "apps")}`);
    await writeFile(join(tree, "sub", "two.json"), JSON.stringify(parse(secretYaml("two", "apps"))));
    await writeFile(join(tree, "sub", "plain.yaml"), configMap);
    await writeFile(join(dir, "three.yml"), secretYaml("three", "apps"));
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-w", "-f", tree, "-f", join(dir, "three.yml")]);
    assert.equal(result.code, 0, result.stderr);
    assertNoCanary(result.stdout, result.stderr);
    assert.match(result.stderr, /sealed 3 file\(s\) in place/);
    const mixed = await readFile(join(tree, "mixed.yaml"), "utf8");
    assert.ok(mixed.startsWith(`${configMap}---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\n`), mixed);
    const json = JSON.parse(await readFile(join(tree, "sub", "two.json"), "utf8")) as { kind: string };
    assert.equal(json.kind, "SealedSecret");
    assert.equal(await readFile(join(tree, "sub", "plain.yaml"), "utf8"), configMap);
    for (const f of [join(tree, "mixed.yaml"), join(tree, "sub", "two.json"), join(dir, "three.yml")]) assertNoCanary(await readFile(f, "utf8"));
  });

  test("one bad document leaves every file untouched and no temp files behind", async () => {
    const atomic = join(dir, "atomic");
    await mkdir(atomic);
    const good = secretYaml("good", "apps");
    const bad = secretYaml("bad", "apps").replace(/user: .*/, "user: not*base64!");
    await writeFile(join(atomic, "a.yaml"), good);
    await writeFile(join(atomic, "b.yaml"), good);
    await writeFile(join(atomic, "c.yaml"), `${good}---\n${bad}`);
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-w", "-f", join(atomic, "a.yaml"), "-f", join(atomic, "b.yaml"), "-f", join(atomic, "c.yaml")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: invalid Secret: .*c\.yaml, document 1: data\.user: not base64 \(fix the manifest\)\n$/);
    assertNoCanary(result.stdout, result.stderr);
    for (const f of ["a.yaml", "b.yaml"]) assert.equal(await readFile(join(atomic, f), "utf8"), good);
    assert.deepEqual((await readdir(atomic)).sort(), ["a.yaml", "b.yaml", "c.yaml"]);
  });

  test("-w FILE writes there (YAML for .yaml), -w on stdin is refused", async () => {
    const out = join(dir, "out.yaml");
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-w", out], { input: secretYaml("db", "prod") });
    assert.equal(result.code, 0, result.stderr);
    assert.ok((await readFile(out, "utf8")).startsWith("---\napiVersion: bitnami.com/v1alpha1\n"));
    const refused = await runCli(["seal", "--cert", VECTOR_CERT, "-w"], { input: secretYaml("db", "prod") });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot seal in place: input is stdin/);
  });

  test("--merge-into adds keys to an existing SealedSecret file, bound to its name and scope", async () => {
    const target = join(dir, "merge.yaml");
    const first = await runCli(["seal", "--cert", VECTOR_CERT, "--scope", "namespace-wide", "-w", target], { input: secretYaml("m", "apps") });
    assert.equal(first.code, 0, first.stderr);
    const merged = await runCli(["seal", "--cert", VECTOR_CERT, "--merge-into", target], { input: "apiVersion: v1\nkind: Secret\nmetadata: {name: ignored}\nstringData: {extra: CANARY-merge}\n" });
    assert.equal(merged.code, 0, merged.stderr);
    assertNoCanary(merged.stdout, merged.stderr, await readFile(target, "utf8"));
    const obj = parse(await readFile(target, "utf8")) as { metadata: { name: string }; spec: { encryptedData: Record<string, string> } };
    assert.deepEqual(Object.keys(obj.spec.encryptedData), ["extra", "password", "user"]);
    assert.equal(obj.metadata.name, "m");
    assert.equal(referenceDecrypt(vectorPrivateKey, "apps", Buffer.from(obj.spec.encryptedData["extra"] ?? "", "base64")).toString(), "CANARY-merge");
  });
});

describe("sealbridge seal: malformed input gives a one-line error and a non-zero exit", () => {
  test("bad YAML, a non-Secret, an unreadable cert, a cert that is not a cert, a closed cert URL, empty data", async () => {
    await writeFile(join(dir, "not-a-cert.pem"), "hello");
    // A port that was free a moment ago and now has nobody listening.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const closedUrl = `http://127.0.0.1:${closedPort}/cert.pem`;
    const cases: Array<[string[], string, RegExp]> = [
      [["seal", "--cert", VECTOR_CERT], "a: [\n", /^error: invalid YAML: stdin, document 0/],
      [["seal", "--cert", VECTOR_CERT], "apiVersion: apps/v1\nkind: Deployment\n", /^error: not a Secret: stdin, document 0 is kind "Deployment"/],
      [["seal", "--cert", join(dir, "missing.pem")], secretYaml("a", "b"), /^error: cannot read certificate: .*missing\.pem \(ENOENT/],
      [["seal", "--cert", join(dir, "not-a-cert.pem")], secretYaml("a", "b"), /^error: invalid certificate: .*not-a-cert\.pem holds no PEM certificate/],
      [["seal", "--cert", closedUrl], secretYaml("a", "b"), new RegExp(`^error: cannot fetch certificate: http://127\\.0\\.0\\.1:${closedPort}/cert\\.pem did not answer \\(ECONNREFUSED`)],
      [["seal", "--cert", VECTOR_CERT], "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\n", /^error: cannot seal: stdin, document 0 has no data or stringData/],
      [["seal", "--cert", VECTOR_CERT, "--scope", "wide"], secretYaml("a", "b"), /^error: invalid flag: --scope/],
    ];
    for (const [args, input, expected] of cases) {
      const result = await runCli(args, { input });
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.equal(result.stdout, "");
      assertNoCanary(result.stderr);
      // A closed port fails at once with ECONNREFUSED (matched above), not after a timeout; no
      // wall-clock assertion, which a busy machine breaks.
    }
  });

  test("a Secret with no data is refused without --allow-empty-data and sealed with empty encryptedData with it", async () => {
    const empty = "apiVersion: v1\nkind: Secret\nmetadata: {name: empty, namespace: apps}\ntype: Opaque\n";
    const refused = await runCli(["seal", "--cert", VECTOR_CERT], { input: empty });
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal(refused.stdout, "");
    assert.match(refused.stderr, /^error: cannot seal: stdin, document 0 has no data or stringData \(add values, or pass --allow-empty-data\)\n$/);
    assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);

    const allowed = await runCli(["seal", "--cert", VECTOR_CERT, "--allow-empty-data"], { input: empty });
    assert.equal(allowed.code, 0, allowed.stderr);
    const obj = JSON.parse(allowed.stdout) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: { encryptedData: Record<string, string> } };
    assert.equal(`${obj.apiVersion} ${obj.kind}`, "bitnami.com/v1alpha1 SealedSecret");
    assert.deepEqual(obj.metadata, { ...obj.metadata, name: "empty", namespace: "apps" });
    assert.deepEqual(obj.spec.encryptedData, {});

    const emptyMaps = await runCli(["seal", "--cert", VECTOR_CERT, "--allow-empty-data", "-o", "yaml"], { input: `${empty}data: {}\nstringData: {}\n` });
    assert.equal(emptyMaps.code, 0, emptyMaps.stderr);
    assert.deepEqual((parse(emptyMaps.stdout) as { spec: { encryptedData: Record<string, string> } }).spec.encryptedData, {});
  });

  test("unseal: a tampered or truncated ciphertext, and a wrong key, fail without printing values", async () => {
    const sealed = sealSecret(parse(secretYaml("db", "prod")) as Secret, { publicKey: vectorPublicKey, source: "fixture" }) as { spec: { encryptedData: Record<string, string> } };
    const value = sealed.spec.encryptedData["password"] ?? "";
    const tampered = { ...sealed, spec: { encryptedData: { password: value.slice(0, 700) + (value[700] === "A" ? "B" : "A") + value.slice(701) } } };
    const truncated = { ...sealed, spec: { encryptedData: { password: value.slice(0, 400) } } };
    const otherKey = join(dir, "other.key");
    execFileSync("openssl", ["genrsa", "-out", otherKey, "2048"], { stdio: "ignore" });
    const cases: Array<[unknown, string, RegExp]> = [
      [tampered, VECTOR_KEY, /cannot decrypt stdin, document 0, key "password"/],
      [truncated, VECTOR_KEY, /cannot decrypt stdin, document 0, key "password": ciphertext truncated/],
      [sealed, otherKey, /cannot decrypt stdin, document 0, key "(password|user)": no private key opens/],
    ];
    for (const [obj, key, expected] of cases) {
      const result = await runCli(["unseal", "--recovery-private-key", key], { input: JSON.stringify(obj) });
      assert.equal(result.code, 1);
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.trim().split("\n").length, 1);
      assertNoCanary(result.stdout, result.stderr);
    }
  });
});

describe(".sealbridge.yaml", () => {
  test("`seal -f path -w` needs no flags: cert and scope come from the matching rule", async () => {
    const repo = join(dir, "repo");
    await mkdir(join(repo, ".git"), { recursive: true });
    await mkdir(join(repo, "clusters", "prod"), { recursive: true });
    await mkdir(join(repo, "certs"), { recursive: true });
    await writeFile(join(repo, "certs", "prod.pem"), await readFile(VECTOR_CERT));
    await writeFile(join(repo, ".sealbridge.yaml"), "creation_rules:\n  - path: clusters/prod/**\n    cert: certs/prod.pem\n    scope: namespace-wide\n  - path: '**'\n    cert: certs/missing.pem\n");
    await writeFile(join(repo, "clusters", "prod", "db.yaml"), secretYaml("db", "prod"));
    const result = await runCli(["seal", "-f", "clusters/prod/db.yaml", "-w"], { cwd: repo });
    assert.equal(result.code, 0, result.stderr);
    const obj = parse(await readFile(join(repo, "clusters", "prod", "db.yaml"), "utf8")) as { metadata: { annotations: Record<string, string> }; spec: { encryptedData: Record<string, string> } };
    assert.deepEqual(obj.metadata.annotations, { "sealedsecrets.bitnami.com/namespace-wide": "true" });
    assert.equal(referenceDecrypt(vectorPrivateKey, "prod", Buffer.from(obj.spec.encryptedData["password"] ?? "", "base64")).toString(), CANARY);
    await mkdir(join(repo, "apps"), { recursive: true });
    const identityFile = join(dir, "repo-age.key");
    execFileSync("age-keygen", ["-o", identityFile], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", identityFile]).toString().trim();
    await writeFile(join(repo, ".sealbridge.yaml"), `creation_rules:\n  - path: apps/**\n    recipients: [${recipient}]\n    cluster_recipient: false\n  - path: clusters/prod/**\n    cert: certs/prod.pem\n  - path: '**'\n    cert: certs/missing.pem\n`);
    await writeFile(join(repo, "apps", "app.yaml"), secretYaml("app", "web"));
    const age = await runCli(["seal", "-f", join(repo, "apps", "app.yaml"), "-w"]);
    assert.equal(age.code, 0, age.stderr);
    const ageObj = parse(await readFile(join(repo, "apps", "app.yaml"), "utf8")) as { kind: string };
    assert.equal(ageObj.kind, "AgeSecret");
    await writeFile(join(repo, "other.yaml"), secretYaml("x", "y"));
    const fallback = await runCli(["seal", "-f", "other.yaml", "-w"], { cwd: repo });
    assert.equal(fallback.code, 1);
    assert.match(fallback.stderr, /^error: cannot read certificate: .*certs\/missing\.pem \(ENOENT; check the path given to cert of .*\.sealbridge\.yaml rule 2\)\n$/);
    assert.doesNotMatch(fallback.stderr, /--cert/, "the rule, not --cert, names the missing file");
  });
});

describe("--cert URL", () => {
  test("a certificate served over http is used; a 404 is a clear error", async () => {
    const pem = await readFile(VECTOR_CERT, "utf8");
    const server = createServer((req, res) => (req.url === "/v1/cert.pem" ? res.end(pem) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ok = await runCli(["seal", "--cert", `http://127.0.0.1:${port}/v1/cert.pem`], { input: secretYaml("db", "prod") });
      assert.equal(ok.code, 0, ok.stderr);
      const obj = JSON.parse(ok.stdout) as { spec: { encryptedData: Record<string, string> } };
      assert.equal(referenceDecrypt(vectorPrivateKey, "prod/db", Buffer.from(obj.spec.encryptedData["password"] ?? "", "base64")).toString(), CANARY);
      const missing = await runCli(["seal", "--cert", `http://user:pw@127.0.0.1:${port}/nope.pem?token=abc`], { input: secretYaml("db", "prod") });
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, `error: cannot fetch certificate: http://127.0.0.1:${port}/nope.pem answered HTTP 404 (check the URL, or pass --cert FILE)\n`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("sealbridge seal --age / unseal -i", () => {
  test("seals to an age recipient and opens with the identity; the real age CLI decrypts a value", async () => {
    const identityFile = join(dir, "age.key");
    execFileSync("age-keygen", ["-o", identityFile], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", identityFile]).toString().trim();
    const sealed = await runCli(["seal", "--age", "--no-cluster-recipient", "--recipient", recipient, "-o", "yaml"], { input: secretYaml("db", "prod") });
    assert.equal(sealed.code, 0, sealed.stderr);
    assertNoCanary(sealed.stdout, sealed.stderr);
    const obj = parse(sealed.stdout) as { apiVersion: string; kind: string; spec: { encryptedData: Record<string, string> } };
    assert.equal(`${obj.apiVersion} ${obj.kind}`, "sealbridge.io/v1alpha1 AgeSecret");
    const plain = execFileSync("age", ["-d", "-i", identityFile], { input: obj.spec.encryptedData["password"] }).toString();
    assert.ok(plain.includes(CANARY));
    const opened = await runCli(["unseal", "-i", identityFile], { input: sealed.stdout });
    assert.equal(opened.code, 0, opened.stderr);
    assert.equal(Buffer.from((JSON.parse(opened.stdout) as { data: Record<string, string> }).data["password"] ?? "", "base64").toString(), CANARY);
  });
});
