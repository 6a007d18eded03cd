/**
 * Kubernetes `v1 Secret`, as sealbridge reads it from manifests: lenient about metadata fields it
 * does not use (they are kept), strict about the ones sealing depends on.
 */
import { z } from "zod";
import { isBase64 } from "../base64.js";

/** Object metadata: name/namespace/labels/annotations typed, anything else kept as is. */
export const objectMetaSchema = z.looseObject({
  name: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type ObjectMetaInput = z.infer<typeof objectMetaSchema>;


/** A `v1 Secret`: `data` values are standard base64, `stringData` values plain text. */
export const secretSchema = z.looseObject({
  apiVersion: z.literal("v1"),
  kind: z.literal("Secret"),
  metadata: objectMetaSchema.optional(),
  type: z.string().min(1).optional(),
  immutable: z.boolean().optional(),
  data: z.record(z.string(), z.string().refine(isBase64, "not base64")).nullish(),
  stringData: z.record(z.string(), z.string()).nullish(),
});
export type Secret = z.infer<typeof secretSchema>;

/** True when `value` looks like a Secret (apiVersion v1, kind Secret), before full validation. */
export function isSecretLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "Secret";
}
