/**
 * `external-secrets.io` SecretStore and ClusterSecretStore with the Vault provider, as External
 * Secrets Operator defines them (v1; v1beta1 has the same shape for the fields we support).
 * Unknown or unsupported fields are not dropped silently: `secretStoreFindings` lists them.
 */
import { z } from "zod";
import type { ResourceRef } from "../kube/types.js";
import { type Finding, unsupportedFields, type FieldRules } from "./field-rules.js";

export const ESO_GROUP = "external-secrets.io";

/** The SecretStore collection at the version we emit. */
export const secretStoreResource: ResourceRef = {
  group: ESO_GROUP,
  version: "v1",
  plural: "secretstores",
  kind: "SecretStore",
  namespaced: true,
};

/** The ClusterSecretStore collection at the version we emit. */
export const clusterSecretStoreResource: ResourceRef = {
  group: ESO_GROUP,
  version: "v1",
  plural: "clustersecretstores",
  kind: "ClusterSecretStore",
  namespaced: false,
};

/** A key of a Secret; `namespace` only counts for ClusterSecretStores (ESO rule). */
export const secretKeySelectorSchema = z.object({
  name: z.string().min(1),
  key: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
});
export type SecretKeySelector = z.infer<typeof secretKeySelectorSchema>;

const serviceAccountRefSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1).optional(),
  audiences: z.array(z.string()).optional(),
});

export const vaultAuthSchema = z.object({
  tokenSecretRef: secretKeySelectorSchema.optional(),
  kubernetes: z
    .object({
      mountPath: z.string().min(1).default("kubernetes"),
      role: z.string().min(1),
      serviceAccountRef: serviceAccountRefSchema.optional(),
      secretRef: secretKeySelectorSchema.optional(),
    })
    .optional(),
  appRole: z
    .object({
      path: z.string().min(1).default("approle"),
      roleId: z.string().min(1).optional(),
      roleRef: secretKeySelectorSchema.optional(),
      secretRef: secretKeySelectorSchema,
    })
    .optional(),
});
export type VaultAuth = z.infer<typeof vaultAuthSchema>;

export const vaultProviderSchema = z.object({
  server: z.string().url(),
  path: z.string().min(1).optional(),
  version: z.enum(["v1", "v2"]).default("v2"),
  namespace: z.string().min(1).optional(),
  caBundle: z.string().optional(),
  caProvider: z
    .object({
      type: z.enum(["Secret", "ConfigMap"]),
      name: z.string().min(1),
      key: z.string().min(1),
      namespace: z.string().min(1).optional(),
    })
    .optional(),
  auth: vaultAuthSchema,
});
export type VaultProvider = z.infer<typeof vaultProviderSchema>;

export const secretStoreSpecSchema = z.object({
  controller: z.string().optional(),
  provider: z.object({ vault: vaultProviderSchema }),
  refreshInterval: z.union([z.number().int().nonnegative(), z.string()]).optional(),
  conditions: z
    .array(
      z.object({
        namespaces: z.array(z.string()).optional(),
        namespaceRegexes: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type SecretStoreSpec = z.infer<typeof secretStoreSpecSchema>;

const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});

/** A SecretStore or ClusterSecretStore as read from the API. */
export const secretStoreSchema = z.object({
  apiVersion: z.string(),
  kind: z.enum(["SecretStore", "ClusterSecretStore"]),
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    generation: z.number().optional(),
  }),
  spec: secretStoreSpecSchema,
  status: z.object({ conditions: z.array(conditionSchema).optional() }).optional(),
});
export type SecretStore = z.infer<typeof secretStoreSchema>;

/** Store Ready reasons, as ESO names them. */
export const StoreReason = {
  Valid: "Valid",
  InvalidStoreConfiguration: "InvalidStoreConfiguration",
  InvalidProviderConfig: "InvalidProviderConfig",
  ValidationFailed: "ValidationFailed",
} as const;

const secretRefRule: FieldRules = { name: true, key: true, namespace: true };

/** What we support under `spec` of a store; anything else is reported. */
const storeSpecRules: FieldRules = {
  controller: { accept: (v) => v === "" || v === undefined, why: "controller classes are not supported" },
  refreshInterval: true,
  conditions: { each: { namespaces: true, namespaceRegexes: true } },
  retrySettings: false,
  provider: {
    vault: {
      server: true,
      path: true,
      version: true,
      namespace: true,
      caBundle: true,
      caProvider: { type: true, name: true, key: true, namespace: true },
      auth: {
        tokenSecretRef: secretRefRule,
        kubernetes: {
          mountPath: true,
          role: true,
          serviceAccountRef: { name: true, namespace: true, audiences: true },
          secretRef: secretRefRule,
        },
        appRole: { path: true, roleId: true, roleRef: secretRefRule, secretRef: secretRefRule },
      },
    },
  },
};

/**
 * Lists the fields of a store `spec` that sealbridge does not support (other providers, other
 * Vault auth methods, mTLS, retrySettings, …), as paths like `spec.provider.vault.auth.jwt`.
 * Also reports a store with no auth method or more than one.
 */
export function secretStoreFindings(spec: unknown): Finding[] {
  const findings = unsupportedFields(spec, storeSpecRules, "spec");
  const auth = (spec as { provider?: { vault?: { auth?: Record<string, unknown> } } } | null)?.provider?.vault?.auth;
  if (auth && typeof auth === "object") {
    const methods = ["tokenSecretRef", "kubernetes", "appRole"].filter((m) => auth[m] !== undefined);
    if (methods.length === 0) {
      findings.push({ path: "spec.provider.vault.auth", message: "no supported auth method (use tokenSecretRef, kubernetes or appRole)" });
    } else if (methods.length > 1) {
      findings.push({ path: "spec.provider.vault.auth", message: `more than one auth method (${methods.join(", ")}); keep one` });
    }
  }
  return findings;
}
