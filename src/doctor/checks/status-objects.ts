/**
 * Judging objects by the status the controller wrote: the Ready condition (its message is the
 * controller's, secret-free by construction), and whether that status is about the current
 * generation. Shared by the store, DNS credential and VaultUnsealer links.
 */
import type { CheckItem, CheckStatus } from "../check-result.js";
import type { ObservedCondition, ObservedStatusObject, Read } from "../observed.js";

/** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
export function objectName(o: Pick<ObservedStatusObject, "kind" | "namespace" | "name">): string {
  return `${o.kind} ${o.namespace !== undefined ? `${o.namespace}/` : ""}${o.name}`;
}

/** The condition of a type, if any. */
export function conditionOf(o: ObservedStatusObject, type: string): ObservedCondition | undefined {
  return o.conditions.find((c) => c.type === type);
}

/** One object judged by its Ready condition: True ok, False fail, missing or stale warn. */
export function readyItem(o: ObservedStatusObject): CheckItem & { reason?: string } {
  const object = objectName(o);
  const ready = conditionOf(o, "Ready");
  if (ready === undefined) return { object, status: "warn", message: "no Ready condition yet (the controller has not reconciled it)" };
  const observed = ready.observedGeneration ?? o.observedGeneration;
  const stale = o.generation !== undefined && observed !== undefined && observed < o.generation;
  const said = `${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ""}`;
  if (ready.status === "True") return { object, status: stale ? "warn" : "ok", message: stale ? `${said} (for generation ${observed}; generation ${o.generation} not reconciled yet)` : said, ...(ready.reason ? { reason: ready.reason } : {}) };
  const status: CheckStatus = ready.status === "False" ? "fail" : "warn";
  return { object, status, message: said, ...(ready.reason ? { reason: ready.reason } : {}) };
}

/** A list that could not be read, as the link's verdict: 404 means its CRD is not installed. */
export function unreadList(name: string, kinds: string, read: Extract<Read<unknown>, { ok: false }>): { name: string; status: CheckStatus; message: string; fix?: string } {
  if (read.status === 404) return { name, status: "skip", message: `${kinds}: CRD not installed (not used)` };
  if (read.status === 403) return { name, status: "skip", message: `cannot list ${kinds} (forbidden to you); not checked` };
  return { name, status: "warn", message: `cannot list ${kinds}: ${read.message}`, fix: "retry; check the API server's health" };
}
