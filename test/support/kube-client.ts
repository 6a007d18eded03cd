/** An in-process HttpKubeClient for the Kubernetes test server (admin token). */
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";
import { HttpKubeClient } from "../../src/kube/client.js";
import { connectionFromKubeConfig } from "../../src/kube/config.js";
import { KubeConfig } from "@kubernetes/client-node";
import type { KubeClient, KubeObject, ResourceRef } from "../../src/kube/types.js";
import type { KubeTestServer } from "../harness/kube/index.js";

/** The CRD resource, for installing fixture CRDs. */
export const CRD_RESOURCE: ResourceRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false };

/** A client for `server` and a function that closes its sockets. */
export async function testKubeClient(server: KubeTestServer): Promise<{ kube: KubeClient; close(): void }> {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const connection = await connectionFromKubeConfig(kc);
  return { kube: new HttpKubeClient(connection, { userAgent: "sealbridge-test" }), close: () => connection.agent.destroy() };
}

/** Creates the CRD in a YAML file (a URL) on the server. */
export async function installCrd(kube: KubeClient, file: URL): Promise<void> {
  await kube.create(CRD_RESOURCE, parseYaml(readFileSync(file, "utf8")) as KubeObject);
}
