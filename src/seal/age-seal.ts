/**
 * Sealing a Secret into an AgeSecret and opening it again offline. Metadata is handled as
 * sealed-secrets handles it when sealing: the Secret's metadata (minus the last-applied
 * annotations, which hold the plaintext, ownerReferences and server-set fields, and with the
 * scope annotations set to the scope used) becomes spec.template.metadata, its type and immutable go to spec.template, and every key of both
 * `data` and `stringData` (stringData winning, as in Kubernetes) is sealed separately.
 */
import { Buffer } from "node:buffer";
import {
  AGE_SECRET_API_VERSION,
  AGE_SECRET_KIND,
  parseAgeSecret,
  type AgeSecret,
} from "../api/age-secret.js";
import type { Secret } from "../api/secret.js";
import { decryptAgeValue, encryptAgeValue } from "../crypto/age-envelope.js";
import { parseRecipient } from "../crypto/age-keys.js";
import { scopeAnnotations, type Scope } from "../crypto/scope.js";
import { InputError } from "../errors.js";
import { cleanMetadata, secretValues, templateMetadata } from "./secret-metadata.js";


/** Options of {@link sealToAgeSecret}. */
export interface AgeSealOptions {
  /** age recipients (`age1…`, `age1pq1…`); at least one. */
  recipients: string[];
  /** The scope bound into every value's envelope and recorded as annotations. */
  scope: Scope;
}

/**
 * Seals a Secret into an AgeSecret (same name and namespace). A Secret without values gives an
 * empty `encryptedData`: refusing that (kubeseal's --allow-empty-data) is the caller's choice.
 * @throws InputError when the Secret has no name, has no namespace while `scope` is not
 * cluster-wide, or `recipients` is empty or invalid.
 */
export async function sealToAgeSecret(secret: Secret, opts: AgeSealOptions): Promise<AgeSecret> {
  const name = secret.metadata?.name;
  const namespace = secret.metadata?.namespace;
  if (!name) throw new InputError("cannot seal Secret: it has no metadata.name (set one)", { code: "InvalidSecret" });
  if (!namespace && opts.scope !== "cluster-wide") {
    throw new InputError(`cannot seal Secret ${name}: it has no metadata.namespace (set one or pass --namespace; or use cluster-wide scope)`, {
      code: "InvalidSecret",
    });
  }
  if (opts.recipients.length === 0) {
    throw new InputError(`cannot seal Secret ${name}: no age recipient (pass --recipient age1… or --recipients-file FILE)`, { code: "NoRecipient" });
  }
  opts.recipients.forEach((r, i) => parseRecipient(r, `recipient #${i + 1}`));
  const values = secretValues(secret);
  const encryptedData: Record<string, string> = {};
  for (const key of [...values.keys()].sort()) {
    encryptedData[key] = await encryptAgeValue(values.get(key) as Buffer, opts.scope, namespace ?? "", name, opts.recipients);
  }
  // As kubeseal: the template records the scope actually used, whatever the input's annotations said.
  const template: Record<string, unknown> = { metadata: templateMetadata(secret.metadata ?? {}, opts.scope) };
  if (secret.type !== undefined) template["type"] = secret.type;
  if (secret.immutable !== undefined) template["immutable"] = secret.immutable;
  const annotations = scopeAnnotations(opts.scope);
  const metadata: Record<string, unknown> = { name };
  if (namespace) metadata["namespace"] = namespace;
  if (Object.keys(annotations).length > 0) metadata["annotations"] = annotations;
  return parseAgeSecret(
    { apiVersion: AGE_SECRET_API_VERSION, kind: AGE_SECRET_KIND, metadata, spec: { template, encryptedData } },
    `AgeSecret ${namespace ?? ""}/${name}`,
  );
}

/**
 * Opens an AgeSecret offline into the Secret it stands for, checking each value's scope envelope
 * against the AgeSecret's own namespace/name.
 * @param source names the object in errors (e.g. `secret.yaml document 0`).
 * @throws InputError when `obj` is not a valid AgeSecret, it uses templated data (rendered only by
 * the controller), or `identities` is empty or invalid.
 * @throws DecryptError when a value does not open with `identities`, is malformed, or is sealed for
 * another scope; the message names the key, never a value.
 */
export async function ageSecretToSecret(obj: unknown, identities: string[], source: string): Promise<Secret> {
  const ageSecret = parseAgeSecret(obj, source);
  const name = ageSecret.metadata.name;
  if (!name) throw new InputError(`invalid AgeSecret: ${source}: metadata.name is missing (set it)`, { code: "InvalidAgeSecret" });
  const namespace = ageSecret.metadata.namespace ?? "";
  const template = ageSecret.spec.template;
  if (template?.data && Object.keys(template.data).length > 0) {
    throw new InputError(`cannot unseal AgeSecret ${namespace}/${name}: ${source} uses spec.template.data, which only the controller renders (remove it to unseal offline)`, {
      code: "UnsupportedTemplate",
    });
  }
  const data: Record<string, string> = {};
  for (const [key, armored] of Object.entries(ageSecret.spec.encryptedData)) {
    const value = await decryptAgeValue(armored, identities, namespace, name, `key "${key}" (${source})`);
    data[key] = Buffer.from(value).toString("base64");
  }
  const metadata: Record<string, unknown> = { ...cleanMetadata(template?.metadata ?? {}), name };
  if (namespace) metadata["namespace"] = namespace;
  const secret: Secret = { apiVersion: "v1", kind: "Secret", metadata, data };
  if (template?.type !== undefined) secret.type = template.type;
  if (template?.immutable !== undefined) secret.immutable = template.immutable;
  return secret;
}
