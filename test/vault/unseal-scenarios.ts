/**
 * The seal-lifecycle scenarios of issue 12, run on either backend (the Vault test server in
 * unseal-scenarios.test.ts, real OpenBao raft in unseal-scenarios.real.test.ts): init writes
 * age-encrypted shares that Debian's `age` CLI opens; T−1 shares leave a node sealed and T unseal
 * it; each of three nodes is sealed and unsealed on its own; a wrong combination is reported as
 * such and never resubmitted; bad inputs give one clear line; no share or root token appears in
 * any output.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptArmoredAgeFile } from "../../src/crypto/age-file.js";
import { generateAgeIdentity, type AgeKeyPair } from "../../src/crypto/age-keys.js";
import { initVault } from "../../src/vault/init.js";
import { SEAL_FAILURES, VaultNodeError, WRONG_SHARE_SET_TEXT } from "../../src/vault/seal-errors.js";
import { readNodeStates, renderStatusTable, statusExitCode } from "../../src/vault/seal-status.js";
import { VaultSysApi } from "../../src/vault/sys-api.js";
import { describeOutcome, resetNodes, unsealNodes, type UnsealOutcome } from "../../src/vault/unseal.js";
import { readShareFile } from "../../src/vault/unseal-share.js";
import { deadAddress, startSealBackend, type BackendKind, type SealBackend } from "./seal-backend.js";

const settle = { attempts: 80, delayMs: 250, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Defines the scenarios against a backend of `kind`. */
export function unsealScenarios(kind: BackendKind): void {
  describe(`vault init/unseal/status on ${kind === "real" ? "real OpenBao (raft, 3 nodes)" : "the Vault test server (HA, 3 nodes)"}`, { timeout: 300_000 }, () => {
    let backend: SealBackend;
    let dir: string;
    let out: string;
    let ids: AgeKeyPair[] = [];
    let stranger: AgeKeyPair;
    let apis: VaultSysApi[] = [];
    /** Every share (hex and base64) and the root token: none may appear in any output. */
    const secrets: string[] = [];
    /** Every line of output the scenarios produced. */
    const outputs: string[] = [];
    const idFile = (i: number): string => join(dir, `id-${i}.txt`);
    const share = (i: number): Promise<string> => readShareFile(join(out, `share-${i}.age`), [ids[i - 1]?.identity ?? ""]);
    const record = (outcomes: UnsealOutcome[]): UnsealOutcome[] => {
      outputs.push(...outcomes.map(describeOutcome));
      return outcomes;
    };

    before(async () => {
      backend = await startSealBackend(kind);
      apis = backend.addrs.map((a) => new VaultSysApi({ label: a, baseUrl: a }));
      dir = await mkdtemp(join(tmpdir(), "sb-unseal-"));
      out = join(dir, "shares");
      ids = await Promise.all([1, 2, 3, 4, 5].map(() => generateAgeIdentity()));
      stranger = await generateAgeIdentity();
      await Promise.all(ids.map((id, i) => writeFile(idFile(i + 1), `# holder ${i + 1}\n${id.identity}\n`)));
      await writeFile(join(dir, "stranger.txt"), `${stranger.identity}\n`);
    });
    after(async () => {
      await backend?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test("init refuses a bad request or an output directory holding shares, before touching Vault", async () => {
      const api = apis[0] as VaultSysApi;
      const recipients = ids.map((i) => i.recipient);
      const bad: Array<[Parameters<typeof initVault>[1], RegExp]> = [
        [{ shares: 5, threshold: 3, recipients: recipients.slice(0, 4), outDir: out }, /4 recipient\(s\) for 5 share\(s\)/],
        [{ shares: 3, threshold: 4, recipients: recipients.slice(0, 3), outDir: out }, /--threshold 4 is larger than --shares 3/],
        [{ shares: 3, threshold: 0, recipients: recipients.slice(0, 3), outDir: out }, /invalid --threshold 0/],
        [{ shares: 3, threshold: 1, recipients: recipients.slice(0, 3), outDir: out }, /threshold above 1/],
      ];
      for (const [req, message] of bad) {
        await assert.rejects(initVault(api, req), (err: Error) => message.test(err.message) && !err.message.includes("\n"));
      }
      const occupied = join(dir, "occupied");
      await mkdir(occupied);
      await writeFile(join(occupied, "share-1.age"), "an earlier share\n");
      await assert.rejects(initVault(api, { shares: 5, threshold: 3, recipients, outDir: occupied }), /refusing to overwrite: .* already holds share-1\.age/);
      assert.equal(await readFile(join(occupied, "share-1.age"), "utf8"), "an earlier share\n");
      assert.equal(await api.initialized(), false);
    });

    test("init writes share i to recipient i as armored age files that Debian's age CLI opens; only holder i opens share i", async () => {
      const api = apis[0] as VaultSysApi;
      const result = await initVault(api, { shares: 5, threshold: 3, recipients: ids.map((i) => i.recipient), rootRecipients: [ids[0]?.recipient ?? ""], outDir: out });
      assert.deepEqual(result.shareFiles, [1, 2, 3, 4, 5].map((i) => join(out, `share-${i}.age`)));
      for (let i = 1; i <= 5; i++) {
        const file = join(out, `share-${i}.age`);
        assert.match(await readFile(file, "utf8"), /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+-----END AGE ENCRYPTED FILE-----\n$/);
        const hex = execFileSync("age", ["-d", "-i", idFile(i), file], { encoding: "utf8" }).trim();
        assert.match(hex, /^[0-9a-f]{66}$/, `share ${i} is a 33-byte Shamir share in hex`);
        secrets.push(hex, Buffer.from(hex, "hex").toString("base64"));
        const other = (i % 5) + 1;
        assert.throws(() => execFileSync("age", ["-d", "-i", idFile(other), file], { stdio: "pipe" }), /no identity matched/);
      }
      const root = execFileSync("age", ["-d", "-i", idFile(1), result.rootTokenFile], { encoding: "utf8" }).trim();
      assert.ok(root.length > 8);
      secrets.push(root);
      assert.equal(new Set(secrets).size, secrets.length);
      // Initialised, sealed: a second init is refused and writes nothing.
      const again = join(dir, "again");
      await assert.rejects(initVault(api, { shares: 5, threshold: 3, recipients: ids.map((i) => i.recipient), outDir: again }), (err: unknown) => {
        assert.ok(err instanceof VaultNodeError && err.failure === SEAL_FAILURES.alreadyInitialized);
        outputs.push(err.message);
        return true;
      });
      const status = await api.sealStatus();
      assert.deepEqual([status.initialized, status.sealed, status.t, status.n], [true, true, 3, 5]);
    });

    test("T−1 shares leave the node sealed (a repeated share changes nothing); the T-th unseals it", async () => {
      const node0 = [apis[0] as VaultSysApi];
      assert.deepEqual(record(await unsealNodes(node0, await share(1))).map((o) => [o.kind, "progress" in o ? o.progress : -1]), [["progress", 1]]);
      assert.deepEqual(record(await unsealNodes(node0, await share(2))).map((o) => [o.kind, "progress" in o ? o.progress : -1]), [["progress", 2]]);
      assert.deepEqual(record(await unsealNodes(node0, await share(2))).map((o) => [o.kind, "progress" in o ? o.progress : -1]), [["repeated", 2]]);
      assert.equal((await node0[0]?.sealStatus())?.sealed, true);
      const done = record(await unsealNodes(node0, await share(3), settle));
      assert.deepEqual(done.map((o) => o.kind), ["unsealed"]);
      assert.equal(describeOutcome(done[0] as UnsealOutcome), `${backend.addrs[0]}: unsealed (3/3 shares)`);
    });

    test("each node unseals on its own; status shows every node unsealed with one active leader (exit 0)", async () => {
      for (const i of [1, 2]) {
        const api = apis[i] as VaultSysApi;
        // A raft node learns the seal configuration once it has contacted the leader.
        await waitFor(`node ${i} to see the initialised cluster`, async () => (await api.sealStatus()).initialized);
        const kinds: string[] = [];
        for (const s of [4, 5, 1]) kinds.push(...record(await unsealNodes([api], await share(s), settle)).map((o) => o.kind));
        assert.deepEqual(kinds, ["progress", "progress", "unsealed"], `node ${i}`);
      }
      await waitFor("a leader on every node", async () => (await readNodeStates(apis)).every((s) => s.leader !== undefined));
      const states = await readNodeStates(apis);
      outputs.push(JSON.stringify(states), renderStatusTable(states));
      assert.equal(statusExitCode(states), 0);
      assert.deepEqual(states.map((s) => [s.initialized, s.sealed, s.threshold, s.shares]), [[true, false, 3, 5], [true, false, 3, 5], [true, false, 3, 5]]);
      assert.deepEqual(states.map((s) => s.haMode).sort(), ["active", "standby", "standby"]);
      assert.ok(states.every((s) => s.leader === backend.addrs[0]), JSON.stringify(states.map((s) => s.leader)));
      assert.ok(states.every((s) => typeof s.version === "string" && s.version.length > 0));
    });

    test("restarting one node seals only it (status exit 1); shares sent to every node unseal only that one", async () => {
      await backend.restart(1);
      const states = await readNodeStates(apis);
      outputs.push(JSON.stringify(states));
      assert.deepEqual(states.map((s) => s.sealed), [false, true, false]);
      assert.deepEqual(states.map((s) => s.haMode), ["active", "sealed", "standby"]);
      assert.equal(statusExitCode(states), 1);
      const first = record(await unsealNodes(apis, await share(2), settle));
      assert.deepEqual(first.map((o) => o.kind), ["alreadyUnsealed", "progress", "alreadyUnsealed"]);
      assert.equal(describeOutcome(first[0] as UnsealOutcome), `${backend.addrs[0]}: already unsealed (nothing submitted)`);
      record(await unsealNodes(apis, await share(3), settle));
      const last = record(await unsealNodes(apis, await share(5), settle));
      assert.deepEqual(last.map((o) => o.kind), ["alreadyUnsealed", "unsealed", "alreadyUnsealed"]);
      assert.equal(statusExitCode(await readNodeStates(apis)), 0);
    });

    test("a wrong share is accepted below the threshold; at the threshold the combination is reported as wrong, progress is reset, nothing is resubmitted", async () => {
      await backend.restart(2);
      const api = apis[2] as VaultSysApi;
      record(await unsealNodes([api], await share(1)));
      // A well-formed share of the wrong value: one y byte flipped, the x coordinate kept.
      const good = Buffer.from(await share(2), "hex");
      good[0] = (good[0] ?? 0) ^ 0x5a;
      const wrong = good.toString("hex");
      secrets.push(wrong);
      const accepted = record(await unsealNodes([api], wrong));
      assert.deepEqual(accepted.map((o) => [o.kind, "progress" in o ? o.progress : -1]), [["progress", 2]]);
      const before = backend.unsealRequests();
      const failed = record(await unsealNodes([api], await share(3), settle));
      const f = failed[0];
      assert.ok(f?.kind === "failed" && f.error.failure === SEAL_FAILURES.wrongShareSet, JSON.stringify(failed));
      assert.equal(
        describeOutcome(f),
        `unseal failed: ${backend.addrs[2]}: ${WRONG_SHARE_SET_TEXT} (check that every holder used a share of this Vault; start again with the right shares)`,
      );
      if (before !== undefined) assert.equal(backend.unsealRequests(), before + 1, "the share was submitted exactly once");
      const st = await api.sealStatus();
      assert.deepEqual([st.sealed, st.progress], [true, 0]);
      // --reset in the middle of an attempt, and on unsealed nodes.
      record(await unsealNodes([api], await share(4)));
      const reset = record(await resetNodes(apis));
      assert.deepEqual(reset.map((o) => o.kind), ["alreadyUnsealed", "alreadyUnsealed", "reset"]);
      assert.equal((await api.sealStatus()).progress, 0);
      for (const s of [4, 5, 1]) record(await unsealNodes([api], await share(s), settle));
      assert.equal((await api.sealStatus()).sealed, false);
    });

    test("wrong identity, corrupt share file, non-share content, unreachable node, already-unsealed node: one clear line each", async () => {
      const lines: string[] = [];
      const catchLine = async (p: Promise<unknown>): Promise<string> => {
        try {
          await p;
        } catch (err) {
          return (err as Error).message;
        }
        throw new Error("expected a failure");
      };
      const wrongId = await catchLine(readShareFile(join(out, "share-1.age"), [stranger.identity]));
      assert.match(wrongId, /^cannot decrypt share file .*share-1\.age: no identity matched any of the file's recipients \(use the identity of a recipient it was sealed to\)$/);
      lines.push(wrongId);
      const corrupt = join(dir, "corrupt.age");
      const text = await readFile(join(out, "share-1.age"), "utf8");
      await writeFile(corrupt, text.replace(/\n[A-Za-z0-9+/=]{10}/, "\n!!!!!!!!!!"));
      const corruptLine = await catchLine(readShareFile(corrupt, [ids[0]?.identity ?? ""]));
      assert.match(corruptLine, /^cannot decrypt share file .*corrupt\.age: /);
      lines.push(corruptLine);
      const truncated = join(dir, "truncated.age");
      await writeFile(truncated, text.slice(0, text.length - 60));
      lines.push(await catchLine(readShareFile(truncated, [ids[0]?.identity ?? ""])));
      const notShare = join(dir, "not-a-share.age");
      await writeFile(notShare, await encryptArmoredAgeFile(new TextEncoder().encode("hello, not a key\n"), [ids[0]?.recipient ?? ""]));
      const notShareLine = await catchLine(readShareFile(notShare, [ids[0]?.identity ?? ""]));
      assert.match(notShareLine, /^not a Vault unseal share: share file .*not-a-share\.age decrypts to something else/);
      lines.push(notShareLine);
      const dead = await deadAddress();
      const deadApi = new VaultSysApi({ label: dead, baseUrl: dead });
      const unreachable = record(await unsealNodes([deadApi, apis[0] as VaultSysApi], await share(1)));
      assert.equal(describeOutcome(unreachable[0] as UnsealOutcome), `cannot reach Vault: ${dead} (ECONNREFUSED; check the address, the port and that the node is running)`);
      assert.equal(describeOutcome(unreachable[1] as UnsealOutcome), `${backend.addrs[0]}: already unsealed (nothing submitted)`);
      const states = await readNodeStates([...apis, deadApi]);
      assert.equal(statusExitCode(states), 2);
      const table = renderStatusTable(states);
      assert.match(table, new RegExp(`${dead} +\\? +\\? +\\? +\\? +unreachable`));
      outputs.push(table, JSON.stringify(states));
      for (const line of lines) assert.ok(!line.includes("\n"), line);
      outputs.push(...lines);
    });

    test("no share and no root token in any output", () => {
      assert.ok(secrets.length >= 11);
      assert.ok(outputs.length > 20);
      const all = outputs.join("\n");
      for (const s of secrets) assert.ok(!all.includes(s), "a secret leaked into an output");
    });
  });
}
