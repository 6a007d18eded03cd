/**
 * Key-order-independent JSON, for "did anything change" checks: kube-apiserver compares the
 * typed object's serialisation, so a client sending the same object with its keys in another
 * order changes nothing (and writes nothing).
 */

/** JSON text of `v` with object keys sorted at every level (undefined members dropped). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) sorted[k] = (value as Record<string, unknown>)[k];
    return sorted;
  });
}

/** True when two JSON values are equal regardless of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
