/**
 * The DnsCredential kind: parse (zod), observe (source, targets, the probe) and the pure plan;
 * observe also sends the alert transitions (credential-alert-delivery.ts); `passEnded` sets the expiry gauge;
 * `dnsCredentialFactory` registers it in the controller.
 */
import { Gauge } from "prom-client";
import { dnsCredentialResource, dnsCredentialSchema, type DnsCredential } from "../../api/dns-credential.js";
import { clusterSecretStoreResource, secretStoreResource } from "../../api/secret-store.js";
import type { StoreConnections } from "../../eso/store-connections.js";
import type { KubeObject } from "../../kube/types.js";
import { esoServicesOf } from "../external-secret/index.js";
import { systemResolvers } from "../../acme/dns/system-resolvers.js";
import { SECRETS } from "../../kube/resources.js";
import type { ControllerConfig } from "../config.js";
import type { ControllerDeps } from "../reconcilers.js";
import { kindReconciler } from "../runtime/kind-reconciler.js";
import type { Reconciler } from "../types.js";
import { credentialDeps } from "./deps.js";
import type { KindDefinition } from "../runtime/kind.js";
import type { CredentialAlerting } from "./credential-alert-delivery.js";
import { sinkTokenRef } from "../../alerts/sink-config.js";
import { observeDnsCredential, type CredentialDeps } from "./observe.js";
import { planDnsCredential, type CredentialObserved } from "./plan.js";
import { readVaultSource } from "./vault-source.js";

/** Where the kind reports beyond status: alert sinks and the expiry gauge. */
export interface CredentialReporting {
  /** The alert sinks (spec.alertSinks, else these defaults); none: alerts are only kept in status. */
  alerting?: CredentialAlerting;
  /** Sets `sealbridge_dns_credential_expiry_timestamp_seconds{namespace,name}` (undefined: no expiry known). */
  expiry?(namespace: string, name: string, expiresOn: Date | undefined): void;
}

/** The kind. */
export function dnsCredentialKind(deps: CredentialDeps, reporting: CredentialReporting = {}, connections?: StoreConnections): KindDefinition<DnsCredential, CredentialObserved> {
  // Source Secret "ns/name" (or store "Kind ns/name") → the DnsCredentials reading it (learned at parse), so a change there re-runs them.
  const readers = new Map<string, Set<string>>();
  const learn = (source: string, key: string) => readers.set(source, new Set([...(readers.get(source) ?? []), key]));
  const storeReaders = (store: KubeObject, kind: "SecretStore" | "ClusterSecretStore"): string[] => {
    const { namespace, name = "" } = store.metadata;
    // As for ExternalSecrets: a changed store gets new connections; its old generations go.
    connections?.forgetOtherGenerations(kind, namespace, name, `${store.metadata.uid ?? ""}:${store.metadata.generation ?? 0}`);
    if (kind === "SecretStore") return [...(readers.get(`SecretStore ${namespace}/${name}`) ?? [])];
    return [...(readers.get(`ClusterSecretStore ${name}`) ?? [])];
  };
  return {
    name: "dnscredential",
    resource: dnsCredentialResource,
    statusShape: "conditions",
    statusTimeFields: ["provenTime", "rotatedTime", "rejectedTime"],
    secondaryWatches: [
      {
        resource: SECRETS,
        mapToPrimary: (obj) => {
          const owner = obj.metadata.labels?.["sealbridge.io/dns-credential"];
          const at = owner?.indexOf(".") ?? -1;
          const mine = owner && at > 0 ? [`${owner.slice(0, at)}/${owner.slice(at + 1)}`] : [];
          return [...mine, ...(readers.get(`${obj.metadata.namespace}/${obj.metadata.name}`) ?? [])];
        },
      },
      // Optional: a cluster without the ESO CRDs still runs DnsCredentials with a Secret source.
      { resource: secretStoreResource, optional: true, mapToPrimary: (store) => storeReaders(store, "SecretStore") },
      { resource: clusterSecretStoreResource, optional: true, mapToPrimary: (store) => storeReaders(store, "ClusterSecretStore") },
    ],
    parse(obj) {
      const parsed = dnsCredentialSchema.safeParse(obj);
      if (parsed.success) {
        const ref = parsed.data.spec.source.secretRef;
        const ns = parsed.data.metadata.namespace ?? "default";
        const key = `${ns}/${parsed.data.metadata.name}`;
        if (ref) learn(`${ns}/${ref.name}`, key);
        const vault = parsed.data.spec.source.vault;
        for (const sink of parsed.data.spec.alertSinks ?? []) {
          const token = sinkTokenRef(sink);
          if (token) learn(`${ns}/${token.name}`, key);
        }
        if (vault) learn((vault.storeRef.kind ?? "SecretStore") === "SecretStore" ? `SecretStore ${ns}/${vault.storeRef.name}` : `ClusterSecretStore ${vault.storeRef.name}`, key);
        return { ok: true, value: parsed.data };
      }
      const issue = parsed.error.issues[0];
      return { ok: false, reason: "InvalidSpec", message: `invalid DnsCredential: ${issue?.path.join(".") || "object"} ${issue?.message ?? ""} (fix the spec)`.trim() };
    },
    observe: (ctx, cred) => observeDnsCredential(ctx, deps, cred, reporting.alerting),
    plan: (cred, observed, now) => planDnsCredential(cred, observed, now),
    planWriteFailure(_cred, observed, message) {
      // The sends of this pass happened: keep their records, nothing else (the targets were not written).
      return { writes: [], conditions: [], events: [], ...(observed.alerts ? { status: { alerts: observed.alerts } } : {}), outcome: { kind: "transient", reason: "WriteFailed", message: `writing the targets failed: ${message}; they keep the current credential` } };
    },
    passEnded(raw, plan) {
      const ns = raw.metadata.namespace ?? "";
      const name = raw.metadata.name ?? "";
      const status = plan.status;
      // A pass that ended before judging (no status fields) leaves the gauge as it was.
      if (!status || !("expiresOn" in status)) return;
      const expires = status["expiresOn"];
      reporting.expiry?.(ns, name, typeof expires === "string" ? new Date(expires) : undefined);
    },
  };
}

/**
 * The DnsCredential reconciler for `sealbridge controller`. Alerts go to each credential's
 * `spec.alertSinks`, else the cluster default sinks (`--alert-sink`), and are logged when they change; Vault sources are
 * read through the ESO Vault services this controller shares with its ExternalSecrets.
 */
export async function dnsCredentialFactory(cfg: ControllerConfig, deps: ControllerDeps): Promise<Reconciler> {
  const gauge = new Gauge({
    name: "sealbridge_dns_credential_expiry_timestamp_seconds",
    help: "When the provider says the DNS credential expires (Cloudflare's expires_on).",
    labelNames: ["namespace", "name"],
    registers: [deps.metrics.registry],
  });
  // The ExternalSecret kinds' Vault services: same connections, backoff and coalesced reads.
  const eso = esoServicesOf(deps);
  return kindReconciler(
    dnsCredentialKind(credentialDeps({ clock: deps.clock, resolvers: systemResolvers(), readVault: (ctx, ns, source) => readVaultSource(eso, ctx, ns, source) }), {
      alerting: { defaultSinks: cfg.alertSinks ?? [] },
      expiry(namespace, name, expiresOn) {
        if (expiresOn) gauge.set({ namespace, name }, Math.floor(expiresOn.getTime() / 1000));
        else gauge.remove({ namespace, name });
      },
    }, eso.connections),
  );
}
