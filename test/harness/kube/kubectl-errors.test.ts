// How the real kubectl renders the test server's errors; every expected line is the one
// recorded against kubectl 1.32 in shared/reference/kubectl-requests.md §6 (NotFound,
// AlreadyExists, Conflict, Forbidden, Unauthorized), §3.1 (strict field validation, Warn),
// §0.6 (missing namespace), plus a ServiceAccount token from `kubectl create token` (§0.4).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeTestServer } from "./index.js";
import { startWithKubectl, type KubectlEnv, type ServerWithKubectl } from "./kubectl-cli.js";

const SEED = `
apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: v1
kind: Secret
metadata: {name: s1, namespace: demo}
stringData: {a: b}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa1, namespace: demo}
`;

describe("kubectl renders the test server's errors as against a real apiserver", () => {
  let server: KubeTestServer;
  let kubectl: KubectlEnv;

  const fails = async (args: string[], opts: { kubeconfig?: string } = {}): Promise<string> => {
    const r = await kubectl.run(args, opts);
    assert.equal(r.code, 1, `kubectl ${args.join(" ")} should fail; stdout: ${r.stdout}`);
    return r.stderr.trim();
  };

  let env: ServerWithKubectl;
  before(async () => {
    env = await startWithKubectl(SEED);
    ({ server, kubectl } = env);
  });
  after(() => env.stop());

  // https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#http-status-codes
  test("NotFound on get, delete and patch; a missing namespace is reported instead (§6, §0.6)", async () => {
    assert.equal(await fails(["get", "secret", "nosuch", "-n", "demo"]), 'Error from server (NotFound): secrets "nosuch" not found');
    assert.equal(await fails(["delete", "secret", "nosuch", "-n", "demo"]), 'Error from server (NotFound): secrets "nosuch" not found');
    assert.equal(await fails(["patch", "secret", "nosuch", "-n", "demo", "-p", "{}"]), 'Error from server (NotFound): secrets "nosuch" not found');
    assert.equal(await fails(["get", "secret", "s1", "-n", "nons"]), 'Error from server (NotFound): namespaces "nons" not found');
    assert.equal(await fails(["create", "secret", "generic", "x", "-n", "nons", "--from-literal=a=b"]), 'error: failed to create secret namespaces "nons" not found');
    const file = await kubectl.file("nons.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: nons}\n");
    assert.equal(await fails(["apply", "-f", file]), 'Error from server (NotFound): error when creating "nons.yaml": namespaces "nons" not found');
  });

  // https://github.com/kubernetes/community/blob/master/contributors/devel/sig-architecture/api-conventions.md#http-status-codes
  test("AlreadyExists from create -f and from each typed generator (§6)", async () => {
    const file = await kubectl.file("s1.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: demo}\n");
    assert.equal(await fails(["create", "-f", file]), 'Error from server (AlreadyExists): error when creating "s1.yaml": secrets "s1" already exists');
    assert.equal(await fails(["create", "secret", "generic", "s1", "-n", "demo", "--from-literal=a=b"]), 'error: failed to create secret secrets "s1" already exists');
    assert.equal(await fails(["create", "namespace", "demo"]), 'Error from server (AlreadyExists): namespaces "demo" already exists');
    assert.equal(await fails(["create", "serviceaccount", "sa1", "-n", "demo"]), 'error: failed to create serviceaccount: serviceaccounts "sa1" already exists');
    assert.equal(
      await fails(["create", "clusterrole", "cluster-admin", "--verb=get", "--resource=secrets"]),
      'Error from server (AlreadyExists): clusterroles.rbac.authorization.k8s.io "cluster-admin" already exists',
    );
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions
  test("Conflict when replacing with a stale resourceVersion (§6)", async () => {
    const live = await kubectl.run(["get", "secret", "s1", "-n", "demo", "-o", "yaml"]);
    const file = await kubectl.file("stale.yaml", live.stdout);
    const labelled = await kubectl.run(["label", "secret", "s1", "-n", "demo", "bump=1"]);
    assert.equal(labelled.code, 0, labelled.stderr);
    assert.equal(
      await fails(["replace", "-f", file]),
      'Error from server (Conflict): error when replacing "stale.yaml": Operation cannot be fulfilled on secrets "s1": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  // https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation
  test("unknown fields: Strict rejects with BadRequest, --validate=warn prints the Warning header (§3.1)", async () => {
    const file = await kubectl.file("bad.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: bad, namespace: demo}\nfoo: bar\n");
    assert.equal(
      await fails(["apply", "-f", file]),
      'Error from server (BadRequest): error when creating "bad.yaml": Secret in version "v1" cannot be handled as a Secret: strict decoding error: unknown field "foo"',
    );
    assert.equal(server.objects("secrets", "demo").some((o) => o.metadata.name === "bad"), false);
    const warned = await kubectl.run(["apply", "-f", file, "--validate=warn"]);
    assert.equal(warned.code, 0, warned.stderr);
    assert.equal(warned.stderr.trim(), 'Warning: unknown field "foo"');
    assert.equal(warned.stdout, "secret/bad created\n");
  });

  // https://github.com/kubernetes/kubectl/blob/master/pkg/cmd/util/helpers.go
  test("Invalid (422): kubectl rebuilds 'The <Kind> \"<name>\" is invalid: <field>: <message>' from the causes (§6)", async () => {
    const file = await kubectl.file("invalid.yaml", 'apiVersion: v1\nkind: Secret\nmetadata: {name: inv, namespace: demo}\nstringData: {"a b": x}\n');
    assert.equal(
      await fails(["apply", "-f", file]),
      `The Secret "inv" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });

  // https://kubernetes.io/docs/reference/access-authn-authz/rbac/ and https://kubernetes.io/docs/reference/access-authn-authz/authentication/
  test("Forbidden for a ServiceAccount token until a Role grants it; Unauthorized for a bad token (§6)", async () => {
    const token = await kubectl.run(["create", "token", "sa1", "-n", "demo", "--duration=10m"]);
    assert.equal(token.code, 0, token.stderr);
    const sa = await kubectl.kubeconfigFor(token.stdout.trim(), "sa1");
    assert.equal(
      await fails(["get", "secrets", "-n", "demo"], { kubeconfig: sa }),
      'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:demo:sa1" cannot list resource "secrets" in API group "" in the namespace "demo"',
    );
    assert.equal(
      await fails(["get", "secret", "s1", "-n", "demo"], { kubeconfig: sa }),
      'Error from server (Forbidden): secrets "s1" is forbidden: User "system:serviceaccount:demo:sa1" cannot get resource "secrets" in API group "" in the namespace "demo"',
    );
    for (const args of [
      ["create", "role", "secret-reader", "-n", "demo", "--verb=get,list", "--resource=secrets"],
      ["create", "rolebinding", "secret-reader", "-n", "demo", "--role=secret-reader", "--serviceaccount=demo:sa1"],
    ]) {
      const r = await kubectl.run(args);
      assert.equal(r.code, 0, r.stderr);
    }
    const allowed = await kubectl.run(["get", "secrets", "-n", "demo", "-o", "name"], { kubeconfig: sa });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^secret\/s1$/m);
    assert.equal(
      await fails(["delete", "secret", "s1", "-n", "demo"], { kubeconfig: sa }),
      'Error from server (Forbidden): secrets "s1" is forbidden: User "system:serviceaccount:demo:sa1" cannot delete resource "secrets" in API group "" in the namespace "demo"',
    );

    const wrong = await kubectl.kubeconfigFor("not-a-valid-token", "wrong");
    assert.equal(await fails(["get", "secrets", "-n", "demo"], { kubeconfig: wrong }), "error: You must be logged in to the server (Unauthorized)");
  });

  // https://kubernetes.io/docs/concepts/security/secrets-good-practices/
  test("error output never carries secret values", async () => {
    const file = await kubectl.file("canary.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: demo}\nstringData: {a: CANARY-7f3a}\nfoo: bar\n");
    const r = await kubectl.run(["create", "-f", file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.includes("CANARY-7f3a"), false, r.stderr);
  });
});
