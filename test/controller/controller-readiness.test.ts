/**
 * Readiness of a running `sealbridge controller` as issue 8 asks for it:
 * - /readyz is 200 only once every endpoint the pod serves can answer (the sealing key and the
 *   age identity loaded), never while /v1/cert.pem still answers 503;
 * - with only the sealing CRDs installed (as the README's controller chapter does) it becomes
 *   ready; the kinds whose CRDs are absent are logged and counted, and start once installed;
 * - API server failures (500, 503, 429 with Retry-After) while it starts do not end it: it
 *   retries, answers /readyz 503 meanwhile, and becomes ready once the API answers.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startController, waitFor } from "../support/controller-process.js";
import type { ControllerProcess } from "../support/controller-process.js";
import { applyCrds, clusterFixture, sampleOf, scrapeMetrics } from "./support/controller-fixtures.js";
import type { ClusterFixture } from "./support/controller-fixtures.js";

const SEALING_CRDS = ["sealedsecrets.bitnami.com.yaml", "agesecrets.sealbridge.io.yaml"];
// What the default reconcilers watch beyond the sealing kinds, in the order they are reported.
const ABSENT = [
  "externalsecrets.external-secrets.io",
  "secretstores.external-secrets.io",
  "clustersecretstores.external-secrets.io",
  "certificatechecks.sealbridge.io",
  "acmecertificates.sealbridge.io",
  "dnscredentials.sealbridge.io",
];
const OTHER_CRDS = ABSENT.map((r) => `${r}.yaml`);

async function get(controller: ControllerProcess, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${controller.port}${path}`);
  return { status: res.status, body: await res.text() };
}

function logLines(controller: ControllerProcess): Array<Record<string, unknown>> {
  return controller
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

describe("controller readiness (issue 8)", { timeout: 180_000 }, () => {
  let f: ClusterFixture;
  let controller: ControllerProcess | undefined;
  before(async () => {
    f = await clusterFixture({ namespaces: ["sealbridge"], crds: SEALING_CRDS });
  });
  after(async () => {
    await controller?.stop();
    await f?.close();
  });

  test("only the sealing CRDs: ready once the keys are loaded (never before /v1/cert.pem answers); absent kinds reported, started when installed", async () => {
    controller = await startController(f.ws, ["--namespace", "sealbridge", "--key-renew-period", "0"]);
    const c = controller;
    const reasons = new Set<string>();
    await waitFor(
      "/readyz 200",
      async () => {
        const ready = await get(c, "/readyz");
        if (ready.status !== 200) {
          reasons.add(ready.body.trim());
          return false;
        }
        // Ready means every endpoint answers: checked right after each 200.
        assert.equal((await get(c, "/v1/cert.pem")).status, 200, "/readyz was 200 while /v1/cert.pem was not");
        assert.equal((await get(c, "/v1/age-recipient")).status, 200, "/readyz was 200 while /v1/age-recipient was not");
        return ready.body;
      },
      120_000,
    ).then((body) => {
      assert.equal(body, `ok; not installed: ${ABSENT.join(", ")}\n`);
    });
    assert.ok([...reasons].every((r) => !r.startsWith("ok")), [...reasons].join(" | "));

    const warned = logLines(c).filter((l) => typeof l.msg === "string" && l.msg.startsWith("CRD not installed: "));
    assert.deepEqual(warned.map((l) => l.resource).sort(), [...ABSENT].sort());
    assert.ok(warned.some((l) => String(l.msg).includes("externalsecret waits for it")), JSON.stringify(warned));
    let metrics = await scrapeMetrics(c);
    assert.equal(sampleOf(metrics, "sealbridge_resource_installed", { resource: "externalsecrets.external-secrets.io" }), 0);
    assert.equal(sampleOf(metrics, "sealbridge_resource_installed", { resource: "sealedsecrets.bitnami.com" }), 1);

    // Installing the missing CRDs starts their kinds; nothing is reported missing any more.
    await applyCrds(f.ws, OTHER_CRDS);
    await waitFor("the other kinds served", async () => (await get(c, "/readyz")).body === "ok\n", 30_000);
    metrics = await scrapeMetrics(c);
    assert.equal(sampleOf(metrics, "sealbridge_resource_installed", { resource: "externalsecrets.external-secrets.io" }), 1);
    await c.stop();
    controller = undefined;
  });

  test("500, 503 and 429 (Retry-After) from the API server while starting: it retries, /readyz 503 meanwhile, then ready", async () => {
    const keyList = /\/api\/v1\/namespaces\/sealbridge\/secrets\?/;
    for (const status of [500, 503, 429]) f.server.faults.failRate(keyList, status, { count: 3, method: "GET" });
    const injected = (): number => f.server.counters.log().filter((r) => r.method === "GET" && keyList.test(r.path) && [500, 503, 429].includes(r.status)).length;
    f.server.counters.reset();
    try {
      controller = await startController(f.ws, ["--namespace", "sealbridge", "--key-renew-period", "0", "--reconcilers", "sealedsecret,agesecret"]);
      const c = controller;
      while (injected() < 9) {
        assert.equal(c.child.exitCode, null, `the controller exited:\n${c.output()}`);
        const ready = await get(c, "/readyz");
        assert.equal(ready.status, 503, `ready while the API server still fails (${ready.body})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await waitFor("/readyz 200 after the failures", async () => (await get(c, "/readyz")).status === 200, 60_000);
      assert.equal(c.child.exitCode, null);
      assert.doesNotMatch(c.output(), /controller failed to start/);
      assert.ok(logLines(c).some((l) => l.msg === "loading sealing keys failed; retrying" || l.msg === "list failed; retrying"), c.output());
      assert.equal((await get(c, "/readyz")).body, "ok\n", "the selected kinds only: nothing reported missing");
    } finally {
      f.server.faults.clear();
    }
  });
});
