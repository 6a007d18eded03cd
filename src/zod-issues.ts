/**
 * The one formatter of zod validation issues: the path of the field that failed and zod's
 * message, never the input value.
 */

/** The part of a zod issue we read. */
export interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * A field path: `spec.data.0.key` ("dotted", as kubectl explains fields) or `spec.data[0].key`
 * ("indexed", as ESO's docs write them). Empty for the root.
 */
export function issuePath(path: readonly PropertyKey[], style: "dotted" | "indexed" = "dotted"): string {
  if (style === "dotted") return path.map(String).join(".");
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc === "" ? String(p) : `${acc}.${String(p)}`), "");
}

/** `<path>: <message>` for one issue (`root` names the empty path); "(root): invalid" without one. */
export function formatZodIssue(issue: IssueLike | undefined, root = "(root)", style: "dotted" | "indexed" = "dotted"): string {
  if (!issue) return `${root}: invalid`;
  return `${issuePath(issue.path, style) || root}: ${issue.message}`;
}
