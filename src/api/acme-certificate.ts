/**
 * `sealbridge.io/v1alpha1 AcmeCertificate`: a certificate issued over ACME DNS-01 into a
 * `kubernetes.io/tls` Secret. Field names follow cert-manager (Certificate: dnsNames, secretName,
 * renewBefore, status.notAfter/renewalTime/lastFailureTime/failedIssuanceAttempts; ACME issuer:
 * email, caBundle as a SecretRef, DNS-01 solvers rfc2136/cloudflare/digitalocean, cnameStrategy).
 */
import { z } from "zod";
import { metav1ConditionSchema } from "./condition.js";
import { parseDuration } from "../duration.js";
import type { ResourceRef } from "../kube/types.js";
import { orderProgressSchema } from "../acme/order-progress.js";
import { objectMetaSchema } from "./secret.js";

export const ACME_CERTIFICATE_API_VERSION = "sealbridge.io/v1alpha1";
export const ACME_CERTIFICATE_KIND = "AcmeCertificate";

/** The AcmeCertificate collection. */
export const acmeCertificateResource: ResourceRef = { group: "sealbridge.io", version: "v1alpha1", plural: "acmecertificates", kind: ACME_CERTIFICATE_KIND, namespaced: true };

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name");
/** A key of a Secret in the same namespace (cert-manager's SecretKeySelector). */
export const secretKeyRefSchema = z.object({ name, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a Secret data key") }).strict();
/** A Secret in the same namespace, key optional (cert-manager's accountKeySecretRef / privateKeySecretRef). */
const secretRefSchema = z.object({ name, key: z.string().regex(/^[-._a-zA-Z0-9]+$/).optional() }).strict();
const duration = z.string().refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, "must be a Go duration such as 720h");
const dnsName = z.string().regex(/^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/i, "must be a DNS name");

/** cert-manager's rfc2136 solver. */
export const rfc2136SolverSchema = z
  .object({
    nameserver: z.string().min(1),
    tsigKeyName: z.string().min(1).optional(),
    tsigAlgorithm: z.enum(["HMACSHA256", "HMACSHA512"]).optional(),
    tsigSecretSecretRef: secretKeyRefSchema.optional(),
  })
  .strict();
/** cert-manager's cloudflare solver (API token only). */
export const cloudflareSolverSchema = z.object({ apiTokenSecretRef: secretKeyRefSchema }).strict();
/** cert-manager's digitalocean solver. */
export const digitaloceanSolverSchema = z.object({ tokenSecretRef: secretKeyRefSchema }).strict();

/** The DNS-01 solver: the zone and exactly one provider. */
export const dns01Schema = z
  .object({
    zone: dnsName,
    cnameStrategy: z.enum(["None", "Follow"]).optional(),
    rfc2136: rfc2136SolverSchema.optional(),
    cloudflare: cloudflareSolverSchema.optional(),
    digitalocean: digitaloceanSolverSchema.optional(),
  })
  .strict()
  .refine((d) => [d.rfc2136, d.cloudflare, d.digitalocean].filter(Boolean).length === 1, { message: "exactly one of rfc2136, cloudflare, digitalocean" });
export type Dns01Solver = z.infer<typeof dns01Schema>;

export const acmeCertificateSpecSchema = z
  .object({
    dnsNames: z.array(dnsName).min(1),
    secretName: name,
    renewBefore: duration.optional(),
    issuer: z
      .object({
        directoryUrl: z.url({ protocol: /^https?$/ }),
        email: z.string().email().optional(),
        accountKeySecretRef: secretRefSchema,
        caBundleSecretRef: secretKeyRefSchema.optional(),
      })
      .strict(),
    dns01: dns01Schema,
  })
  .strict();
export type AcmeCertificateSpec = z.infer<typeof acmeCertificateSpecSchema>;


/** The status the controller writes. */
export const acmeCertificateStatusSchema = z.looseObject({
  conditions: z.array(metav1ConditionSchema).optional(),
  observedGeneration: z.number().int().optional(),
  notBefore: z.string().optional(),
  notAfter: z.string().optional(),
  renewalTime: z.string().optional(),
  lastFailureTime: z.string().optional(),
  failedIssuanceAttempts: z.number().int().optional(),
  /** When a failed or rate-limited issuance is tried again. */
  nextAttemptTime: z.string().optional(),
  /** The order in progress (resumed after a restart). */
  order: orderProgressSchema.optional(),
});
export type AcmeCertificateStatus = z.infer<typeof acmeCertificateStatusSchema>;

export const acmeCertificateSchema = z.looseObject({
  apiVersion: z.literal(ACME_CERTIFICATE_API_VERSION),
  kind: z.literal(ACME_CERTIFICATE_KIND),
  metadata: objectMetaSchema,
  spec: acmeCertificateSpecSchema,
  status: acmeCertificateStatusSchema.optional(),
});
export type AcmeCertificate = z.infer<typeof acmeCertificateSchema>;
