import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDoctorOptions } from "../../src/doctor/doctor-options.js";

test("doctor flags: defaults, and each bad flag named with exit code 2", () => {
  assert.deepEqual(parseDoctorOptions({}), { output: "text", kubeconfig: undefined, context: undefined, namespace: "sealbridge", serviceName: "sealbridge", leaseName: "sealbridge-controller", vaultProbe: true, timeoutMs: 10_000 });
  assert.equal(parseDoctorOptions({ output: "json", namespace: "kube-system", serviceName: "sealed-secrets-controller", vaultProbe: false, timeout: "2s" }).timeoutMs, 2000);
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ output: "yaml" }, /-o\/--output must be text or json/],
    [{ namespace: "Bad_NS" }, /-n\/--namespace must be a namespace name/],
    [{ serviceName: "x.y" }, /--service-name must be a Service name/],
    [{ timeout: "soon" }, /--timeout/],
    [{ timeout: "0" }, /--timeout/],
  ];
  for (const [raw, message] of bad) {
    assert.throws(() => parseDoctorOptions(raw), (err: Error & { exitCode?: number }) => message.test(err.message) && err.exitCode === 2, JSON.stringify(raw));
  }
});
