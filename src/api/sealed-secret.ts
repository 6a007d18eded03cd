/**
 * `bitnami.com/v1alpha1 SealedSecret`, as sealed-secrets defines it: `spec.encryptedData` (one
 * hybrid ciphertext per key, base64), `spec.template` (metadata, type, immutable, templated data)
 * and the deprecated whole-Secret `spec.data`.
 */
import { z } from "zod";
import type { ResourceRef } from "../kube/types.js";
import { objectMetaSchema } from "./secret.js";

export const SEALED_SECRET_API_VERSION = "bitnami.com/v1alpha1";
export const SEALED_SECRET_KIND = "SealedSecret";

/** The SealedSecret collection. */
export const sealedSecretResource: ResourceRef = { group: "bitnami.com", version: "v1alpha1", plural: "sealedsecrets", kind: SEALED_SECRET_KIND, namespaced: true };

/** The Secret a SealedSecret turns into, minus its data. */
export const secretTemplateSchema = z.looseObject({
  /** `nullable` in sealed-secrets' CRD, so the API server may store `null`. */
  metadata: objectMetaSchema.nullish(),
  type: z.string().min(1).optional(),
  immutable: z.boolean().optional(),
  /** Go text/template strings rendered over the decrypted values. */
  data: z.record(z.string(), z.string()).nullish(),
});
export type SecretTemplate = z.infer<typeof secretTemplateSchema>;

export const sealedSecretConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

export const sealedSecretSchema = z.looseObject({
  apiVersion: z.literal(SEALED_SECRET_API_VERSION),
  kind: z.literal(SEALED_SECRET_KIND),
  metadata: objectMetaSchema.optional(),
  spec: z.looseObject({
    encryptedData: z.record(z.string(), z.string()).nullish(),
    template: secretTemplateSchema.optional(),
    /** Deprecated v1 format: the whole Secret sealed as one blob. */
    data: z.string().nullish(),
  }),
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional(),
      conditions: z.array(sealedSecretConditionSchema).optional(),
    })
    .optional(),
});
export type SealedSecret = z.infer<typeof sealedSecretSchema>;

/** True when `value` claims to be a SealedSecret (apiVersion and kind), before full validation. */
export function isSealedSecretLike(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { apiVersion, kind } = value as { apiVersion?: unknown; kind?: unknown };
  return apiVersion === SEALED_SECRET_API_VERSION && kind === SEALED_SECRET_KIND;
}
