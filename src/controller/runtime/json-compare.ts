/**
 * Order-insensitive comparison of plain JSON data (statuses, child objects): `canonicalJson`
 * (JSON with object keys sorted) and `jsonEqual`, which says whether two values have the same
 * canonical JSON without building it. Pure.
 */

/** The JSON.stringify replacer that sorts object keys. */
function sortKeys(_key: string, v: unknown): unknown {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return v;
}

/** A plain object (from JSON or a literal): no prototype of its own, no toJSON. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

/** A value JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

/** JSON with object keys sorted, for order-insensitive comparison of plain data. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys);
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let count = 0;
  for (const key of Object.keys(a)) {
    const av = a[key];
    if (omitted(av)) continue;
    count++;
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    const bv = b[key];
    if (omitted(bv) || !jsonEqual(av, bv)) return false;
  }
  for (const key of Object.keys(b)) if (!omitted(b[key])) count--;
  return count === 0;
}

/**
 * True when `canonicalJson(a) === canonicalJson(b)`, decided without serializing plain objects
 * and arrays (anything else is compared through canonicalJson).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const av: unknown = a[i];
      const bv: unknown = b[i];
      if (!jsonEqual(omitted(av) ? null : av, omitted(bv) ? null : bv)) return false;
    }
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) return objectsEqual(a, b);
  return canonicalJson(a) === canonicalJson(b);
}
