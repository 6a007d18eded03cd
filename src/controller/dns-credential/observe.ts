/**
 * DnsCredential observe: reads the candidate from its source (a Secret from the cache, or Vault
 * through the injected reader), the targets from the cache, and — only when the candidate is not
 * the proven credential and was not refused in the last few minutes — runs the DNS-01 round trip
 * with it. For Cloudflare it also asks the verify endpoint for the token's expiry. Alerts are
 * sent from here (credential-alert-delivery.ts).
 */
import { createHmac } from "node:crypto";
import type { CredentialProvider, DnsCredential } from "../../api/dns-credential.js";
import type { ProbeResult } from "../../acme/dns/probe.js";
import { SECRETS } from "../../kube/resources.js";
import { secretKeyValue } from "../../kube/secret-content.js";
import type { ObserveContext } from "../runtime/kind.js";
import { sendCredentialAlerts, type CredentialAlerting } from "./credential-alert-delivery.js";
import { REPROBE_AFTER_MS, type CredentialObserved } from "./plan.js";

/** The adapters DnsCredential uses. */
export interface CredentialDeps {
  /** Reads a Vault KV value through a SecretStore. @throws Error with a secret-free message when it cannot. */
  readVault(ctx: ObserveContext, namespace: string, source: NonNullable<DnsCredential["spec"]["source"]["vault"]>): Promise<string>;
  /** The DNS-01 round trip with `value` as the provider's credential. Never throws. */
  probe(provider: CredentialProvider, zone: string, value: string): Promise<ProbeResult>;
  /** Cloudflare's expires_on for the token, or undefined. Never throws. */
  tokenExpiry(provider: CredentialProvider, value: string): Promise<Date | undefined>;
}

/**
 * A digest naming a credential without revealing it (keyed with the object's uid), together with
 * the provider settings it is used with (`settings`): a TSIG secret proven or refused under one
 * key name is a different candidate under another.
 */
export function credentialVersion(uid: string, value: string, settings = ""): string {
  return createHmac("sha256", `sealbridge-dns-credential:${uid}`).update(settings === "" ? value : `${settings}\u0000${value}`).digest("hex").slice(0, 24);
}

/**
 * What the plan needs, then the alert transitions sent to the credential's sinks (the default
 * alerting has no sinks). Never throws for source, provider or sink failures.
 */
export async function observeDnsCredential(ctx: ObserveContext, deps: CredentialDeps, cred: DnsCredential, alerting: CredentialAlerting = { defaultSinks: [] }): Promise<CredentialObserved> {
  const observed = await observeSource(ctx, deps, cred);
  return { ...observed, ...(await sendCredentialAlerts(ctx, cred, observed, alerting)) };
}

async function observeSource(ctx: ObserveContext, deps: CredentialDeps, cred: DnsCredential): Promise<CredentialObserved> {
  const ns = cred.metadata.namespace ?? "default";
  const secrets = ctx.cache(SECRETS);
  const targets = cred.spec.targets.map((target) => {
    const namespace = target.namespace ?? ns;
    const secret = secrets.get(`${namespace}/${target.name}`) ?? null;
    return { target, namespace, secret, value: secretKeyValue(secret, target.key) };
  });
  let value: string | undefined;
  let sourceError: string | undefined;
  const src = cred.spec.source;
  if (src.secretRef) {
    value = secretKeyValue(secrets.get(`${ns}/${src.secretRef.name}`), src.secretRef.key);
    if (value === undefined) sourceError = `source Secret ${ns}/${src.secretRef.name} key ${src.secretRef.key} does not exist`;
  } else if (src.vault) {
    try {
      value = await deps.readVault(ctx, ns, src.vault);
    } catch (err) {
      sourceError = `source ${src.vault.key} through ${src.vault.storeRef.kind ?? "SecretStore"} ${src.vault.storeRef.name} unreadable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  if (value === undefined) return { targets, ...(sourceError ? { sourceError } : {}) };
  value = value.trim();
  // The source Secret and the spec (a new key name) change in separate objects, seen in either
  // order: a candidate refused under the old key name is probed again at once under the new one.
  const version = credentialVersion(String(cred.metadata["uid"] ?? `${ns}/${cred.metadata.name}`), value, JSON.stringify([cred.spec.provider, cred.spec.zone]));
  const prev = cred.status ?? {};
  const now = ctx.clock.now().getTime();
  const refusedRecently = prev.rejectedVersion === version && prev.rejectedTime !== undefined && now - new Date(prev.rejectedTime).getTime() < REPROBE_AFTER_MS;
  let probe: ProbeResult | undefined;
  if (version !== prev.provenVersion && !refusedRecently) probe = await deps.probe(cred.spec.provider, cred.spec.zone, value);
  const usable = version === prev.provenVersion || probe?.ok === true;
  const tokenExpiresOn = usable ? await deps.tokenExpiry(cred.spec.provider, value) : undefined;
  return { candidate: { value, version }, targets, ...(probe ? { probe } : {}), ...(tokenExpiresOn ? { tokenExpiresOn } : {}) };
}
