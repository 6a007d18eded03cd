// The real kubectl applying the project's own crds/ directory to the test server, as the README's
// install step does (`kubectl apply --server-side -f crds/`: ESO's SecretStore CRDs are larger than
// the 256 KiB of annotations client-side apply's last-applied copy may take, as on a real API
// server), then custom resources of each new kind, and the
// CRD schema refusing an invalid one. Expected output: shared/reference/kubectl-requests.md §3
// (apply) and §4 (CRD then CR).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import type { KubeTestServer } from "./index.js";
import { startWithKubectl, type KubectlEnv, type ServerWithKubectl } from "./kubectl-cli.js";
import { fileURLToPath } from "node:url";

const CRDS = fileURLToPath(new URL("../../../crds/", import.meta.url));
const crdNames = readdirSync(CRDS)
  .filter((n) => n.endsWith(".yaml"))
  .map((n) => n.replace(/\.yaml$/, ""))
  .sort();
const ageSecretName = /^metadata:\n\s+name: (\S+)/m.exec(readFileSync(`${CRDS}examples/valid-agesecret.yaml`, "utf8"))?.[1];

describe("kubectl apply --server-side -f crds/", () => {
  let env: ServerWithKubectl;
  let server: KubeTestServer;
  let kubectl: KubectlEnv;
  const run = async (args: string[]) => kubectl.run(args);
  const ok = async (args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    env = await startWithKubectl();
    ({ server, kubectl } = env);
  });
  after(() => env.stop());

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#create-a-customresourcedefinition
  test("creates every CRD of the directory, applies again; each kind is served; client-side apply is refused for ESO's big ones", async () => {
    assert.ok(crdNames.length >= 5, `expected the project's CRDs, found ${crdNames.join(", ")}`);
    const client = await run(["apply", "-f", `${CRDS}secretstores.external-secrets.io.yaml`]);
    assert.equal(client.code, 1);
    assert.match(client.stderr, /CustomResourceDefinition "secretstores\.external-secrets\.io" is invalid: metadata\.annotations: Too long: may not be more than 262144 bytes/);
    const first = (await ok(["apply", "--server-side", "-f", CRDS])).trimEnd().split("\n").sort();
    assert.deepEqual(first, crdNames.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} serverside-applied`));
    const second = (await ok(["apply", "--server-side", "-f", CRDS])).trimEnd().split("\n").sort();
    assert.deepEqual(second, crdNames.map((n) => `customresourcedefinition.apiextensions.k8s.io/${n} serverside-applied`));
    for (const name of crdNames) {
      assert.equal(await ok(["wait", "--for=condition=Established", `crd/${name}`, "--timeout=10s"]), `customresourcedefinition.apiextensions.k8s.io/${name} condition met\n`);
    }
    assert.deepEqual(server.objects("customresourcedefinitions.apiextensions.k8s.io").map((o) => o.metadata.name).sort(), crdNames);
  });

  // https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
  test("the valid examples apply and read back; the CRD schema refuses a SealedSecret without encryptedData", async () => {
    for (const ns of ["my-namespace", "demo"]) await ok(["create", "namespace", ns]);
    assert.equal(await ok(["apply", "-f", `${CRDS}examples/valid-sealedsecret-strict.yaml`]), "sealedsecret.bitnami.com/my-secret created\n");
    assert.equal(await ok(["apply", "-f", `${CRDS}examples/valid-agesecret.yaml`]), `agesecret.sealbridge.io/${ageSecretName ?? "(no metadata.name in valid-agesecret.yaml)"} created\n`);
    assert.equal(await ok(["get", "sealedsecret", "my-secret", "-n", "my-namespace", "-o", "jsonpath={.spec.template.metadata.labels.app}"]), "demo");
    const bad = await run(["apply", "-f", `${CRDS}examples/crd-rejects-sealedsecret-no-encrypteddata.yaml`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SealedSecret.*"bad" is invalid: spec\.encryptedData: Required value/);
    assert.equal(server.objects("sealedsecrets.bitnami.com").filter((o) => o.metadata.name === "bad").length, 0);
  });
});
