/**
 * Demo step 11: a new three-node Vault (the test server, uninitialised, its pods reached through
 * the API server's pod proxy) initialised with `sealbridge vault init`, each unseal share
 * age-encrypted to its own holder (keys from the real age-keygen); unsealed by two holders;
 * restarted, so every node is sealed again; unsealed by two other holders.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startVaultServer } from "../../test/harness/vault/index.js";
import type { DemoSession } from "./session.js";

const HOLDERS = ["alice", "bob", "carol"] as const;
const PODS = ["--selector", "app.kubernetes.io/name=vault", "-n", "vault"];

interface NodeState {
  node: string;
  sealed: boolean;
}

/** Runs the step. */
export async function vaultUnseal(demo: DemoSession): Promise<void> {
  demo.say("Initialise Vault with age-encrypted unseal shares, restart it sealed, unseal it");
  const vault = await startVaultServer({ mode: "new", nodes: 3 });
  demo.onStop(() => vault.stop());
  await demo.kubectl(["create", "namespace", "vault"]);
  await demo.kubectl(["apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: vault.addrs.map((_, i) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `vault-${i}`, namespace: "vault", labels: { "app.kubernetes.io/name": "vault" } },
        spec: { containers: [{ name: "vault", image: "hashicorp/vault:1.17" }] },
      })),
    }),
  });
  vault.addrs.forEach((addr, i) => demo.env.kube.setPodBackend("vault", `vault-${i}`, addr));
  demo.note("pods vault/vault-0..2 are three nodes of a new Vault (the test server: uninitialised, sealed)");

  const recipients: string[] = [];
  for (const holder of HOLDERS) {
    await demo.run("age-keygen", ["-o", join(demo.dir, `${holder}.key`)]);
    const recipient = /# public key: (age1\S+)/.exec(readFileSync(join(demo.dir, `${holder}.key`), "utf8"))?.[1];
    if (!recipient) throw demo.fail(`age-keygen wrote no public key for ${holder}`);
    recipients.push(recipient);
  }
  writeFileSync(join(demo.dir, "holders.txt"), HOLDERS.map((h, i) => `# ${h}\n${recipients[i] ?? ""}\n`).join(""));
  demo.note("holders.txt: the age public keys of alice, bob and carol, one share each");
  const shares = join(demo.dir, "vault-shares");
  const init = await demo.sealbridge(["vault", "init", ...PODS, "--shares", "3", "--threshold", "2", "--recipients-file", join(demo.dir, "holders.txt"), "--out", shares]);
  demo.check(/initialized with 3 share\(s\), threshold 2; Vault is sealed/.test(init.stdout), "Vault initialised: 3 shares, threshold 2");

  // What init wrote must open only with each holder's own key (the real age CLI), and never be printed.
  const opened: string[] = [];
  for (const [i, holder] of HOLDERS.entries()) {
    const share = await demo.run("age", ["-d", "-i", join(demo.dir, `${holder}.key`), join(shares, `share-${i + 1}.age`)], { show: false });
    opened.push(share.stdout.trim());
  }
  const wrongKey = await demo.run("age", ["-d", "-i", join(demo.dir, "bob.key"), join(shares, "share-1.age")], { allowFail: true, show: false });
  const rootToken = (await demo.run("age", ["-d", "-i", join(demo.dir, "carol.key"), join(shares, "root-token.age")], { show: false })).stdout.trim();
  demo.secrets.push(...opened, ...opened.map((hex) => Buffer.from(hex, "hex").toString("base64")), rootToken);
  demo.check(opened.every((s) => /^[0-9a-f]{64,}$/.test(s)) && wrongKey.code !== 0, "each share-N.age opens with its holder's key only (checked with the age CLI)");
  demo.check(!opened.some((s) => init.stdout.includes(s) || init.stderr.includes(s)) && !init.stdout.includes(rootToken), "no share and no root token was printed");

  const status = async (): Promise<{ code: number; nodes: NodeState[] }> => {
    const r = await demo.sealbridge(["vault", "status", ...PODS, "-o", "json"], { allowFail: true });
    return { code: r.code, nodes: r.code === 2 ? [] : (JSON.parse(r.stdout) as { nodes: NodeState[] }).nodes };
  };
  const unseal = (holder: (typeof HOLDERS)[number]) =>
    demo.sealbridge(["vault", "unseal", "--share", join(shares, `share-${HOLDERS.indexOf(holder) + 1}.age`), "-i", join(demo.dir, `${holder}.key`), ...PODS]);

  const first = await unseal("alice");
  demo.check(first.stdout.split("\n").filter((l) => /1\/2 shares, still sealed/.test(l)).length === 3, "alice's share: 1/2 on each of the 3 nodes, still sealed");
  const second = await unseal("bob");
  demo.check(second.stdout.split("\n").filter((l) => /unsealed \(2\/2 shares\)/.test(l)).length === 3, "bob's share: every node unsealed (2/2)");
  const lookup = await fetch(`${vault.addr}/v1/auth/token/lookup-self`, { headers: { "X-Vault-Token": rootToken } });
  demo.check(lookup.status === 200, "the root token from root-token.age works (auth/token/lookup-self 200)");

  for (let i = 0; i < vault.addrs.length; i++) await vault.node(i).restart();
  demo.note("the three Vault nodes restart; a restarted Vault comes back sealed");
  const down = await status();
  demo.check(down.code === 1 && down.nodes.length === 3 && down.nodes.every((n) => n.sealed), "`sealbridge vault status` exits 1: all 3 nodes sealed");
  await unseal("bob");
  await unseal("carol");
  const again = await status();
  demo.check(again.code === 0 && again.nodes.length === 3 && again.nodes.every((n) => !n.sealed), "bob and carol unseal it again: `sealbridge vault status` exits 0, 3 nodes unsealed");
  demo.keepNotes.push("./bin/sealbridge vault status --selector app.kubernetes.io/name=vault -n vault   # the age-unsealed Vault's pods (from the repository root)");
}
