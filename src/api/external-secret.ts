/**
 * `external-secrets.io` ExternalSecret as External Secrets Operator defines it (v1; v1beta1 has
 * the same shape for the fields we support). The schema keeps the fields we act on;
 * `externalSecretFindings` lists every other field so that none is silently ignored.
 */
import { z } from "zod";
import type { ResourceRef } from "../kube/types.js";
import { type Finding, type FieldRules, onlyValues, unsupportedFields } from "./field-rules.js";
import { ESO_GROUP } from "./secret-store.js";

/** The ExternalSecret collection at the version we emit. */
export const externalSecretResource: ResourceRef = {
  group: ESO_GROUP,
  version: "v1",
  plural: "externalsecrets",
  kind: "ExternalSecret",
  namespaced: true,
};

export const remoteRefSchema = z.object({
  key: z.string().min(1),
  property: z.string().optional(),
  version: z.string().optional(),
});
export type RemoteRef = z.infer<typeof remoteRefSchema>;

export const CreationPolicy = { Owner: "Owner", Orphan: "Orphan", Merge: "Merge", None: "None" } as const;
export type CreationPolicy = (typeof CreationPolicy)[keyof typeof CreationPolicy];
export const DeletionPolicy = { Retain: "Retain", Delete: "Delete", Merge: "Merge" } as const;
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

export const externalSecretSpecSchema = z.object({
  /** Go duration; ESO's default is one hour; `0` means fetch once. */
  refreshInterval: z.string().default("1h"),
  secretStoreRef: z.object({
    name: z.string().min(1),
    kind: z.enum(["SecretStore", "ClusterSecretStore"]).default("SecretStore"),
  }),
  target: z
    .object({
      name: z.string().min(1).optional(),
      creationPolicy: z.enum(["Owner", "Orphan", "Merge", "None"]).default("Owner"),
      deletionPolicy: z.enum(["Retain", "Delete", "Merge"]).default("Retain"),
      template: z
        .object({
          type: z.string().optional(),
          engineVersion: z.literal("v2").optional(),
          metadata: z
            .object({
              labels: z.record(z.string(), z.string()).optional(),
              annotations: z.record(z.string(), z.string()).optional(),
            })
            .optional(),
          data: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      immutable: z.boolean().optional(),
    })
    .default({ creationPolicy: "Owner", deletionPolicy: "Retain" }),
  data: z.array(z.object({ secretKey: z.string().min(1), remoteRef: remoteRefSchema })).default([]),
  /** Items without `extract` (find, sourceRef) are unsupported and reported by externalSecretFindings. */
  dataFrom: z.array(z.object({ extract: remoteRefSchema.optional() })).default([]),
});
export type ExternalSecretSpec = z.infer<typeof externalSecretSpecSchema>;

export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

export const externalSecretStatusSchema = z.object({
  refreshTime: z.string().nullable().optional(),
  syncedResourceVersion: z.string().optional(),
  binding: z.object({ name: z.string() }).optional(),
  conditions: z.array(conditionSchema).optional(),
});
export type ExternalSecretStatus = z.infer<typeof externalSecretStatusSchema>;

/** An ExternalSecret as read from the API. */
export const externalSecretSchema = z.object({
  apiVersion: z.string(),
  kind: z.literal("ExternalSecret"),
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    deletionTimestamp: z.string().optional(),
  }),
  spec: externalSecretSpecSchema,
  status: externalSecretStatusSchema.optional(),
});
export type ExternalSecret = z.infer<typeof externalSecretSchema>;

/** ExternalSecret Ready reasons, as ESO names them (also used as Event reasons). */
export const EsReason = {
  SecretSynced: "SecretSynced",
  SecretSyncedError: "SecretSyncedError",
  SecretDeleted: "SecretDeleted",
  SecretMissing: "SecretMissing",
} as const;

const remoteRefRules: FieldRules = {
  key: true,
  property: true,
  version: true,
  metadataPolicy: onlyValues(["None"], "only metadataPolicy None is supported"),
  conversionStrategy: onlyValues(["Default"], "only conversionStrategy Default is supported"),
  decodingStrategy: onlyValues(["None"], "only decodingStrategy None is supported"),
  nullBytePolicy: onlyValues(["Ignore"], "only nullBytePolicy Ignore is supported"),
};

const specRules: FieldRules = {
  refreshInterval: true,
  refreshPolicy: onlyValues(["Periodic"], "only refreshPolicy Periodic is supported"),
  secretStoreRef: { name: true, kind: true },
  target: {
    name: true,
    creationPolicy: onlyValues(["Owner", "Orphan", "Merge", "None"], "creationPolicy CreateOrMerge is not supported"),
    deletionPolicy: true,
    immutable: true,
    template: {
      type: true,
      engineVersion: onlyValues(["v2"], "only template engine v2 is supported"),
      mergePolicy: onlyValues(["Replace"], "only template mergePolicy Replace is supported"),
      metadata: { labels: true, annotations: true },
      data: true,
    },
  },
  data: { each: { secretKey: true, remoteRef: remoteRefRules } },
  dataFrom: { each: { extract: remoteRefRules } },
};

/**
 * Lists the fields of an ExternalSecret `spec` that sealbridge does not support (find, rewrite,
 * sourceRef, templateFrom, syncWindows, non-default strategies, …) and specs that cannot work
 * (no data and no dataFrom).
 */
export function externalSecretFindings(spec: unknown): Finding[] {
  const findings = unsupportedFields(spec, specRules, "spec");
  const s = spec as { data?: unknown[]; dataFrom?: unknown[] } | null;
  if (s && typeof s === "object" && (s.data?.length ?? 0) === 0 && (s.dataFrom?.length ?? 0) === 0) {
    const templated = (spec as { target?: { template?: { data?: object } } }).target?.template?.data;
    if (!templated) findings.push({ path: "spec.data", message: "spec.data and spec.dataFrom are both empty (add at least one remoteRef)" });
  }
  return findings;
}
