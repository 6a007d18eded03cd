/**
 * Parsing of HTTP `Accept` headers the way kube-apiserver negotiates them: media ranges in the
 * client's order, each with its parameters (`as`, `g`, `v` select Table and aggregated
 * discovery; kubectl-requests.md, "Accept abbreviations").
 */

/** One media range of an Accept header, e.g. `application/json;as=Table;v=v1;g=meta.k8s.io`. */
export interface MediaRange {
  /** Lower-cased `type/subtype`, e.g. `application/json` or `*\/*`. */
  type: string;
  /** Parameters by lower-cased name (values as sent, unquoted). */
  params: Record<string, string>;
}

/** Splits an Accept header into its media ranges, keeping the client's order; never throws. */
export function parseAccept(accept: string | undefined): MediaRange[] {
  if (accept === undefined || accept.trim() === "") return [];
  const out: MediaRange[] = [];
  for (const part of accept.split(",")) {
    const [head, ...rest] = part.split(";");
    const type = (head ?? "").trim().toLowerCase();
    if (type === "") continue;
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq < 0) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (name !== "") params[name] = value;
    }
    out.push({ type, params });
  }
  return out;
}

/** True when a range accepts plain JSON: `application/json`, `application/*` or `*\/*` without `as`. */
export function acceptsPlainJson(range: MediaRange): boolean {
  const jsonish = range.type === "application/json" || range.type === "application/*" || range.type === "*/*";
  return jsonish && range.params["as"] === undefined;
}

/** Removes a query string and trailing slashes: `/apis/x/?a=b` → `/apis/x`. */
export function cleanPath(path: string): string {
  const q = path.indexOf("?");
  let p = q >= 0 ? path.slice(0, q) : path;
  while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p;
}
