/** Builders for doctor observations: a healthy one, and changes on top of it. */
import type { Observed, ObservedStore } from "../../src/doctor/observed.js";
import { EXPECTED_CRDS } from "../../src/doctor/expected-crds.js";

export const NOW = new Date("2026-06-01T12:00:00Z");

/** Every expected CRD, established, at the expected versions. */
export function allCrds(): Observed["crds"] {
  return { ok: true, value: EXPECTED_CRDS.map((e) => ({ name: e.name, established: true, versions: e.served.map((v) => ({ name: v, served: true, storage: v === e.storage })) })) };
}

/** A store with a Ready condition. */
export function store(name: string, ready: "True" | "False" | null, message = "store validated", extra: Partial<ObservedStore> = {}): ObservedStore {
  return {
    kind: "ClusterSecretStore",
    name,
    server: "http://vault.example.test:8200",
    conditions: ready === null ? [] : [{ type: "Ready", status: ready, reason: ready === "True" ? "Valid" : "ValidationFailed", message }],
    ...extra,
  };
}

/** A healthy observation (a controller run outside the cluster: no Deployment or Pods). */
export function healthy(changes: Partial<Observed> = {}): Observed {
  return {
    now: NOW,
    target: { namespace: "sealbridge", serviceName: "sealbridge", leaseName: "sealbridge-controller" },
    kubeconfig: { ok: true, context: "test", server: "https://127.0.0.1:6443" },
    api: { ok: true, namespaceExists: true },
    crds: allCrds(),
    deployments: { ok: true, value: [] },
    pods: { ok: true, value: [] },
    lease: { ok: true, value: { holder: "sealbridge-abc", renewTime: new Date(NOW.getTime() - 3000).toISOString(), durationSeconds: 15 } },
    service: { ok: true, value: { portNames: ["http"] } },
    readyz: { answered: true, status: 200, body: "ok (leader)\n" },
    cert: { answered: false, message: "not set in this builder" },
    ageRecipient: { answered: true, status: 200, body: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n" },
    stores: { ok: true, value: [store("vault-backend", "True")] },
    vaultHealth: { "http://vault.example.test:8200": { reached: true, initialized: true, sealed: false, standby: false } },
    dnsCredentials: { ok: true, value: [] },
    certificateChecks: { ok: true, value: [] },
    tlsSecrets: { ok: true, value: [] },
    unsealers: { ok: true, value: [] },
    ...changes,
  };
}
