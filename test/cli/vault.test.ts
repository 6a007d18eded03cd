/**
 * `sealbridge vault init|unseal|status` as processes, against a 3-node Vault test server: nodes by
 * --address, by VAULT_ADDR/BAO_ADDR (flags win, BAO_* before VAULT_*), and as pods behind a label
 * selector reached through the Kubernetes test server's pod proxy. Shares never reach stdout or
 * stderr; exit codes follow the help text.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAgeIdentity, type AgeKeyPair } from "../../src/crypto/age-keys.js";
import { PODS, SERVICES } from "../../src/kube/resources.js";
import { startVaultServer, type VaultTestCluster } from "../harness/vault/index.js";
import { kubeFixture, type KubeFixture } from "../kube/kube-fixture.js";
import { deadAddress } from "../vault/seal-backend.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any Vault/OpenBao settings of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|BAO)_/.test(k) && k !== "KUBECONFIG") env[k] = v;
  return { ...env, ...extra };
}

function sealbridge(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, "vault", ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("sealbridge vault (CLI)", { timeout: 600_000 }, () => {
  let v: VaultTestCluster;
  let k: KubeFixture;
  let dir: string;
  let ids: AgeKeyPair[] = [];
  let dead: string;
  const secrets: string[] = [];
  const outputs: string[] = [];
  const run = async (args: string[], env: Record<string, string> = {}): Promise<Result> => {
    const r = await sealbridge(args, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const pods = (): string[] => ["--selector", "app.kubernetes.io/name=vault", "-n", "vault", "--kubeconfig", k.kubeconfigPath];

  before(async () => {
    [v, k] = await Promise.all([startVaultServer({ mode: "new", nodes: 3 }), kubeFixture()]);
    dir = await mkdtemp(join(tmpdir(), "sb-cli-vault-"));
    ids = await Promise.all([1, 2, 3].map(() => generateAgeIdentity()));
    await Promise.all(ids.map((id, i) => writeFile(join(dir, `id-${i + 1}.txt`), `${id.identity}\n`)));
    await writeFile(join(dir, "recipients.txt"), `# holder 3\n${ids[2]?.recipient}\n`);
    await k.kube.create({ group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false }, { metadata: { name: "vault" } });
    for (const [i, addr] of v.addrs.entries()) {
      await k.kube.create(PODS, {
        metadata: { name: `vault-${i}`, namespace: "vault", labels: { "app.kubernetes.io/name": "vault" } },
        spec: { containers: [{ name: "vault", image: "hashicorp/vault:1.17" }] },
      });
      k.server.setPodBackend("vault", `vault-${i}`, addr);
    }
    await k.kube.create(PODS, { metadata: { name: "other", namespace: "vault", labels: { app: "other" } }, spec: { containers: [{ name: "x", image: "x" }] } });
    await k.kube.create(SERVICES, { metadata: { name: "vault", namespace: "vault" }, spec: { selector: { "app.kubernetes.io/name": "vault" }, ports: [{ port: 8200 }] } });
    dead = await deadAddress();
  });
  after(async () => {
    await Promise.all([v?.stop(), k?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("init writes age files the age CLI opens and prints no secret", async () => {
    const out = join(dir, "shares");
    const r = await run(
      ["init", "--address", v.addrs[0] ?? "", "--shares", "3", "--threshold", "2", "--recipient", ids[0]?.recipient ?? "", "--recipient", ids[1]?.recipient ?? "", "--recipients-file", join(dir, "recipients.txt"), "--out", out],
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /initialized with 3 share\(s\), threshold 2; Vault is sealed/);
    assert.match(r.stdout, /wrote .*share-3\.age\nwrote .*root-token\.age\n/);
    for (let i = 1; i <= 3; i++) {
      const hex = execFileSync("age", ["-d", "-i", join(dir, `id-${i}.txt`), join(out, `share-${i}.age`)], { encoding: "utf8" }).trim();
      assert.match(hex, /^[0-9a-f]{66}$/);
      secrets.push(hex, Buffer.from(hex, "hex").toString("base64"));
    }
    secrets.push(execFileSync("age", ["-d", "-i", join(dir, "id-1.txt"), join(out, "root-token.age")], { encoding: "utf8" }).trim());
    const again = await run(["init", "--address", v.addrs[0] ?? "", "--shares", "3", "--threshold", "2", "--recipient", "x", "--out", join(dir, "again")]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, "error: 1 recipient(s) for 3 share(s): vault init (pass one --recipient per share, in share order, or a --recipients-file with 3 lines)\n");
  });

  test("status and unseal through the API server's pod proxy (--selector)", async () => {
    const status = await run(["status", ...pods(), "-o", "json"]);
    assert.equal(status.code, 1, status.stderr);
    const body = JSON.parse(status.stdout) as { nodes: Array<{ node: string; sealed: boolean; progress: number; threshold: number }> };
    assert.deepEqual(body.nodes.map((n) => [n.node, n.sealed, n.progress, n.threshold]), [
      ["pod vault/vault-0", true, 0, 2],
      ["pod vault/vault-1", true, 0, 2],
      ["pod vault/vault-2", true, 0, 2],
    ]);
    const unseal = await run(["unseal", "--share", join(dir, "shares", "share-1.age"), "-i", join(dir, "id-1.txt"), ...pods()]);
    assert.equal(unseal.code, 0, unseal.stderr);
    assert.equal(
      unseal.stdout,
      [0, 1, 2].map((i) => `pod vault/vault-${i}: 1/2 shares, still sealed (1 more needed)\n`).join(""),
    );
  });

  test("BAO_ADDR wins over VAULT_ADDR, --address wins over both; status exit 0 when all are unsealed", async () => {
    const share2 = ["unseal", "--share", join(dir, "shares", "share-2.age"), "-i", join(dir, "id-2.txt")];
    const one = await run(share2, { BAO_ADDR: v.addrs[0] ?? "", VAULT_ADDR: dead });
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, `${v.addrs[0]}: unsealed (2/2 shares)\n`);
    const two = await run([...share2, "--address", v.addrs[1] ?? "", "--address", v.addrs[2] ?? ""], { VAULT_ADDR: dead, BAO_ADDR: dead });
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, `${v.addrs[1]}: unsealed (2/2 shares)\n${v.addrs[2]}: unsealed (2/2 shares)\n`);
    const table = await run(["status", ...pods()]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NODE +INITIALIZED +SEALED +PROGRESS +VERSION +HA MODE +LEADER\n/);
    assert.match(table.stdout, new RegExp(`pod vault/vault-0 +true +false +- +1\\.17\\.2 +active +${v.addrs[0]}`));
    const byService = await run(["status", "--service", "vault", "-n", "vault", "--kubeconfig", k.kubeconfigPath, "-o", "json"]);
    assert.equal(byService.code, 0, byService.stderr);
    assert.deepEqual((JSON.parse(byService.stdout) as { nodes: Array<{ node: string }> }).nodes.map((n) => n.node), ["pod vault/vault-0", "pod vault/vault-1", "pod vault/vault-2"]);
    const noService = await run(["status", "--service", "nope", "-n", "vault", "--kubeconfig", k.kubeconfigPath]);
    assert.equal(noService.stderr, "error: service not found: vault/nope (pass the Vault service's name and -n NAMESPACE)\n");
    const again = await run([...share2, ...pods()]);
    assert.equal(again.stdout, [0, 1, 2].map((i) => `pod vault/vault-${i}: already unsealed (nothing submitted)\n`).join(""));
  });

  test("an unreachable node: status exit 2; unseal reports it in one line and exits 1", async () => {
    const status = await run(["status"], { VAULT_ADDR: dead });
    assert.equal(status.code, 2);
    assert.match(status.stdout, new RegExp(`${dead} +\\? .* unreachable`));
    assert.match(status.stdout, new RegExp(`cannot reach Vault: ${dead} \\(ECONNREFUSED; `));
    const unseal = await run(["unseal", "--share", join(dir, "shares", "share-3.age"), "-i", join(dir, "id-3.txt"), "--address", dead, "--address", v.addrs[0] ?? ""]);
    assert.equal(unseal.code, 1);
    assert.equal(unseal.stderr, `error: cannot reach Vault: ${dead} (ECONNREFUSED; check the address, the port and that the node is running)\n`);
    assert.equal(unseal.stdout, `${v.addrs[0]}: already unsealed (nothing submitted)\n`);
  });

  test("a wrong identity and an unparsable VAULT_SKIP_VERIFY are one-line errors", async () => {
    const wrong = await run(["unseal", "--share", join(dir, "shares", "share-1.age"), "-i", join(dir, "id-2.txt"), "--address", v.addrs[0] ?? ""]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: cannot decrypt share file .*share-1\.age: no identity matched any of the file's recipients \(use the identity of a recipient it was sealed to\)\n$/);
    const skip = await run(["status"], { VAULT_ADDR: v.addrs[0] ?? "", VAULT_SKIP_VERIFY: "maybe" });
    assert.equal(skip.code, 1);
    assert.equal(skip.stderr, "error: could not parse VAULT_SKIP_VERIFY: not a boolean (set it to true or false, or unset it)\n");
  });

  test("no share and no root token in any output", () => {
    assert.equal(secrets.length, 7);
    const all = outputs.join("\n");
    for (const s of secrets) assert.ok(!all.includes(s), "a secret reached stdout or stderr");
  });
});
