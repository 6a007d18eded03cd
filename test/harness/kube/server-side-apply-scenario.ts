/**
 * The server-side apply scenario with real kubectl, run against the test server
 * (server-side-apply.test.ts) and the real API server (server-side-apply.real.test.ts): where they
 * disagree the test server is wrong.
 */
import { test } from "node:test";
import assert from "node:assert/strict";

/** Runs kubectl against the server under test. */
export type Kubectl = (args: string[], stdin?: string) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** Registers the scenario's tests (in order; they build on each other) in the current describe. */
export function serverSideApplyScenario(kubectl: () => Kubectl): void {
  const kc = (args: string[], stdin?: string) => kubectl()(args, stdin);
  const cm = (data: Record<string, string>, labels: Record<string, string> = {}) =>
    JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", ...(Object.keys(labels).length > 0 ? { labels } : {}) }, data });

  async function getCm(): Promise<{ data?: Record<string, string>; metadata: { resourceVersion: string; managedFields?: Array<{ manager: string; operation: string; fieldsV1: unknown }> } }> {
    const r = await kc(["get", "configmap", "settings", "-o", "json", "--show-managed-fields"]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as never;
  }

  test("apply creates with an Apply entry for the manager; a second identical apply writes nothing", async () => {
    const r = await kc(["apply", "--server-side", "--field-manager=alice", "-f", "-"], cm({ a: "1", b: "2" }, { team: "x" }));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/settings serverside-applied/);
    const first = await getCm();
    const entry = first.metadata.managedFields?.find((e) => e.manager === "alice");
    assert.equal(entry?.operation, "Apply");
    assert.deepEqual(entry?.fieldsV1, { "f:data": { "f:a": {}, "f:b": {} }, "f:metadata": { "f:labels": { "f:team": {} } } });
    assert.equal((await kc(["apply", "--server-side", "--field-manager=alice", "-f", "-"], cm({ a: "1", b: "2" }, { team: "x" }))).code, 0);
    assert.equal((await getCm()).metadata.resourceVersion, first.metadata.resourceVersion);
  });

  test("equal values are co-owned; a different value is a conflict naming the owner and field; --force-conflicts takes it", async () => {
    assert.equal((await kc(["apply", "--server-side", "--field-manager=bob", "-f", "-"], cm({ a: "1" }))).code, 0, "same value: no conflict");
    const c = await kc(["apply", "--server-side", "--field-manager=bob", "-f", "-"], cm({ a: "9" }));
    assert.equal(c.code, 1);
    assert.match(c.stderr, /Apply failed with 1 conflict: conflict with "alice": \.data\.a/);
    const forced = await kc(["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], cm({ a: "9" }));
    assert.equal(forced.code, 0, forced.stderr);
    const now = await getCm();
    assert.equal(now.data?.["a"], "9");
    const alice = now.metadata.managedFields?.find((e) => e.manager === "alice");
    assert.deepEqual(alice?.fieldsV1, { "f:data": { "f:b": {} }, "f:metadata": { "f:labels": { "f:team": {} } } }, "alice lost .data.a");
  });

  test("a field dropped from a manager's configuration is removed unless another manager owns it", async () => {
    assert.equal((await kc(["apply", "--server-side", "--field-manager=alice", "-f", "-"], cm({}, { team: "x" }))).code, 0);
    const now = await getCm();
    assert.equal(now.data?.["b"], undefined, "b was only alice's");
    assert.equal(now.data?.["a"], "9", "a is bob's");
  });

  test("a non-apply write moves the changed fields to its manager's Update entry, and conflicts with the applier", async () => {
    assert.equal((await kc(["patch", "configmap", "settings", "--type", "merge", "-p", '{"metadata":{"labels":{"team":"y"}}}']).then((r) => r.code)), 0);
    const patched = await getCm();
    const upd = patched.metadata.managedFields?.find((e) => e.manager === "kubectl-patch");
    assert.equal(upd?.operation, "Update");
    assert.deepEqual(upd?.fieldsV1, { "f:metadata": { "f:labels": { "f:team": {} } } });
    const c = await kc(["apply", "--server-side", "--field-manager=alice", "-f", "-"], cm({}, { team: "x" }));
    assert.match(c.stderr, /conflict with "kubectl-patch" using v1: \.metadata\.labels\.team/);
  });

  test("an object made by kubectl create is owned by kubectl-create (an Update entry)", async () => {
    assert.equal((await kc(["create", "configmap", "old", "--from-literal=k=v"])).code, 0);
    const c = await kc(["apply", "--server-side", "--field-manager=carol", "-f", "-"], "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old, namespace: default}\ndata: {k: w}\n");
    assert.match(c.stderr, /Apply failed with 1 conflict: conflict with "kubectl-create" using v1: \.data\.k/);
  });

}
