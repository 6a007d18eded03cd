/**
 * The pure planner shared by the SealedSecret and AgeSecret reconcilers: from an encrypted source
 * object, the Secret that exists (or not) and the decrypted values, decide what to write, the
 * Synced condition and the Event — with sealed-secrets' semantics for pre-existing Secrets
 * (`managed`, `patch`) and for owner references (`skip-set-owner-references`).
 *
 * Decrypting is the expensive part (RSA), so the planner also tells, before any decryption,
 * whether the Secret is already what the source produces: the Secret carries
 * `sealbridge.io/unsealed-hash`, a SHA-256 over the source's content and the Secret data it
 * produced; if the Secret's data and metadata still match, nothing is decrypted or written.
 */
import type { SecretTemplate } from "../../api/sealed-secret.js";
import { createHash } from "node:crypto";
import { SECRETS } from "../../kube/resources.js";
import type { KubeObject, OwnerReference } from "../../kube/types.js";
import type { ChildWrite } from "../runtime/kind.js";
import { formatKeyIds, stillOpens, UNSEALED_KEYS_ANNOTATION } from "../keys/key-ids.js";
import { isControlledBy, ownershipConflict } from "../secret-ownership.js";
import { renderTemplateValue } from "./secret-template.js";

export const MANAGED_ANNOTATION = "sealedsecrets.bitnami.com/managed";
export const PATCH_ANNOTATION = "sealedsecrets.bitnami.com/patch";
export const SKIP_OWNER_REFERENCES_ANNOTATION = "sealedsecrets.bitnami.com/skip-set-owner-references";
export const UNSEALED_HASH_ANNOTATION = "sealbridge.io/unsealed-hash";

/** Condition and Event reasons, as sealed-secrets names them. */
export const REASONS = {
  unsealed: "Unsealed",
  unsealFailed: "ErrUnsealFailed",
  updateFailed: "ErrUpdateFailed",
} as const;
export type Reason = (typeof REASONS)[keyof typeof REASONS];

/** The parts of a SealedSecret/AgeSecret the planner reads. */
export interface EncryptedSource {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string | undefined;
  /** Keys of `spec.encryptedData`. */
  encryptedKeys: string[];
  /** `spec.encryptedData` itself (ciphertexts only; part of the content hash). */
  encryptedData: Record<string, string>;
  template: {
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    type?: string | undefined;
    immutable?: boolean | undefined;
    data?: Record<string, string> | null | undefined;
  };
  /** Annotations of the source object that change decryption (the scope ones). */
  scopeAnnotations: Record<string, string>;
}

/** `spec.template` (of a SealedSecret or an AgeSecret) as the planner reads it. */
export function sourceTemplate(tmpl: SecretTemplate | undefined): EncryptedSource["template"] {
  return { labels: tmpl?.metadata?.labels, annotations: tmpl?.metadata?.annotations, type: tmpl?.type, immutable: tmpl?.immutable, data: tmpl?.data };
}

/** Decrypted values by key, or why decryption failed (never holding a value). */
export type Unsealed = { ok: true; values: ReadonlyMap<string, Buffer> } | { ok: false; message: string };


export interface PlannedCondition {
  status: "True" | "False";
  reason: Reason;
  message: string;
}

export interface SecretPlan {
  /**
   * The Secret write, if any: `apply` of a new Secret (create) or of the updated existing one (at
   * its resourceVersion), or `replace` (an immutable Secret that must change: delete, then create).
   */
  writes: ChildWrite[];
  condition: PlannedCondition;
  event: { type: "Normal" | "Warning"; reason: Reason; message: string } | undefined;
}

function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

function sortedEntries(record: Record<string, unknown> | null | undefined): Array<[string, unknown]> {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** SHA-256 over everything in the source that decides the Secret (not its status). */
function sourceHash(source: EncryptedSource): string {
  return sha256(
    JSON.stringify([
      source.apiVersion,
      source.kind,
      source.namespace,
      source.name,
      source.uid ?? "",
      sortedEntries(source.encryptedData),
      sortedEntries(source.template.labels),
      sortedEntries(source.template.annotations),
      source.template.type ?? "",
      source.template.immutable ?? null,
      sortedEntries(source.template.data),
      sortedEntries(source.scopeAnnotations),
    ]),
  );
}

/** The keys a source writes: encryptedData's plus template.data's. */
function producedKeys(source: EncryptedSource): string[] {
  return [...new Set([...source.encryptedKeys, ...Object.keys(source.template.data ?? {})])].sort();
}

function dataHash(data: Record<string, string> | undefined, keys: string[]): string {
  return sha256(JSON.stringify(keys.map((k) => [k, data?.[k] ?? null])));
}

function unsealedHash(srcHash: string, data: Record<string, string> | undefined, keys: string[]): string {
  return sha256(`${srcHash}\n${dataHash(data, keys)}`);
}

function secretData(obj: KubeObject | null): Record<string, string> | undefined {
  const data = obj?.["data"];
  return data && typeof data === "object" ? (data as Record<string, string>) : undefined;
}

function ownerReference(source: EncryptedSource): OwnerReference[] {
  if (source.template.annotations?.[SKIP_OWNER_REFERENCES_ANNOTATION] === "true" || !source.uid) return [];
  return [{ apiVersion: source.apiVersion, kind: source.kind, name: source.name, uid: source.uid, controller: true, blockOwnerDeletion: true }];
}

/** The Secret the source produces on its own, from its data (base64 values); `hash` is its unsealedHash. */
function desiredSecret(source: EncryptedSource, data: Record<string, string>, hash: string, keysRecord: string | undefined): KubeObject {
  const annotations: Record<string, string> = { ...(source.template.annotations ?? {}), [UNSEALED_HASH_ANNOTATION]: hash };
  if (keysRecord !== undefined) annotations[UNSEALED_KEYS_ANNOTATION] = keysRecord;
  const owners = ownerReference(source);
  const secret: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: source.name,
      namespace: source.namespace,
      ...(source.template.labels && Object.keys(source.template.labels).length > 0 ? { labels: { ...source.template.labels } } : {}),
      annotations,
      ...(owners.length > 0 ? { ownerReferences: owners } : {}),
    },
    type: source.template.type ?? "Opaque",
    data,
  };
  if (source.template.immutable !== undefined) secret["immutable"] = source.template.immutable;
  return secret;
}

type Ownership = "absent" | "replace" | "patch" | "foreign" | { conflict: string };

/**
 * Whose the existing Secret is, as sealed-secrets decides it: the controller owner reference
 * (kind and UID) first — a Secret another object controls is that object's, whatever its
 * annotations say, so two kinds aimed at one Secret never overwrite each other — then, for a
 * Secret no object controls, the `managed` and `patch` annotations.
 */
function ownershipOf(existing: KubeObject | null, source: EncryptedSource): Ownership {
  if (!existing) return "absent";
  const conflict = ownershipConflict(existing, source);
  if (conflict) return { conflict };
  const ann = existing.metadata.annotations ?? {};
  if (ann[PATCH_ANNOTATION] === "true") return "patch";
  if (isControlledBy(existing, source) || ann[MANAGED_ANNOTATION] === "true") return "replace";
  return "foreign";
}

/** The existing Secret with the desired one applied, as sealed-secrets updates it. */
function merged(existing: KubeObject, desired: KubeObject, ownership: "replace" | "patch"): KubeObject {
  const out: KubeObject = structuredClone(existing);
  const meta = out.metadata;
  if (ownership === "patch") {
    out["data"] = { ...(secretData(existing) ?? {}), ...(secretData(desired) ?? {}) };
    meta.annotations = { ...(meta.annotations ?? {}), ...(desired.metadata.annotations ?? {}) };
    meta.labels = { ...(meta.labels ?? {}), ...(desired.metadata.labels ?? {}) };
    if (meta.annotations[MANAGED_ANNOTATION] === "true") meta.ownerReferences = desired.metadata.ownerReferences ?? [];
  } else {
    out["data"] = desired["data"];
    meta.annotations = { ...(desired.metadata.annotations ?? {}) };
    // Keep `managed` so the Secret stays ours even without an owner reference.
    if (existing.metadata.annotations?.[MANAGED_ANNOTATION] === "true") meta.annotations[MANAGED_ANNOTATION] = "true";
    meta.labels = { ...(desired.metadata.labels ?? {}) };
    meta.ownerReferences = desired.metadata.ownerReferences ?? [];
  }
  out["type"] = desired["type"];
  if (desired["immutable"] !== undefined) out["immutable"] = desired["immutable"];
  if (meta.labels && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.ownerReferences && meta.ownerReferences.length === 0) delete meta.ownerReferences;
  return out;
}

function comparable(secret: KubeObject): string {
  const m = secret.metadata;
  return JSON.stringify([
    sortedEntries(secretData(secret)),
    sortedEntries(m.labels),
    sortedEntries(m.annotations),
    (m.ownerReferences ?? []).map((r) => [r.apiVersion, r.kind, r.name, r.uid, r.controller ?? false, r.blockOwnerDeletion ?? false]),
    secret["type"] ?? "Opaque",
    secret["immutable"] ?? false,
  ]);
}

function notManaged(source: EncryptedSource, ownership: "foreign" | { conflict: string }): SecretPlan {
  const message = ownership === "foreign" ? `Resource "${source.name}" already exists and is not managed by ${source.kind}` : ownership.conflict;
  return {
    writes: [],
    condition: { status: "False", reason: REASONS.updateFailed, message },
    event: { type: "Warning", reason: REASONS.updateFailed, message },
  };
}

const SYNCED: PlannedCondition = { status: "True", reason: REASONS.unsealed, message: "" };

/**
 * Decides, without decrypting, whether the existing Secret already is what `source` produces.
 * @returns a plan (no action, Synced=True) when it is, or a not-managed failure; `null` when
 * decryption is needed.
 */
export function planWithoutDecrypting(source: EncryptedSource, existing: KubeObject | null, keyIds?: ReadonlySet<string>): SecretPlan | null {
  const ownership = ownershipOf(existing, source);
  if (ownership === "foreign" || typeof ownership === "object") return notManaged(source, ownership);
  if (ownership === "absent" || !existing) return null;
  const keys = producedKeys(source);
  const data = secretData(existing);
  const hash = unsealedHash(sourceHash(source), data, keys);
  if (existing.metadata.annotations?.[UNSEALED_HASH_ANNOTATION] !== hash) return null;
  // Whether the current keys still open it, without decrypting: every key loaded when it was last
  // unsealed (one of them opened it) is still loaded. Otherwise decrypt, and say what that gives.
  const recorded = existing.metadata.annotations?.[UNSEALED_KEYS_ANNOTATION];
  if (keyIds && !stillOpens(recorded, keyIds)) return null;
  const onlyProduced: Record<string, string> = {};
  for (const k of keys) if (data?.[k] !== undefined) onlyProduced[k] = data[k];
  // Same produced keys and values as `data`, so the same unsealedHash.
  const desired = desiredSecret(source, onlyProduced, hash, keyIds ? recorded : undefined);
  if (comparable(merged(existing, desired, ownership)) !== comparable(existing)) return null;
  return { writes: [], condition: SYNCED, event: undefined };
}

/** Builds the Secret data (base64) from decrypted values and template.data. */
function renderData(source: EncryptedSource, values: ReadonlyMap<string, Buffer>): { ok: true; data: Record<string, string> } | { ok: false; message: string } {
  const data: Record<string, string> = {};
  for (const [k, v] of values) data[k] = v.toString("base64");
  for (const [k, template] of sortedEntries(source.template.data)) {
    const rendered = renderTemplateValue(k, String(template), values);
    if (!rendered.ok) return rendered;
    data[k] = rendered.value.toString("base64");
  }
  return { ok: true, data };
}

/**
 * Plans the Secret for `source` given what decryption gave.
 * Failures never put a value in the condition or event message.
 */
export function planSecret(source: EncryptedSource, existing: KubeObject | null, unsealed: Unsealed, keyIds?: ReadonlySet<string>): SecretPlan {
  const ownership = ownershipOf(existing, source);
  if (ownership === "foreign" || typeof ownership === "object") return notManaged(source, ownership);
  const rendered = unsealed.ok ? renderData(source, unsealed.values) : unsealed;
  if (!rendered.ok) {
    const message = `Failed to unseal: ${rendered.message}`;
    return {
      writes: [],
      condition: { status: "False", reason: REASONS.unsealFailed, message },
      event: { type: "Warning", reason: REASONS.unsealFailed, message },
    };
  }
  const desired = desiredSecret(source, rendered.data, unsealedHash(sourceHash(source), rendered.data, producedKeys(source)), keyIds ? formatKeyIds(keyIds) : undefined);
  const unsealedEvent = { type: "Normal" as const, reason: REASONS.unsealed, message: `${source.kind} unsealed successfully` };
  if (ownership === "absent" || !existing) return { writes: [{ op: "apply", resource: SECRETS, object: desired, previous: null }], condition: SYNCED, event: unsealedEvent };
  const next = merged(existing, desired, ownership);
  if (comparable(next) === comparable(existing)) return { writes: [], condition: SYNCED, event: undefined };
  const write: ChildWrite =
    // An immutable Secret, and a Secret's type, cannot change in place (the API server refuses): delete and create.
    existing["immutable"] === true || (existing["type"] ?? "Opaque") !== (next["type"] ?? "Opaque")
      ? { op: "replace", resource: SECRETS, object: desired, previous: existing }
      : { op: "apply", resource: SECRETS, object: next, previous: existing };
  return { writes: [write], condition: SYNCED, event: unsealedEvent };
}
