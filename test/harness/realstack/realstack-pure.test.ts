/**
 * The pure parts of the real-stack tier, on Node alone: the staging-module list derived from a
 * served k8s.io/kubernetes go.mod, the component cache layout, and taking one permission out of
 * the rendered RBAC rules.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { componentBuilt, missingComponents, stagingModules } from "./build.js";
import { helmVersionMatches, kubeVersionOfGoMod } from "./build-helm.js";
import { withoutPermission } from "./controller-identity.js";
import { componentDir, REALSTACK_VERSIONS } from "./versions.js";

describe("real-stack builder", () => {
  test("staging modules: v0.0.0 requires and ./staging replaces, each once, sorted; others ignored", () => {
    const goMod = [
      "module k8s.io/kubernetes",
      "go 1.26.0",
      "require (",
      "\tgithub.com/spf13/cobra v1.10.2",
      "\tk8s.io/api v0.0.0",
      "\tk8s.io/apiserver v0.0.0 // indirect",
      "\tk8s.io/klog/v2 v2.130.1",
      "\tk8s.io/utils v0.0.0-20260101000000-abcdef123456",
      ")",
      "replace (",
      "\tk8s.io/api => ./staging/src/k8s.io/api",
      "\tk8s.io/cri-streaming => ./staging/src/k8s.io/cri-streaming",
      ")",
      "replace k8s.io/streaming => ./staging/src/k8s.io/streaming",
    ].join("\n");
    assert.deepEqual(stagingModules(goMod), ["k8s.io/api", "k8s.io/apiserver", "k8s.io/cri-streaming", "k8s.io/streaming"]);
  });

  test("a component counts as built only with every program (and the virtualenv's completion mark)", () => {
    const root = mkdtempSync(join(tmpdir(), "sb-rs-cache-"));
    const env = { SEALBRIDGE_REALSTACK_CACHE: root };
    try {
      assert.deepEqual(missingComponents(env), ["kubernetes", "etcd", "openbao", "alertmanager", "helm"]);
      mkdirSync(componentDir("kubernetes", env), { recursive: true });
      writeFileSync(join(componentDir("kubernetes", env), "kube-apiserver"), "");
      assert.equal(componentBuilt("kubernetes", env), false, "kube-controller-manager missing");
      writeFileSync(join(componentDir("kubernetes", env), "kube-controller-manager"), "");
      assert.equal(componentBuilt("kubernetes", env), true);
      mkdirSync(join(componentDir("openbao", env), "bin"), { recursive: true });
      writeFileSync(join(componentDir("openbao", env), "bin", "bao"), "");
      assert.equal(componentBuilt("openbao", env), false, "a virtualenv without the completion mark is half built");
      assert.match(componentDir("etcd", env), /etcd-v3\.6\.\d+$/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the helm build", () => {
  test("the pinned version, or the unstamped version of its source (a hand build), counts; others do not", () => {
    assert.equal(helmVersionMatches("v3.22.0", "v3.22.0"), true);
    assert.equal(helmVersionMatches("v3.22", "v3.22.0"), true);
    assert.equal(helmVersionMatches("v3.21.3", "v3.22.0"), false);
    assert.equal(helmVersionMatches("v3.2", "v3.22.0"), false);
    assert.equal(helmVersionMatches("", "v3.22.0"), false);
  });

  test("the Kubernetes version helm is stamped with comes from the client-go it requires", () => {
    assert.deepEqual(kubeVersionOfGoMod("module helm.sh/helm/v3\nrequire (\n\tk8s.io/api v0.37.0\n\tk8s.io/client-go v0.37.0\n)\n"), { major: "1", minor: "37" });
    assert.equal(kubeVersionOfGoMod("module x\n"), undefined);
  });

  test("a cached helm counts as built only when it runs and reports the pinned version", () => {
    const root = mkdtempSync(join(tmpdir(), "sb-rs-cache-"));
    const env = { SEALBRIDGE_REALSTACK_CACHE: root };
    try {
      const binary = join(componentDir("helm", env), "helm");
      mkdirSync(componentDir("helm", env), { recursive: true });
      writeFileSync(binary, "");
      assert.equal(componentBuilt("helm", env), false, "an empty file does not run");
      writeFileSync(binary, "#!/bin/sh\necho v3.1.0\n");
      chmodSync(binary, 0o755);
      assert.equal(componentBuilt("helm", env), false, "another version");
      writeFileSync(binary, `#!/bin/sh\necho ${REALSTACK_VERSIONS.helm}\n`);
      assert.equal(componentBuilt("helm", env), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("taking a permission away", () => {
  const rules = [
    { apiGroups: [""], resources: ["secrets"], verbs: ["get", "create", "update"] },
    { apiGroups: ["external-secrets.io"], resources: ["externalsecrets/finalizers"], verbs: ["update"] },
    { apiGroups: ["external-secrets.io"], resources: ["externalsecrets/status", "secretstores/status"], verbs: ["patch"] },
  ];
  test("removes one verb, one resource of a rule, or a whole rule; leaves the rest", () => {
    assert.deepEqual(withoutPermission(rules, { apiGroup: "", resource: "secrets", verb: "update" })[0], { apiGroups: [""], resources: ["secrets"], verbs: ["get", "create"] });
    assert.equal(withoutPermission(rules, { apiGroup: "external-secrets.io", resource: "externalsecrets/finalizers", verb: "update" }).length, 2);
    const split = withoutPermission(rules, { apiGroup: "external-secrets.io", resource: "externalsecrets/status", verb: "patch" });
    assert.deepEqual(split[2], { apiGroups: ["external-secrets.io"], resources: ["secretstores/status"], verbs: ["patch"] });
    assert.deepEqual(withoutPermission(rules, { apiGroup: "apps", resource: "deployments", verb: "patch" }), rules);
  });
});
