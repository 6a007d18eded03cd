/**
 * The scope envelope: age has no label like RSA-OAEP, so the plaintext of every age file
 * sealbridge writes starts with one line that names where the value may be opened:
 *
 * ```
 * sealbridge/v1 scope=strict:<namespace>/<name>\n<value bytes>
 * sealbridge/v1 scope=namespace-wide:<namespace>\n<value bytes>
 * sealbridge/v1 scope=cluster-wide\n<value bytes>
 * ```
 *
 * The header line is ASCII and ends at the first `\n`; everything after it, to the end of the
 * file, is the value, byte for byte (binary values included, no trailing newline added).
 * Namespaces are DNS labels and names DNS subdomains, so neither holds `:`, `/` or whitespace and
 * the line parses one way only. `age -d` by a person prints the header line, then the value.
 */
import { DecryptError, InputError } from "../errors.js";
import { SCOPES, type Scope } from "./scope.js";
import { decryptAgeFile, encryptArmoredAgeFile } from "./age-file.js";

/** The first bytes of every envelope. */
export const AGE_ENVELOPE_MAGIC = "sealbridge/v1 scope=";

/** A decoded envelope: the scope it names and the value it carries. */
export interface AgeEnvelope {
  scope: Scope;
  /** Set for strict and namespace-wide. */
  namespace?: string;
  /** Set for strict. */
  name?: string;
  value: Uint8Array;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** A header line longer than this is not ours: stop looking for the newline. */
const MAX_HEADER = AGE_ENVELOPE_MAGIC.length + "namespace-wide:".length + 64 + 254;

/**
 * The scope token of the header line: `strict:<ns>/<name>`, `namespace-wide:<ns>` or
 * `cluster-wide`.
 * @throws InputError when the namespace or name the scope needs is missing or not a valid
 * Kubernetes name.
 */
export function ageScopeToken(scope: Scope, namespace: string, name: string): string {
  if (scope === "cluster-wide") return "cluster-wide";
  if (!DNS_LABEL.test(namespace)) {
    throw new InputError(
      `invalid namespace for ${scope} age sealing: "${namespace}" (set metadata.namespace to a valid namespace, or use --scope cluster-wide)`,
      { code: "InvalidScope" },
    );
  }
  if (scope === "namespace-wide") return `namespace-wide:${namespace}`;
  if (!DNS_SUBDOMAIN.test(name)) {
    throw new InputError(`invalid name for strict age sealing: "${name}" (set metadata.name to a valid Secret name)`, {
      code: "InvalidScope",
    });
  }
  return `strict:${namespace}/${name}`;
}

/**
 * Builds the envelope bytes: the header line, then the value.
 * @throws InputError as {@link ageScopeToken}.
 */
export function encodeAgeEnvelope(value: Uint8Array, scope: Scope, namespace: string, name: string): Uint8Array {
  const header = new TextEncoder().encode(`${AGE_ENVELOPE_MAGIC}${ageScopeToken(scope, namespace, name)}\n`);
  const out = new Uint8Array(header.length + value.length);
  out.set(header, 0);
  out.set(value, header.length);
  return out;
}

/**
 * Decodes envelope bytes; returns `null` when they are not a well-formed sealbridge/v1 envelope
 * (missing magic, no newline, unknown scope, invalid namespace or name).
 */
export function parseAgeEnvelope(bytes: Uint8Array): AgeEnvelope | null {
  const limit = Math.min(bytes.length, MAX_HEADER + 1);
  const newline = bytes.subarray(0, limit).indexOf(0x0a);
  if (newline < 0) return null;
  let header: string;
  try {
    header = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, newline));
  } catch {
    return null;
  }
  if (!header.startsWith(AGE_ENVELOPE_MAGIC)) return null;
  const token = header.slice(AGE_ENVELOPE_MAGIC.length);
  const value = bytes.slice(newline + 1);
  if (token === "cluster-wide") return { scope: "cluster-wide", value };
  const colon = token.indexOf(":");
  const kind = token.slice(0, colon);
  const rest = token.slice(colon + 1);
  if (colon < 0 || !(SCOPES as readonly string[]).includes(kind)) return null;
  if (kind === "namespace-wide") return DNS_LABEL.test(rest) ? { scope: "namespace-wide", namespace: rest, value } : null;
  if (kind !== "strict") return null;
  const slash = rest.indexOf("/");
  const namespace = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  if (slash < 0 || !DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name)) return null;
  return { scope: "strict", namespace, name, value };
}

/** True when an envelope may be opened as the Secret `namespace/name`. */
export function ageEnvelopeMatches(envelope: AgeEnvelope, namespace: string, name: string): boolean {
  if (envelope.scope === "cluster-wide") return true;
  if (envelope.scope === "namespace-wide") return envelope.namespace === namespace;
  return envelope.namespace === namespace && envelope.name === name;
}

/**
 * Seals one value: wraps it in the scope envelope and encrypts it to every recipient.
 * @returns the ASCII-armored age file.
 * @throws InputError when `recipients` is empty or invalid, or the scope's namespace/name is
 * not a valid Kubernetes name.
 */
export async function encryptAgeValue(
  value: Uint8Array,
  scope: Scope,
  namespace: string,
  name: string,
  recipients: string[],
): Promise<string> {
  return encryptArmoredAgeFile(encodeAgeEnvelope(value, scope, namespace, name), recipients);
}

/**
 * Opens one value sealed by {@link encryptAgeValue} (or by `age -e` over a hand-made envelope)
 * for the Secret `namespace/name`.
 * @param where names the value in errors, e.g. `key "password"`; never the value.
 * @throws InputError when `identities` is empty or holds an invalid identity.
 * @throws DecryptError when no identity matches, the armor or age file is malformed, the
 * envelope is missing or malformed (code AgeEnvelopeInvalid), or its scope does not match
 * `namespace/name` (code AgeScopeMismatch).
 */
export async function decryptAgeValue(
  armored: string,
  identities: string[],
  namespace: string,
  name: string,
  where?: string,
): Promise<Uint8Array> {
  const target = namespace === "" ? `${name} (no namespace)` : `${namespace}/${name}`;
  const what = `${where ?? "age value"} of ${target}`;
  const plaintext = await decryptAgeFile(armored, identities, what);
  const envelope = parseAgeEnvelope(plaintext);
  if (!envelope) {
    throw new DecryptError(
      `cannot decrypt ${what}: the decrypted file has no sealbridge/v1 scope envelope (seal it with sealbridge seal --age)`,
      { code: "AgeEnvelopeInvalid" },
    );
  }
  if (!ageEnvelopeMatches(envelope, namespace, name)) {
    const sealedFor = ageScopeToken(envelope.scope, envelope.namespace ?? "", envelope.name ?? "");
    throw new DecryptError(
      `cannot decrypt ${what}: it is sealed for scope ${sealedFor}, not for this Secret (re-seal it for ${target}, or move it back)`,
      { code: "AgeScopeMismatch" },
    );
  }
  return envelope.value;
}
