/**
 * The API server's rules for what a Secret may be called, checked at seal time so that a
 * SealedSecret or AgeSecret is never committed that the cluster would refuse to create
 * (k8s.io/apimachinery/pkg/util/validation): the name is a DNS-1123 subdomain, the namespace a
 * DNS-1123 label, and every `data`/`stringData` key a config key.
 */
import { InputError } from "../errors.js";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const SUBDOMAIN_RULE = "a lowercase RFC 1123 subdomain: at most 253 of a-z, 0-9, '-' and '.', starting and ending with a letter or digit";
const LABEL_RULE = "a lowercase RFC 1123 label: at most 63 of a-z, 0-9 and '-', starting and ending with a letter or digit";
const KEY_RULE = "a valid Secret key: at most 253 of a-z, A-Z, 0-9, '-', '_' and '.', and not '.', '..' or starting with '..'";

/** Why `name` is not a valid object name, or undefined. */
export function nameProblem(name: string): string | undefined {
  return name.length > 253 || !DNS1123_SUBDOMAIN.test(name) ? SUBDOMAIN_RULE : undefined;
}

/** Why `namespace` is not a valid namespace, or undefined. */
export function namespaceProblem(namespace: string): string | undefined {
  return namespace.length > 63 || !DNS1123_LABEL.test(namespace) ? LABEL_RULE : undefined;
}

/** Why `key` is not a valid Secret data key (IsConfigMapKey), or undefined. */
export function keyProblem(key: string): string | undefined {
  if (key.length > 253 || !CONFIG_KEY.test(key) || key === "." || key.startsWith("..")) return KEY_RULE;
  return undefined;
}

/** A name as it may be printed: quoted, cut after 60 characters. */
function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) + (value.length > 60 ? ` (${value.length} characters)` : "");
}

/**
 * Checks the name, namespace and keys a Secret will be sealed with (empty ones are left to the
 * scope checks).
 * @throws InputError naming the field, the value and the rule it breaks.
 */
export function checkSealableNames(target: { name?: string | undefined; namespace?: string | undefined; keys: Iterable<string> }, where: string): void {
  const fail = (field: string, value: string, rule: string): never => {
    throw new InputError(`invalid Secret: ${where}: ${field} ${shown(value)} is not ${rule} (the API server would refuse it; rename it)`, { code: "InvalidSecretName" });
  };
  if (target.name) {
    const rule = nameProblem(target.name);
    if (rule) fail("metadata.name", target.name, rule);
  }
  if (target.namespace) {
    const rule = namespaceProblem(target.namespace);
    if (rule) fail("metadata.namespace", target.namespace, rule);
  }
  for (const key of target.keys) {
    const rule = keyProblem(key);
    if (rule) fail("key", key, rule);
  }
}
