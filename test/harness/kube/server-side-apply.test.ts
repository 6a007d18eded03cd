/**
 * Server-side apply on the test server, driven by real kubectl (`apply --server-side`): field
 * ownership in managedFields, co-ownership of equal values, conflicts with the real server's
 * message (409, FieldManagerConflict causes) and `--force-conflicts`, fields dropped from the
 * configuration removed, a no-op apply that writes nothing, fieldManager required. The same
 * behaviour is checked on the real API server by test/install/install.real.test.ts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startWithKubectl, type ServerWithKubectl } from "./kubectl-cli.js";
import { fromFieldsV1, ownedPaths, toFieldsV1 } from "./server-side-apply.js";
import { send } from "./test-client.js";
import { serverSideApplyScenario } from "./server-side-apply-scenario.js";

let env: ServerWithKubectl;

async function kc(args: string[], stdin?: string) {
  return env.kubectl.run(args, stdin !== undefined ? { stdin } : {});
}

describe("server-side apply (test server, real kubectl)", () => {
  before(async () => {
    env = await startWithKubectl();
  });
  after(async () => {
    await env.stop();
  });

  serverSideApplyScenario(() => kc);

  test("an apply patch without fieldManager is refused (422)", async () => {
    const t = { url: env.server.url, caPem: env.server.caPem, token: env.server.adminToken };
    const r = await send(t, "PATCH", "/api/v1/namespaces/default/configmaps/settings", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n", { "Content-Type": "application/apply-patch+yaml" });
    assert.equal(r.status, 422);
    assert.match(r.text, /fieldManager: Required value: is required for apply patch/);
  });

  test("FieldsV1 paths round-trip; identity, status and system metadata are never owned", () => {
    const paths = ownedPaths({ apiVersion: "v1", kind: "X", metadata: { name: "n", namespace: "d", uid: "u", labels: { a: "1" } }, spec: { list: [1, 2], m: { k: "v" }, e: {} }, status: { s: 1 } });
    assert.deepEqual(paths, [["metadata", "labels", "a"], ["spec", "list"], ["spec", "m", "k"], ["spec", "e"]]);
    assert.deepEqual(fromFieldsV1(toFieldsV1(paths)), paths);
    assert.deepEqual(fromFieldsV1({ "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {} } } } }), [["spec", "containers"]], "list items end a path");
  });
});
