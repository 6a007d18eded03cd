/** Listing for key/value stores: the direct children of a folder (vault-api.md §5.4, §6). */

/**
 * The direct children of `prefix` (`""` or ending in `/`) among `keys`: leaves as names,
 * folders with a trailing `/`, sorted and unique.
 * @returns null when there are none (the router answers 404).
 */
export function listChildren(keys: Iterable<string>, prefix: string): string[] | null {
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix) || key === prefix) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf("/");
    out.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return out.size === 0 ? null : [...out].sort();
}
