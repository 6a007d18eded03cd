/**
 * Demo steps 1–2: the Kubernetes API and Vault test servers (no cluster needed), the CRDs
 * applied with real kubectl, and the sealbridge controller running against them.
 */
import { join } from "node:path";
import { startTestEnv } from "../../test/harness/testenv.js";
import { ControllerProcess } from "./controller-process.js";
import type { DemoSession } from "./session.js";

/** Starts the servers and applies the CRDs. */
export async function startServers(demo: DemoSession): Promise<void> {
  demo.say("Start a Kubernetes API server and a Vault server (the test servers; no cluster needed)");
  demo.env = await startTestEnv({ dir: demo.dir });
  demo.onStop(() => demo.env.stop());
  await demo.env.kube.writeKubeconfig(demo.kubeconfig);
  await demo.kubectl(["create", "namespace", "sealbridge"]);
  await demo.kubectl(["create", "namespace", "my-app"]);
  await demo.kubectl(["apply", "--server-side", "-f", join(demo.root, "crds")]);
  const crds = (await demo.kubectl(["get", "crd", "-o", "name"], { show: false })).stdout;
  const want = ["sealedsecrets.bitnami.com", "agesecrets.sealbridge.io", "externalsecrets.external-secrets.io", "certificatechecks.sealbridge.io", "acmecertificates.sealbridge.io"];
  demo.check(want.every((name) => crds.includes(name)), `CRDs installed with kubectl (${want.length} of them checked by name)`);
  demo.keepNotes.push(`export KUBECONFIG='${demo.kubeconfig}'`, `export VAULT_ADDR=${demo.env.vault.addr} VAULT_TOKEN=${demo.env.vault.rootToken ?? ""}   # the dev-mode Vault of the ExternalSecret`);
}

/** Starts the controller behind its Service and waits for its sealing key. */
export async function startController(demo: DemoSession): Promise<ControllerProcess> {
  demo.say("Run the sealbridge controller");
  const controller = await ControllerProcess.create(demo);
  demo.onStop(() => controller.stop());
  await demo.kubectl(["apply", "-f", "-"], {
    input: JSON.stringify({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "sealbridge", namespace: "sealbridge" },
      spec: { ports: [{ name: "http", port: 8080, targetPort: 8080 }], selector: { app: "sealbridge" } },
    }),
  });
  demo.env.kube.setServiceBackend("sealbridge", "sealbridge", controller.url);
  demo.shown(controller.commandLine);
  await controller.start();
  demo.ok("controller ready (/readyz 200)");
  const activeKey = (o: { metadata: { labels?: Record<string, string> } }) => o.metadata.labels?.["sealedsecrets.bitnami.com/sealed-secrets-key"] === "active";
  await demo.eventually(() => demo.env.kube.objects("secrets", "sealbridge").some(activeKey), "the sealing key Secret");
  const keys = (await demo.kubectl(["get", "secrets", "-n", "sealbridge", "-l", "sealedsecrets.bitnami.com/sealed-secrets-key=active", "-o", "name"], { show: false })).stdout;
  demo.check(keys.trim() !== "", "the controller created its RSA-4096 sealing key Secret (label sealedsecrets.bitnami.com/sealed-secrets-key=active)");
  demo.keepNotes.push(`curl ${controller.url}/v1/cert.pem   # the controller's sealing certificate`);
  return controller;
}
