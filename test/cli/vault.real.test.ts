/**
 * `sealbridge vault` as processes against real OpenBao (a three-node raft cluster on loopback):
 * init through the CLI, the shares opened by Debian's age CLI, T−1 shares leave node 1 sealed and
 * T unseal it, status reports it, and no share reaches stdout or stderr.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAgeIdentity, type AgeKeyPair } from "../../src/crypto/age-keys.js";
import { startBaoRaftCluster, type BaoRaftCluster } from "../harness/realstack/openbao-raft.js";

const CLI = fileURLToPath(new URL("../support/cli.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");

function sealbridge(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VAULT|BAO)_/.test(k)) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, CLI, "vault", ...args], { env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("sealbridge vault (CLI) on real OpenBao", { timeout: 240_000 }, () => {
  let bao: BaoRaftCluster;
  let dir: string;
  let ids: AgeKeyPair[] = [];
  const outputs: string[] = [];
  const secrets: string[] = [];

  before(async () => {
    bao = await startBaoRaftCluster({ nodes: 3 });
    dir = await mkdtemp(join(tmpdir(), "sb-cli-bao-"));
    ids = await Promise.all([1, 2, 3].map(() => generateAgeIdentity()));
    await Promise.all(ids.map((id, i) => writeFile(join(dir, `id-${i + 1}.txt`), `${id.identity}\n`)));
  });
  after(async () => {
    await bao?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test("init, then T−1 shares leave the node sealed and T unseal it; status says so", async () => {
    const out = join(dir, "shares");
    const init = await sealbridge(["init", "--shares", "3", "--threshold", "2", ...ids.flatMap((i) => ["--recipient", i.recipient]), "--out", out], { BAO_ADDR: bao.addrs[0] ?? "" });
    outputs.push(init.stdout, init.stderr);
    assert.equal(init.code, 0, init.stderr);
    for (let i = 1; i <= 3; i++) {
      const hex = execFileSync("age", ["-d", "-i", join(dir, `id-${i}.txt`), join(out, `share-${i}.age`)], { encoding: "utf8" }).trim();
      assert.match(hex, /^[0-9a-f]{66}$/);
      secrets.push(hex, Buffer.from(hex, "hex").toString("base64"));
    }
    const node1 = ["--address", bao.addrs[0] ?? ""];
    const one = await sealbridge(["unseal", "--share", join(out, "share-3.age"), "-i", join(dir, "id-3.txt"), ...node1]);
    outputs.push(one.stdout, one.stderr);
    assert.equal(one.stdout, `${bao.addrs[0]}: 1/2 shares, still sealed (1 more needed)\n`);
    const sealed = await sealbridge(["status", ...node1, "-o", "json"]);
    outputs.push(sealed.stdout, sealed.stderr);
    assert.equal(sealed.code, 1);
    const st = (JSON.parse(sealed.stdout) as { nodes: Array<{ sealed: boolean; progress: number; threshold: number; version: string }> }).nodes[0];
    assert.deepEqual([st?.sealed, st?.progress, st?.threshold, st?.version], [true, 1, 2, "2.7.2"]);
    const two = await sealbridge(["unseal", "--share", join(out, "share-1.age"), "-i", join(dir, "id-1.txt"), ...node1]);
    outputs.push(two.stdout, two.stderr);
    assert.equal(two.stdout, `${bao.addrs[0]}: unsealed (2/2 shares)\n`);
    const ok = await sealbridge(["status", ...node1]);
    outputs.push(ok.stdout, ok.stderr);
    assert.equal(ok.code, 0, ok.stdout);
    const all = outputs.join("\n");
    for (const s of secrets) assert.ok(!all.includes(s), "a share reached the output");
  });
});
