/**
 * Sealing scopes, as sealed-secrets defines them: how much of a value's destination is bound
 * into its ciphertext.
 */

export const SCOPES = ["strict", "namespace-wide", "cluster-wide"] as const;
export type Scope = (typeof SCOPES)[number];

export const NAMESPACE_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/namespace-wide";
export const CLUSTER_WIDE_ANNOTATION = "sealedsecrets.bitnami.com/cluster-wide";

/** The scope selected by an object's annotations; cluster-wide wins when both are set. */
export function scopeFromAnnotations(annotations: Record<string, string> | undefined): Scope {
  if (annotations?.[CLUSTER_WIDE_ANNOTATION] === "true") return "cluster-wide";
  if (annotations?.[NAMESPACE_WIDE_ANNOTATION] === "true") return "namespace-wide";
  return "strict";
}

/** The annotations that record `scope` on a SealedSecret (strict has none). */
export function scopeAnnotations(scope: Scope): Record<string, string> {
  if (scope === "cluster-wide") return { [CLUSTER_WIDE_ANNOTATION]: "true" };
  if (scope === "namespace-wide") return { [NAMESPACE_WIDE_ANNOTATION]: "true" };
  return {};
}

/**
 * The string a value is bound to: "<namespace>/<name>", "<namespace>" or "" (sealed-secrets'
 * EncryptionLabel; its crypto.md leaves out the "/", the code has it).
 */
export function scopeLabel(scope: Scope, namespace: string, name: string): string {
  if (scope === "cluster-wide") return "";
  if (scope === "namespace-wide") return namespace;
  return `${namespace}/${name}`;
}
