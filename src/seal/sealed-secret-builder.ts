/**
 * Secret → SealedSecret, as kubeseal builds it: each value of `data` and `stringData` sealed
 * separately to the scope's label, the Secret's metadata copied into `spec.template.metadata`
 * minus what would leak plaintext (last-applied-configuration) or bind it to the cluster
 * (ownerReferences, uid, resourceVersion, …), and the scope recorded as an annotation.
 */
import type { KeyObject } from "node:crypto";
import type { Secret } from "../api/secret.js";
import type { SEALED_SECRET_API_VERSION, SEALED_SECRET_KIND, SealedSecret } from "../api/sealed-secret.js";
import { hybridEncrypt, type RandomSource } from "../crypto/hybrid-encryption.js";
import { scopeAnnotations, scopeFromAnnotations, scopeLabel, type Scope } from "../crypto/scope.js";
import { InputError } from "../errors.js";
import { secretValues, sortedRecord, templateMetadata } from "./secret-metadata.js";

// Literals typed against api/sealed-secret.ts: importing its values would load zod at start-up.
const API_VERSION: typeof SEALED_SECRET_API_VERSION = "bitnami.com/v1alpha1";
const KIND: typeof SEALED_SECRET_KIND = "SealedSecret";


/** How to seal one Secret. */
export interface SealOptions {
  publicKey: KeyObject;
  /** Scope from `--scope`; when absent the Secret's annotations decide (strict by default). */
  scope?: Scope | undefined;
  /** Overrides of the Secret's name and namespace (`--name`, `--namespace`). */
  name?: string | undefined;
  namespace?: string | undefined;
  /** Namespace used when the Secret has none (kubeseal: the kubeconfig context's namespace). */
  defaultNamespace?: string | undefined;
  allowEmptyData?: boolean | undefined;
  random?: RandomSource | undefined;
  /** Where the Secret came from, for error messages ("stdin, document 2"). */
  source: string;
}

/** The scope a Secret is sealed with: the flag when given, else its annotations. */
export function effectiveScope(flag: Scope | undefined, annotations: Record<string, string> | undefined): Scope {
  return flag ?? scopeFromAnnotations(annotations);
}

/** Where a sealed value is bound: namespace and name after overrides and defaults. */
export interface SealTarget {
  scope: Scope;
  namespace: string;
  name: string;
  label: string;
}

/**
 * Works out the scope, namespace, name and label a Secret will be sealed to.
 * @throws InputError when the scope needs a name or namespace the Secret does not have.
 */
export function sealTarget(secret: Secret, options: Omit<SealOptions, "publicKey" | "random" | "allowEmptyData">): SealTarget {
  const scope = effectiveScope(options.scope, secret.metadata?.annotations);
  const name = options.name ?? secret.metadata?.name ?? "";
  const namespace = options.namespace ?? secret.metadata?.namespace ?? (scope === "cluster-wide" ? "" : (options.defaultNamespace ?? ""));
  if (scope === "strict" && name === "") {
    throw new InputError(`cannot seal: ${options.source} has no metadata.name (strict scope binds the name: add one, pass --name, or use --scope namespace-wide)`, { code: "MissingName" });
  }
  if (scope !== "cluster-wide" && namespace === "") {
    throw new InputError(`cannot seal: ${options.source} has no namespace (add metadata.namespace or pass --namespace)`, { code: "MissingNamespace" });
  }
  return { scope, namespace, name, label: scopeLabel(scope, namespace, name) };
}

/**
 * Seals a Secret into a SealedSecret.
 * @throws InputError when the Secret has no data (unless `allowEmptyData`), or lacks the name or
 *   namespace its scope binds.
 */
export function sealSecret(secret: Secret, options: SealOptions): SealedSecret {
  const values = secretValues(secret);
  if (values.size === 0 && !options.allowEmptyData) {
    throw new InputError(`cannot seal: ${options.source} has no data or stringData (add values, or pass --allow-empty-data)`, { code: "EmptyData" });
  }
  const target = sealTarget(secret, options);
  const encryptedData: Record<string, string> = {};
  for (const [key, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    encryptedData[key] = hybridEncrypt(options.publicKey, target.label, value, options.random).toString("base64");
  }
  const metadataOfTemplate = templateMetadata(secret.metadata ?? {}, target.scope);
  if (target.name) metadataOfTemplate["name"] = target.name;
  if (target.namespace) metadataOfTemplate["namespace"] = target.namespace;
  const template: Record<string, unknown> = { metadata: metadataOfTemplate };
  if (secret.type !== undefined) template["type"] = secret.type;
  if (secret.immutable !== undefined) template["immutable"] = secret.immutable;
  const metadata: Record<string, unknown> = {};
  if (target.name) metadata["name"] = target.name;
  if (target.namespace) metadata["namespace"] = target.namespace;
  const scopeMarks = scopeAnnotations(target.scope);
  if (Object.keys(scopeMarks).length > 0) metadata["annotations"] = scopeMarks;
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata,
    spec: { encryptedData, template },
  } as SealedSecret;
}

/**
 * Seals one value (`kubeseal --raw`) and returns its base64 ciphertext.
 * @throws InputError when the scope needs a name or namespace that was not given.
 */
export function sealRawValue(
  value: Uint8Array,
  options: { publicKey: KeyObject; scope: Scope; namespace?: string | undefined; name?: string | undefined; random?: RandomSource | undefined },
): string {
  const { scope, namespace = "", name = "" } = options;
  if (scope === "strict" && (name === "" || namespace === "")) {
    throw new InputError("cannot seal raw value: strict scope needs --name and --namespace (pass both, or choose another --scope)", { code: "MissingName" });
  }
  if (scope === "namespace-wide" && namespace === "") {
    throw new InputError("cannot seal raw value: namespace-wide scope needs --namespace (pass it)", { code: "MissingNamespace" });
  }
  return hybridEncrypt(options.publicKey, scopeLabel(scope, namespace, name), value, options.random).toString("base64");
}

/**
 * Merges a freshly sealed SealedSecret into an existing one (`--merge-into`): its encryptedData,
 * template labels, annotations and data win; everything else of `existing` is kept.
 */
export function mergeSealedSecret(existing: SealedSecret, update: SealedSecret): SealedSecret {
  const template = existing.spec.template ?? {};
  const updateTemplate = update.spec.template ?? {};
  const metadata = { ...template.metadata };
  const labels = { ...template.metadata?.labels, ...updateTemplate.metadata?.labels };
  const annotations = { ...template.metadata?.annotations, ...updateTemplate.metadata?.annotations };
  if (Object.keys(labels).length > 0) metadata.labels = sortedRecord(labels);
  if (Object.keys(annotations).length > 0) metadata.annotations = sortedRecord(annotations);
  const data = { ...template.data, ...updateTemplate.data };
  const mergedTemplate = { ...template, metadata, ...(Object.keys(data).length > 0 ? { data } : {}) };
  return {
    ...existing,
    spec: {
      ...existing.spec,
      encryptedData: sortedRecord({ ...existing.spec.encryptedData, ...update.spec.encryptedData }),
      template: mergedTemplate,
    },
  };
}
