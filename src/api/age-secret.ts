/**
 * `sealbridge.io/v1alpha1 AgeSecret`: a SealedSecret's shape with each value an ASCII-armored age
 * file whose plaintext is the scope envelope of src/crypto/age-envelope.ts.
 */
import { z } from "zod";
import { metav1ConditionSchema } from "./condition.js";
import { InputError } from "../errors.js";
import type { ResourceRef } from "../kube/types.js";
import { secretTemplateSchema } from "./sealed-secret.js";
import { objectMetaSchema } from "./secret.js";
import { formatZodIssue } from "../zod-issues.js";

export const AGE_SECRET_API_VERSION = "sealbridge.io/v1alpha1";
export const AGE_SECRET_KIND = "AgeSecret";

/** The AgeSecret collection. */
export const ageSecretResource: ResourceRef = {
  group: "sealbridge.io",
  version: "v1alpha1",
  plural: "agesecrets",
  kind: AGE_SECRET_KIND,
  namespaced: true,
};

const AGE_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";

/** A `metav1.Condition`. */
export const ageSecretConditionSchema = metav1ConditionSchema;

/**
 * An AgeSecret. `spec.template` is a SealedSecret's template (metadata, type, immutable,
 * templated data), so both kinds turn into Secrets the same way.
 */
export const ageSecretSchema = z.looseObject({
  apiVersion: z.literal(AGE_SECRET_API_VERSION),
  kind: z.literal(AGE_SECRET_KIND),
  metadata: objectMetaSchema,
  spec: z.looseObject({
    encryptedData: z.record(
      z.string().regex(/^[-._a-zA-Z0-9]+$/, "keys are Secret data keys ([-._a-zA-Z0-9]+)"),
      z.string().refine((v) => v.trimStart().startsWith(AGE_ARMOR_BEGIN), "values are ASCII-armored age files"),
    ),
    template: secretTemplateSchema.optional(),
  }),
  status: z
    .looseObject({
      conditions: z.array(ageSecretConditionSchema).optional(),
      observedGeneration: z.number().int().optional(),
    })
    .optional(),
});
export type AgeSecret = z.infer<typeof ageSecretSchema>;

/** True when `obj` claims to be an AgeSecret (apiVersion and kind), valid or not. */
export function isAgeSecretLike(obj: unknown): boolean {
  const o = obj as { apiVersion?: unknown; kind?: unknown } | null;
  return typeof o === "object" && o !== null && o.apiVersion === AGE_SECRET_API_VERSION && o.kind === AGE_SECRET_KIND;
}

/**
 * Parses an AgeSecret.
 * @param source names the object in errors (a file and document, or `namespace/name`).
 * @throws InputError naming the first invalid field (never its value).
 */
export function parseAgeSecret(obj: unknown, source: string): AgeSecret {
  const result = ageSecretSchema.safeParse(obj);
  if (result.success) return result.data;
  throw new InputError(`invalid AgeSecret: ${source}: ${formatZodIssue(result.error.issues[0])} (fix the manifest)`, {
    code: "InvalidAgeSecret",
  });
}
