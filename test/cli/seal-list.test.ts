/**
 * `seal` with a `kind: List` of Secrets, as `kubectl get secrets -o yaml` prints it: a List of
 * SealedSecrets comes out, and `-w` in place keeps the List shape.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse, stringify } from "yaml";
import type { SealedSecret } from "../../src/api/sealed-secret.js";
import { referenceDecrypt, VECTOR_CERT, vectorPrivateKey } from "../support/sealing-vectors.js";
import { runCli } from "../support/run-cli.js";

const CANARY = "CANARY-list-5c0e";

/** A Secret as the API server returns it: server fields and the last-applied copy included. */
function servedSecret(name: string, namespace: string): Record<string, unknown> {
  const data = { password: Buffer.from(`${CANARY}-${name}`).toString("base64") };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      resourceVersion: "42",
      creationTimestamp: "2026-01-01T00:00:00Z",
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ data }) },
    },
    type: "Opaque",
    data,
  };
}

const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "prod" }, data: { mode: "fast" } };
const kubectlList = (items: unknown[]) => stringify({ apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } });

function openValue(sealed: SealedSecret, label: string): string {
  return referenceDecrypt(vectorPrivateKey, label, Buffer.from(sealed.spec.encryptedData?.["password"] ?? "", "base64")).toString();
}

describe("sealbridge seal with a kind: List", () => {
  test("stdin: a List of Secrets becomes a List of SealedSecrets, each bound to its own name and namespace", async () => {
    const result = await runCli(["seal", "--cert", VECTOR_CERT, "-o", "yaml"], { input: kubectlList([servedSecret("db", "prod"), servedSecret("cache", "dev")]) });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(CANARY) && !result.stdout.includes(Buffer.from(CANARY).toString("base64").slice(0, 12)));
    const list = parse(result.stdout) as { apiVersion: string; kind: string; items: SealedSecret[] };
    assert.equal(`${list.apiVersion} ${list.kind}`, "v1 List");
    assert.deepEqual(list.items.map((item) => `${item.kind} ${item.metadata?.namespace}/${item.metadata?.name}`), ["SealedSecret prod/db", "SealedSecret dev/cache"]);
    const [db, cache] = list.items as [SealedSecret, SealedSecret];
    assert.equal(openValue(db, "prod/db"), `${CANARY}-db`);
    assert.equal(openValue(cache, "dev/cache"), `${CANARY}-cache`);
    assert.throws(() => openValue(cache, "prod/db"));
    assert.deepEqual(Object.keys(db.spec.template?.metadata ?? {}).sort(), ["name", "namespace"], "server fields and last-applied are dropped");
  });

  test("stdout: a non-Secret item is an error naming the document and item", async () => {
    const result = await runCli(["seal", "--cert", VECTOR_CERT], { input: kubectlList([servedSecret("db", "prod"), configMap]) });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'error: not a Secret: stdin, document 0, item 1 is kind "ConfigMap" (give a v1 Secret manifest)\n');
    assert.equal(result.stdout, "");
  });

  test("-w in place keeps the List: Secret items sealed, other items and documents kept", async () => {
    const head = "# keep me\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: first}\n";
    const dir = await mkdtemp(join(tmpdir(), "sb-seal-list-"));
    let text: string;
    try {
      const file = join(dir, "backup.yaml");
      await writeFile(file, `${head}---\n${kubectlList([servedSecret("db", "prod"), configMap])}`);
      const result = await runCli(["seal", "--cert", VECTOR_CERT, "-w", "-f", file]);
      assert.equal(result.code, 0, result.stderr);
      text = await readFile(file, "utf8");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.ok(text.startsWith(`${head}---\n`), text);
    assert.ok(!text.includes(CANARY));
    const list = parse(text.slice(head.length + 4)) as { kind: string; metadata: unknown; items: unknown[] };
    assert.equal(list.kind, "List");
    assert.deepEqual(list.metadata, { resourceVersion: "" });
    assert.equal(list.items.length, 2);
    assert.equal(openValue(list.items[0] as SealedSecret, "prod/db"), `${CANARY}-db`);
    assert.deepEqual(list.items[1], configMap);
  });
});
