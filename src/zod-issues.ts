/**
 * The one formatter of zod validation issues: the path of the field that failed and zod's
 * message, never the input value.
 */

/** The part of a zod issue we read. */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/** How a path is written: `spec.data.0.key`, `spec.data[0].key` or `spec.data.[0].key`. */
export type PathStyle = "dotted" | "indexed" | "bracketed";

/**
 * A field path: "dotted" (`spec.data.0.key`), "indexed" (`spec.data[0].key`, as ESO's docs write
 * them) or "bracketed" (`items.[0].name`, as `seal` reports document fields). Empty for the root.
 */
export function issuePath(path: readonly PropertyKey[], style: PathStyle = "dotted"): string {
  if (style === "dotted") return path.map(String).join(".");
  if (style === "bracketed") return path.map((p) => (typeof p === "number" ? `[${p}]` : String(p))).join(".");
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? String(p) : `${acc}.${String(p)}`), "");
}

/** `<path>: <message>` for one issue (`root` names the empty path); "(root): invalid" without one. */
export function formatZodIssue(issue: IssueLike | undefined, root = "(root)", style: PathStyle = "dotted"): string {
  if (!issue) return `${root}: invalid`;
  return `${issuePath(issue.path, style) || root}: ${issue.message}`;
}
