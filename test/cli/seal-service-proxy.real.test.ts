/**
 * The kubeseal path on a real API server: `sealbridge seal` without `--cert` fetches the sealing
 * certificate through the apiserver's service proxy (`services/http:sealbridge:http/proxy`), and
 * `--validate` posts through it. The apiserver refuses loopback Endpoints, so the controller runs
 * inside a network namespace this test creates (veth pair; the only address traffic goes to is
 * the one inside that namespace), reaching the apiserver through a Unix-socket bridge; the
 * Service has a Pod, Endpoints and an EndpointSlice pointing at that address, as in a cluster.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";
import { installControllerIdentity } from "../harness/realstack/controller-identity.js";
import { createNetNs } from "../harness/realstack/netns.js";
import type { NetNs } from "../harness/realstack/netns.js";
import { pointServiceAt } from "../harness/realstack/service-endpoints.js";
import { realFixture, until, CRDS_DIR, FIXTURES, REPO } from "../harness/realstack/real-fixture.js";
import type { RealFixture } from "../harness/realstack/real-fixture.js";
import { run } from "../support/controller-process.js";
import { waitEstablished } from "../support/crd-wait.js";

const NS = "sealbridge";
const CANARY = `CANARY-${randomBytes(6).toString("hex")}`;
const CLI = join(REPO, "test", "support", "cli.ts");
const KEY_DIR = join(FIXTURES, "sealed-secrets", "go-generated-key");

describe("sealbridge seal through the real API server's service proxy", { timeout: 300_000 }, () => {
  let f: RealFixture;
  let netns: NetNs;
  let controller: ChildProcess | undefined;
  let output = "";

  before(async () => {
    f = await realFixture();
    netns = createNetNs();
    for (const file of readdirSync(CRDS_DIR).filter((x) => x.endsWith(".yaml"))) assert.equal((await f.ws.kubectl(["apply", "--server-side", "-f", join(CRDS_DIR, file)])).code, 0);
    assert.equal((await waitEstablished((a) => f.ws.kubectl(a), ["crd", "--all"])).code, 0);
    const { token } = await installControllerIdentity(f.admin, { namespace: NS });
    await f.apply([{
      apiVersion: "v1", kind: "Secret", type: "kubernetes.io/tls",
      metadata: { name: "sealed-secrets-keyp8x1c", namespace: NS, labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" } },
      data: { "tls.crt": readFileSync(join(KEY_DIR, "tls.crt")).toString("base64"), "tls.key": readFileSync(join(KEY_DIR, "tls.key")).toString("base64") },
    }]);
    await f.admin.ensure("/api/v1/namespaces", { metadata: { name: "prod" } });

    // The controller inside the namespace; the apiserver's port bridged in on the same number.
    const kasPort = Number(new URL(f.stack.kube.url).port);
    await netns.exposeHostPort(kasPort, f.stack.dir);
    const ctl = f.workspaceFor(token);
    controller = spawn(netns.exec[0] ?? "ip", [
      ...netns.exec.slice(1), process.execPath, "--import", "tsx", CLI, "controller", "--kubeconfig", ctl.kubeconfig, "--namespace", NS,
      "--http-addr", `${netns.address}:8080`, "--metrics-addr", `${netns.address}:8081`, "--key-renew-period", "0",
    ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KUBECONFIG: "" } });
    controller.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    controller.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await until("the controller's http server in the namespace", () => output.includes('"http server listening"') && output.includes('"sealing keys loaded"'), 120_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });

    // A selector-less Service, and a Pod (status patched to the namespace address), Endpoints and an EndpointSlice.
    await f.admin.must("POST", `/api/v1/namespaces/${NS}/services`, { metadata: { name: "sealbridge" }, spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }] } });
    await pointServiceAt(f.admin, NS, "sealbridge", netns.address, 8080);
  });

  after(async () => {
    if (controller && controller.exitCode === null) {
      controller.kill("SIGTERM");
      await new Promise((r) => controller?.once("exit", r));
    }
    await netns?.remove();
    await f?.close();
  });

  test("the apiserver refuses a loopback Endpoints address (why the namespace is needed)", async () => {
    const res = await f.admin.send("POST", `/api/v1/namespaces/${NS}/endpoints`, { metadata: { name: "loopback" }, subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ port: 8080 }] }] });
    assert.equal(res.status, 422, res.text);
    assert.match(res.text, /loopback/);
  });

  test("the service proxy reaches the controller; seal --fetch-cert returns its certificate", async () => {
    const health = await until("proxy to /healthz", async () => {
      const r = await f.admin.send("GET", `/api/v1/namespaces/${NS}/services/http:sealbridge:http/proxy/healthz`);
      return r.status === 200 ? r : undefined;
    }, 30_000);
    assert.equal(health.status, 200);
    const r = await run(process.execPath, ["--import", "tsx", CLI, "seal", "--fetch-cert", "--kubeconfig", f.stack.kubeconfigPath], { env: f.ws.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), readFileSync(join(KEY_DIR, "tls.crt"), "utf8").trim());
  });

  test("seal without --cert (certificate through the proxy) → kubectl apply → the controller makes the Secret; --validate through the proxy", async () => {
    const input = join(f.ws.dir, "secret.yaml");
    writeFileSync(input, toYaml({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "prod" }, stringData: { password: CANARY } }));
    const sealed = await run(process.execPath, ["--import", "tsx", CLI, "seal", "-f", input, "-o", "yaml"], { env: f.ws.env });
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.ok(!sealed.stdout.includes(CANARY));
    const file = join(f.ws.dir, "sealed.yaml");
    writeFileSync(file, sealed.stdout);
    const validate = await run(process.execPath, ["--import", "tsx", CLI, "seal", "--validate", "-f", file], { env: f.ws.env });
    assert.equal(validate.code, 0, validate.stderr);
    assert.equal((await f.ws.kubectl(["apply", "-f", file])).code, 0);
    await until("the Secret", async () => (await f.secretData("prod", "db"))?.["password"] === CANARY, 60_000);
    assert.ok(!output.includes(CANARY), "no value in the controller's logs");
  });
});
