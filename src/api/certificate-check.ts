/**
 * `sealbridge.io/v1alpha1 CertificateCheck`: which certificates to watch (Secrets by name or
 * label selector and their PEM keys, ConfigMap bundles, TLS endpoints with SNI and the Secret
 * each should serve), the thresholds, and where alerts go. Status carries every certificate's
 * judgement and the alert state (so a restart does not fire again).
 */
import { z } from "zod";
import { alertSinkSpecSchema } from "../alerts/sink-config.js";
import { alertRecordsSchema } from "../alerts/transitions.js";
import { parseLimit } from "../certs/thresholds.js";
import { parseDuration } from "../duration.js";
import type { ResourceRef } from "../kube/types.js";
import { objectMetaSchema } from "./secret.js";

export const CERTIFICATE_CHECK_API_VERSION = "sealbridge.io/v1alpha1";
export const CERTIFICATE_CHECK_KIND = "CertificateCheck";

/** The CertificateCheck collection. */
export const certificateCheckResource: ResourceRef = {
  group: "sealbridge.io",
  version: "v1alpha1",
  plural: "certificatechecks",
  kind: CERTIFICATE_CHECK_KIND,
  namespaced: true,
};

const dnsLabelName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name");
const dataKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, "must be a data key ([-._a-zA-Z0-9]+)");
const limitText = z.string().refine((t) => {
  try {
    parseLimit(t, "threshold");
    return true;
  } catch {
    return false;
  }
}, "must be a fraction of the lifetime (1/3, 0.1, 10%) or a duration (28d, 720h)");
const goDuration = z.string().refine((t) => {
  try {
    return parseDuration(t) > 0;
  } catch {
    return false;
  }
}, "must be a positive Go duration such as 10m or 1h");

const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** A Secret (by name) or Secrets (by label selector) and the PEM keys to check in them. */
export const secretSourceSchema = z
  .object({
    name: dnsLabelName.optional(),
    selector: labelSelector.optional(),
    keys: z.array(dataKey).min(1).optional(),
  })
  .strict()
  .refine((s) => (s.name === undefined) !== (s.selector === undefined), "give exactly one of name or selector");

/** A ConfigMap whose keys hold PEM certificates (bundles). */
export const configMapSourceSchema = z.object({ name: dnsLabelName, keys: z.array(dataKey).min(1).optional() }).strict();

/** A TLS endpoint to connect to. */
export const endpointSourceSchema = z
  .object({
    address: z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/, "must be host:port"),
    serverName: z.string().min(1).optional(),
    /** The Secret (in this namespace) the endpoint should serve: an older served certificate is StaleServing. */
    secretName: dnsLabelName.optional(),
  })
  .strict();

/** The trust bundle for chain checks: one key of a ConfigMap or Secret. */
export const trustBundleSchema = z
  .object({
    configMapRef: z.object({ name: dnsLabelName, key: dataKey }).strict().optional(),
    secretRef: z.object({ name: dnsLabelName, key: dataKey }).strict().optional(),
  })
  .strict()
  .refine((b) => (b.configMapRef === undefined) !== (b.secretRef === undefined), "give exactly one of configMapRef or secretRef");

/** Threshold overrides; each a fraction of the lifetime or a duration. */
export const thresholdsSchema = z
  .object({ renewBefore: limitText.optional(), renewalGrace: limitText.optional(), warning: limitText.optional(), critical: limitText.optional() })
  .strict();

/** One checked certificate in status (no key material: certificate facts only). */
export const checkedCertificateSchema = z.looseObject({
  source: z.string(),
  state: z.string(),
  message: z.string(),
  subject: z.string().optional(),
  notAfter: z.string().optional(),
  renewalTime: z.string().optional(),
  fingerprint: z.string().optional(),
});

/** A CertificateCheck. */
export const certificateCheckSchema = z.looseObject({
  apiVersion: z.literal(CERTIFICATE_CHECK_API_VERSION),
  kind: z.literal(CERTIFICATE_CHECK_KIND),
  metadata: objectMetaSchema,
  spec: z
    .object({
      secrets: z.array(secretSourceSchema).optional(),
      configMaps: z.array(configMapSourceSchema).optional(),
      endpoints: z.array(endpointSourceSchema).optional(),
      trustBundle: trustBundleSchema.optional(),
      thresholds: thresholdsSchema.optional(),
      alertSinks: z.array(alertSinkSpecSchema).max(16).optional(),
      /** How often endpoints are probed and alerts re-evaluated (default 1h). */
      interval: goDuration.optional(),
    })
    .strict()
    .refine((s) => (s.secrets?.length ?? 0) + (s.configMaps?.length ?? 0) + (s.endpoints?.length ?? 0) > 0, "name at least one of secrets, configMaps or endpoints"),
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional(),
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
      certificates: z.array(checkedCertificateSchema).optional(),
      alerts: alertRecordsSchema.optional(),
      lastCheckTime: z.string().optional(),
    })
    .optional(),
});

/** A parsed CertificateCheck. */
export type CertificateCheck = z.infer<typeof certificateCheckSchema>;
