import { test } from "node:test";
import assert from "node:assert/strict";
import { crdSummary, deploymentSummary, leaseSummary, podSummary, storeSummary, tlsSecretInput, unsealerSummary } from "../../src/doctor/object-summaries.js";

const CANARY = "CANARY-summaries";

test("summaries keep names, counts, conditions and public certificates only", () => {
  assert.deepEqual(
    crdSummary({ metadata: { name: "agesecrets.sealbridge.io" }, spec: { versions: [{ name: "v1alpha1", served: true, storage: true }] }, status: { conditions: [{ type: "Established", status: "True" }] } }),
    { name: "agesecrets.sealbridge.io", established: true, versions: [{ name: "v1alpha1", served: true, storage: true }] },
  );
  // A CRD just created on a real kube-apiserver: conditions is null until it is established.
  assert.deepEqual(
    crdSummary({ metadata: { name: "agesecrets.sealbridge.io" }, spec: { versions: [{ name: "v1alpha1", served: true, storage: true }] }, status: { conditions: null, acceptedNames: { kind: "", plural: "" }, storedVersions: ["v1alpha1"] } }),
    { name: "agesecrets.sealbridge.io", established: false, versions: [{ name: "v1alpha1", served: true, storage: true }] },
  );
  assert.equal(podSummary({ metadata: { name: "p" }, status: { phase: "Pending", conditions: null } }).ready, false);
  assert.deepEqual(
    deploymentSummary({ metadata: { name: "sealbridge" }, spec: { replicas: 2, template: { spec: { containers: [{ command: ["sealbridge"], args: ["controller", "--leader-elect"], env: [{ name: "X", value: CANARY }] }] } } }, status: { readyReplicas: 1 } }),
    { name: "sealbridge", replicas: 2, readyReplicas: 1, args: ["sealbridge", "controller", "--leader-elect"] },
  );
  assert.deepEqual(
    podSummary({ metadata: { name: "p" }, status: { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: [{ restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } } }] } }),
    { name: "p", phase: "Running", ready: false, restarts: 4, waitingReason: "CrashLoopBackOff" },
  );
  assert.deepEqual(leaseSummary({ metadata: { name: "l" }, spec: { holderIdentity: null, renewTime: null } }), { holder: "" });
  assert.equal(storeSummary({ metadata: { name: "s" }, spec: { provider: { vault: { server: "https://v:8200" } } } }, "SecretStore").server, "https://v:8200");
  assert.deepEqual(unsealerSummary({ metadata: { name: "u", namespace: "vault" }, status: { nodes: [{ name: "v0", reachable: true, sealed: true }] } }).nodes, [{ name: "v0", reachable: true, sealed: true }]);
});

test("a TLS Secret keeps only tls.crt (and ca.crt); a sealing key Secret is left out", () => {
  const data = { "tls.crt": Buffer.from("CERT").toString("base64"), "tls.key": Buffer.from(CANARY).toString("base64"), canary: Buffer.from(CANARY).toString("base64") };
  const input = tlsSecretInput({ kind: "Secret", metadata: { name: "www", namespace: "web" }, data });
  assert.equal(input?.pem, "CERT");
  assert.ok(!JSON.stringify(input).includes(CANARY));
  assert.equal(tlsSecretInput({ kind: "Secret", metadata: { name: "k", namespace: "sealbridge", labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } }, data }), null);
});
