/**
 * `sealbridge.io/v1alpha1 DnsCredential`: a DNS API credential (TSIG secret, Cloudflare or
 * DigitalOcean token) read from a source (a Secret key, or a Vault KV key through an ESO
 * SecretStore), proven with a DNS-01 round trip, then projected into target Secrets in the format
 * each consumer reads (e.g. the Secret a cert-manager issuer's apiTokenSecretRef names).
 */
import { z } from "zod";
import { alertSinkSpecSchema } from "../alerts/sink-config.js";
import { metav1ConditionSchema } from "./condition.js";
import { parseDuration } from "../duration.js";
import type { ResourceRef } from "../kube/types.js";
import { rfc2136SolverSchema, secretKeyRefSchema } from "./acme-certificate.js";
import { objectMetaSchema } from "./secret.js";

export const DNS_CREDENTIAL_API_VERSION = "sealbridge.io/v1alpha1";
export const DNS_CREDENTIAL_KIND = "DnsCredential";

/** The DnsCredential collection. */
export const dnsCredentialResource: ResourceRef = { group: "sealbridge.io", version: "v1alpha1", plural: "dnscredentials", kind: DNS_CREDENTIAL_KIND, namespaced: true };

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name");
const dataKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret data key");
const duration = z.string().refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, "must be a Go duration such as 2160h");

/** Where the credential comes from: a Secret key, or a Vault KV key through a SecretStore (ESO's remoteRef names). */
export const credentialSourceSchema = z
  .object({
    secretRef: secretKeyRefSchema.optional(),
    vault: z
      .object({
        storeRef: z.object({ name, kind: z.enum(["SecretStore", "ClusterSecretStore"]).optional() }).strict(),
        key: z.string().min(1),
        property: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((s) => (s.secretRef === undefined) !== (s.vault === undefined), { message: "exactly one of secretRef, vault" });

/** The provider the credential is for, with its non-secret settings. */
export const credentialProviderSchema = z
  .object({
    rfc2136: rfc2136SolverSchema.omit({ tsigSecretSecretRef: true }).extend({ tsigKeyName: z.string().min(1) }).strict().optional(),
    cloudflare: z.object({ apiUrl: z.url().optional() }).strict().optional(),
    digitalocean: z.object({ apiUrl: z.url().optional() }).strict().optional(),
  })
  .strict()
  .refine((p) => [p.rfc2136, p.cloudflare, p.digitalocean].filter(Boolean).length === 1, { message: "exactly one of rfc2136, cloudflare, digitalocean" });
export type CredentialProvider = z.infer<typeof credentialProviderSchema>;

/** A Secret key to write the credential into; `namespace` defaults to the DnsCredential's. */
export const credentialTargetSchema = z.object({ namespace: name.optional(), name, key: dataKey }).strict();
export type CredentialTarget = z.infer<typeof credentialTargetSchema>;

export const dnsCredentialSpecSchema = z
  .object({
    source: credentialSourceSchema,
    provider: credentialProviderSchema,
    zone: z.string().min(1),
    targets: z.array(credentialTargetSchema).min(1),
    maxAge: duration.optional(),
    /** Where alerts go (else the controller's --alert-sink defaults); CertificateCheck's shape. */
    alertSinks: z.array(alertSinkSpecSchema).max(16).optional(),
  })
  .strict();
export type DnsCredentialSpec = z.infer<typeof dnsCredentialSpecSchema>;


/** The status the controller writes; `provenVersion` is a digest, never the credential. */
export const dnsCredentialStatusSchema = z.looseObject({
  conditions: z.array(metav1ConditionSchema).optional(),
  observedGeneration: z.number().int().optional(),
  /** A keyed digest naming the credential now in the targets. */
  provenVersion: z.string().optional(),
  provenTime: z.string().optional(),
  /** When the credential now in use first appeared in the source (its age for maxAge). */
  rotatedTime: z.string().optional(),
  /** The provider's expiry of the credential (Cloudflare's expires_on). */
  expiresOn: z.string().optional(),
  /** The last refused candidate's digest, so it is not probed again until the source changes. */
  rejectedVersion: z.string().optional(),
  rejectedTime: z.string().optional(),
  /**
   * The alert records (src/alerts/transitions.ts: what was sent to which sink), kept so a restart
   * neither re-fires nor forgets them; read leniently (credential-alert-delivery.ts).
   */
  alerts: z.array(z.looseObject({ name: z.string(), startsAt: z.string() })).optional(),
});
export type DnsCredentialStatus = z.infer<typeof dnsCredentialStatusSchema>;

export const dnsCredentialSchema = z.looseObject({
  apiVersion: z.literal(DNS_CREDENTIAL_API_VERSION),
  kind: z.literal(DNS_CREDENTIAL_KIND),
  metadata: objectMetaSchema,
  spec: dnsCredentialSpecSchema,
  status: dnsCredentialStatusSchema.optional(),
});
export type DnsCredential = z.infer<typeof dnsCredentialSchema>;
