/** The one detector of a manifest's format: by file name, else by content. */

/** The two manifest formats. */
export type ManifestFormat = "json" | "yaml";

/** The format a file name asks for (`.yaml`/`.yml`, `.json`), or undefined. */
export function formatForPath(path: string): ManifestFormat | undefined {
  if (/\.ya?ml$/i.test(path)) return "yaml";
  if (/\.json$/i.test(path)) return "json";
  return undefined;
}

/** True when `text` reads as JSON (its first non-blank character opens an object). */
export function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith("{");
}

/** The format of a manifest: from its file name when it says, else from its content. */
export function manifestFormat(path: string | undefined, text: string): ManifestFormat {
  return (path !== undefined ? formatForPath(path) : undefined) ?? (looksLikeJson(text) ? "json" : "yaml");
}
