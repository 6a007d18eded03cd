/**
 * `sealbridge.io/v1alpha1 VaultUnsealer` (opt-in): which Vault nodes to watch (pods by label
 * selector + port + scheme in the object's namespace, or fixed addresses), the age-encrypted
 * unseal shares the controller's age identity opens (inline or in a Secret of the same
 * namespace), and how many of them to submit. Holding shares in the cluster has a cost: see
 * docs/kinds/vaultunsealer.md and docs/security-model.md.
 */
import { z } from "zod";
import { metav1ConditionSchema } from "./condition.js";
import { alertSinkSpecSchema } from "../alerts/sink-config.js";
import { parseDuration } from "../duration.js";
import type { ResourceRef } from "../kube/types.js";
import { objectMetaSchema } from "./secret.js";

export const VAULT_UNSEALER_API_VERSION = "sealbridge.io/v1alpha1";
export const VAULT_UNSEALER_KIND = "VaultUnsealer";

/** The VaultUnsealer collection. */
export const vaultUnsealerResource: ResourceRef = {
  group: "sealbridge.io",
  version: "v1alpha1",
  plural: "vaultunsealers",
  kind: VAULT_UNSEALER_KIND,
  namespaced: true,
};

const AGE_ARMOR_BEGIN = "-----BEGIN AGE ENCRYPTED FILE-----";
const labelKey = z.string().min(1);

const durationString = (field: string) =>
  z.string().refine((v) => {
    try {
      parseDuration(v, field);
      return true;
    } catch {
      return false;
    }
  }, "a Go duration such as 30s, 5m or 1h");

/** One share: an armored age file inline, or a key of a Secret in the same namespace. */
export const unsealShareSchema = z.union([
  z.strictObject({ value: z.string().refine((v) => v.trimStart().startsWith(AGE_ARMOR_BEGIN), "an ASCII-armored age file") }),
  z.strictObject({ secretRef: z.strictObject({ name: z.string().min(1), key: z.string().regex(/^[-._a-zA-Z0-9]+$/, "a Secret data key") }) }),
]);

/** The nodes: exactly one of `selector` and `addresses`. */
export const unsealerNodesSchema = z
  .strictObject({
    selector: z.strictObject({ matchLabels: z.record(labelKey, z.string()) }).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    scheme: z.enum(["http", "https"]).optional(),
    /** How the controller reaches selected pods: their pod IP (default) or the API server's pod proxy. */
    via: z.enum(["PodIP", "APIServerProxy"]).optional(),
    addresses: z.array(z.url({ protocol: /^https?$/ })).min(1).optional(),
  })
  .refine((n) => (n.selector === undefined) !== (n.addresses === undefined), { message: "set exactly one of selector and addresses" })
  .refine((n) => n.selector === undefined || Object.keys(n.selector.matchLabels).length > 0, { message: "selector.matchLabels must not be empty" });

/** Per-node status as the controller records it. */
export const unsealerNodeStatusSchema = z.looseObject({
  name: z.string(),
  address: z.string().optional(),
  reachable: z.boolean(),
  initialized: z.boolean().optional(),
  sealed: z.boolean().optional(),
  progress: z.number().int().optional(),
  threshold: z.number().int().optional(),
  version: z.string().optional(),
  /** When the controller first saw the node sealed (cleared once unsealed). */
  sealedSince: z.string().optional(),
  lastUnsealTime: z.string().optional(),
  /** Set after a wrong share combination: the generation and shares digest it happened with. */
  wrongShares: z.looseObject({ generation: z.number().int(), sharesDigest: z.string() }).optional(),
  alerting: z.boolean().optional(),
  message: z.string().optional(),
});
/** One node's recorded status. */
export type UnsealerNodeStatus = z.infer<typeof unsealerNodeStatusSchema>;


/** A VaultUnsealer. */
export const vaultUnsealerSchema = z.looseObject({
  apiVersion: z.literal(VAULT_UNSEALER_API_VERSION),
  kind: z.literal(VAULT_UNSEALER_KIND),
  metadata: objectMetaSchema,
  spec: z.strictObject({
    nodes: unsealerNodesSchema,
    /** PEM CA bundle for https nodes. */
    caBundle: z.string().min(1).optional(),
    insecureSkipVerify: z.boolean().optional(),
    shares: z.array(unsealShareSchema).max(255).optional(),
    /** How many of `shares` to submit (default all). 0 = alert only, never unseal. */
    sharesToUse: z.number().int().min(0).max(255).optional(),
    /** How often to check every node (default 30s, jittered by ±10%). */
    checkInterval: durationString("spec.checkInterval").optional(),
    /** Alert when a node stays sealed this long (default 5m). */
    alertAfter: durationString("spec.alertAfter").optional(),
    /** Where VaultNodeSealed alerts go (else the controller's `--alert-sink` defaults). */
    alertSinks: z.array(alertSinkSpecSchema).max(16).optional(),
  }),
  status: z
    .looseObject({
      observedGeneration: z.number().int().optional(),
      conditions: z.array(metav1ConditionSchema).optional(),
      nodes: z.array(unsealerNodeStatusSchema).optional(),
    })
    .optional(),
});
/** A parsed VaultUnsealer. */
export type VaultUnsealer = z.infer<typeof vaultUnsealerSchema>;
/** One share reference. */
export type UnsealShare = z.infer<typeof unsealShareSchema>;
