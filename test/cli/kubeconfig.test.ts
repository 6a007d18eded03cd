/**
 * One kubeconfig loader for every command that talks to a cluster (issue 8): `--kubeconfig`,
 * else the `KUBECONFIG` list merged as kubectl merges it, else `~/.kube/config`, else in-cluster;
 * `--context` on seal, keys and controller; clear lines when nothing is configured or a context
 * does not exist.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { generateAgeIdentity, type AgeKeyPair } from "../../src/crypto/age-keys.js";
import { sendRequest } from "../../src/seal/http-request.js";
import { startKubeServer, type KubeTestServer } from "../harness/kube/index.js";
import { goGeneratedKey, keySecret } from "../support/openssl-keys.js";
import { runCli } from "../support/run-cli.js";

const SECRET = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\nstringData: {password: CANARY-kubeconfig-5c1}\n";

describe("kubeconfig for every command", { timeout: 600_000 }, () => {
  let dir = "";
  let kube: KubeTestServer;
  let holder: AgeKeyPair;
  /** A KUBECONFIG list as kubectl merges it: a missing file, one with only a context, the real one. */
  let mergedList = "";

  async function create(path: string, obj: unknown): Promise<void> {
    const answer = await sendRequest(
      new URL(kube.url + path),
      { method: "POST", ca: kube.caPem, headers: { Authorization: `Bearer ${kube.adminToken}`, "Content-Type": "application/json" } },
      JSON.stringify(obj),
      10_000,
    );
    assert.equal(answer.status, 201, answer.body.toString());
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "sb-kubeconfig-cli-"));
    holder = await generateAgeIdentity();
    kube = await startKubeServer();
    await create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "sealbridge" } });
    await create("/api/v1/namespaces/sealbridge/secrets", keySecret("sealed-secrets-keyabcde", goGeneratedKey()));
    const real = join(dir, "real.yaml");
    await kube.writeKubeconfig(real);
    const realConfig = parse(await readFile(real, "utf8")) as { contexts: Array<{ name: string; context: { cluster: string; user: string } }> };
    const ctx = realConfig.contexts[0];
    assert.ok(ctx);
    // The first file only sets current-context and an alias context onto the second file's cluster.
    await writeFile(join(dir, "first.yaml"), `apiVersion: v1\nkind: Config\ncontexts: [{name: alias, context: {cluster: ${ctx.context.cluster}, user: ${ctx.context.user}}}]\ncurrent-context: alias\n`);
    await writeFile(join(dir, "id.txt"), `${holder.identity}\n`);
    mergedList = [join(dir, "missing.yaml"), join(dir, "first.yaml"), real].join(":");
  });
  after(async () => {
    await kube?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test("keys backup honours a KUBECONFIG list (merged, missing files skipped) without --kubeconfig", async () => {
    const result = await runCli(["keys", "backup", "--recipient", holder.recipient], { cwd: dir, env: { KUBECONFIG: mergedList } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /kind: ConfigMap/);
    assert.doesNotMatch(result.stdout, /BEGIN RSA PRIVATE KEY/, "the keys are age-encrypted");
    // -o onto a directory is refused before the cluster is asked, and leaves no temp file.
    await mkdir(join(dir, "out-dir"));
    const before = (await readdir(dir)).sort();
    const refused = await runCli(["keys", "backup", "--recipient", holder.recipient, "-o", join(dir, "out-dir")], { cwd: dir, env: { KUBECONFIG: mergedList } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error: cannot write: .*out-dir is a directory \(give a file name\)\n$/);
    assert.deepEqual((await readdir(dir)).sort(), before);
  });

  test("keys backup|restore and seal take --context; an unknown context is named with the ones that exist", async () => {
    const ok = await runCli(["keys", "backup", "--recipient", holder.recipient, "--context", "alias", "-o", join(dir, "backup.yaml")], { cwd: dir, env: { KUBECONFIG: mergedList } });
    assert.equal(ok.code, 0, ok.stderr);
    const runs = [
      await runCli(["keys", "backup", "--recipient", holder.recipient, "--context", "nosuch"], { cwd: dir, env: { KUBECONFIG: mergedList } }),
      await runCli(["keys", "restore", "-i", join(dir, "id.txt"), "--context", "nosuch", join(dir, "backup.yaml")], { cwd: dir, env: { KUBECONFIG: mergedList } }),
      await runCli(["seal", "--context", "nosuch"], { cwd: dir, input: SECRET, env: { KUBECONFIG: mergedList } }),
    ];
    for (const result of runs) {
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /^error: context "nosuch" is not in the kubeconfig: KUBECONFIG=\S+ \(contexts in it: alias, \S+; pass one of them to --context\)\n$/);
    }
  });

  test("controller takes --context and the KUBECONFIG list; an unknown context exits at once naming it", async () => {
    const result = await runCli(["controller", "--context", "nosuch", "--http-addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0"], { cwd: dir, env: { KUBECONFIG: mergedList } });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: context "nosuch" is not in the kubeconfig: KUBECONFIG=\S+ \(contexts in it: alias, /m);
  });

  test("seal --age --recipient with no kubeconfig at all says no cluster is configured and gives both offline ways", async () => {
    const result = await runCli(["seal", "--age", "--recipient", holder.recipient], { cwd: dir, input: SECRET, env: { HOME: join(dir, "empty-home") } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot fetch the cluster's age recipient: no cluster is configured \(no --kubeconfig, KUBECONFIG or ~\/\.kube\/config, and not running in a cluster; pass --kubeconfig FILE, or pass --cluster-recipient age1…, or --no-cluster-recipient to seal only to --recipient\)\n$/);
    assert.doesNotMatch(result.stderr, /localhost:8080|insecure-skip-tls-verify/);
    const offline = await runCli(["seal", "--age", "--no-cluster-recipient", "--recipient", holder.recipient], { cwd: dir, input: SECRET, env: { HOME: join(dir, "empty-home") } });
    assert.equal(offline.code, 0, offline.stderr);
  });

  test("seal without --cert and no kubeconfig: no cluster is configured, or pass --cert FILE", async () => {
    const result = await runCli(["seal"], { cwd: dir, input: SECRET, env: { HOME: join(dir, "empty-home") } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot fetch the sealing certificate: no cluster is configured \(.*, or pass --cert FILE\)\n$/);
  });
});
