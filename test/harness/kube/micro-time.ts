/**
 * metav1.MicroTime decoding (k8s.io/apimachinery pkg/apis/meta/v1/micro_time.go): the string must
 * parse with Go's time.Parse and the layout RFC3339Micro "2006-01-02T15:04:05.000000Z07:00" (six
 * fractional digits, no fewer), else the body is a 400 with Go's ParseError text, e.g.
 * `parsing time "2026-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"`.
 * Lease spec.acquireTime/renewTime and Event eventTime are MicroTimes.
 */
const LAYOUT = "2006-01-02T15:04:05.000000Z07:00";

type Element = { elem: string; take: (v: string) => { n: number; value?: number } | null; range?: [number, number, string] };

const digits = (min: number, max: number) => (v: string) => {
  const m = new RegExp(`^\\d{${min},${max}}`).exec(v);
  return m ? { n: m[0].length, value: Number(m[0]) } : null;
};
const lit = (s: string): Element => ({ elem: s, take: (v) => (v.startsWith(s) ? { n: s.length } : null) });

const ELEMENTS: Element[] = [
  { elem: "2006", take: digits(4, 4) },
  lit("-"),
  { elem: "01", take: digits(2, 2), range: [1, 12, "month"] },
  lit("-"),
  { elem: "02", take: digits(2, 2), range: [1, 31, "day"] },
  lit("T"),
  { elem: "15", take: digits(1, 2), range: [0, 23, "hour"] },
  lit(":"),
  { elem: "04", take: digits(2, 2), range: [0, 59, "minute"] },
  lit(":"),
  { elem: "05", take: digits(2, 2), range: [0, 59, "second"] },
  { elem: ".000000", take: (v) => (/^[.,]\d{6}/.test(v) ? { n: 7 } : null) },
  { elem: "Z07:00", take: (v) => (v.startsWith("Z") ? { n: 1 } : /^[+-]\d{2}:\d{2}/.test(v) ? { n: 6 } : null) },
];

/** Go's error for parsing `s` as a MicroTime, or undefined when it parses. */
export function microTimeError(s: string): string | undefined {
  const q = JSON.stringify(s);
  let rest = s;
  for (const e of ELEMENTS) {
    const r = e.take(rest);
    if (r === null) return `parsing time ${q} as "${LAYOUT}": cannot parse ${JSON.stringify(rest)} as "${e.elem}"`;
    if (e.range && r.value !== undefined && (r.value < e.range[0] || r.value > e.range[1])) return `parsing time ${q}: ${e.range[2]} out of range`;
    rest = rest.slice(r.n);
  }
  return rest === "" ? undefined : `parsing time ${q}: extra text: ${JSON.stringify(rest)}`;
}

/** The MicroTime fields of a built-in kind's body: [path, value] for string values. */
export function microTimeFields(group: string, plural: string, obj: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const spec = obj["spec"] as Record<string, unknown> | undefined;
  if (group === "coordination.k8s.io" && plural === "leases" && spec && typeof spec === "object") {
    for (const f of ["acquireTime", "renewTime"]) if (typeof spec[f] === "string") out.push([`spec.${f}`, spec[f] as string]);
  }
  if (plural === "events" && typeof obj["eventTime"] === "string") out.push(["eventTime", obj["eventTime"] as string]);
  return out;
}
