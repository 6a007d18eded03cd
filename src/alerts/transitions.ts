/**
 * When to send alerts: fire on entering a state, resolve on leaving it, never repeat every scan.
 * The state lives in {@link AlertRecord}s that the caller keeps in its object's status, so a
 * controller restart reads them back and does not fire again. Pure: time comes in as `now`.
 */
import { z } from "zod";
import { alertKey, type Alert } from "./alert.js";

/** An alert the caller wants firing now (from its judgement of the world). */
export interface DesiredAlert {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What is remembered (in status) about one alert that was sent. */
export interface AlertRecord {
  name: string;
  labels: Record<string, string>;
  /** The annotations last sent, so a resolve carries the same text. */
  annotations: Record<string, string>;
  /** RFC 3339: when the alert began firing. */
  startsAt: string;
  /** RFC 3339: when it was last sent (fire or refresh). */
  lastSentAt: string;
  /** Ids of the sinks that hold it firing (a failed send is retried to the sinks missing here). */
  sentTo: string[];
  /** RFC 3339: set once the condition ended; the record stays until every sink took the resolve. */
  endsAt?: string;
}

const labels = z.record(z.string(), z.string());
/** zod schema of an {@link AlertRecord} list as kept in status (unknown extra fields dropped). */
export const alertRecordsSchema = z.array(
  z.object({
    name: z.string(),
    labels,
    annotations: labels.default({}),
    startsAt: z.string(),
    lastSentAt: z.string(),
    sentTo: z.array(z.string()),
    endsAt: z.string().optional(),
  }),
);

/** A sink as the planner sees it: an id and whether firing alerts need re-sending. */
export interface SinkRef {
  id: string;
  refreshIntervalMs?: number;
}

/** One send to one sink. */
export interface AlertDelivery {
  sinkId: string;
  action: "fire" | "refresh" | "resolve";
  alert: Alert;
}

/** The sends due now, and the records to keep if every one of them succeeds. */
export interface AlertTransitions {
  deliveries: AlertDelivery[];
  /** The records after this pass assuming every delivery succeeds; see {@link settleAlertRecords}. */
  next: AlertRecord[];
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function toAlert(r: Pick<AlertRecord, "name" | "labels" | "annotations" | "startsAt" | "endsAt">): Alert {
  const alert: Alert = { name: r.name, labels: r.labels, annotations: r.annotations, startsAt: r.startsAt };
  if (r.endsAt !== undefined) alert.endsAt = r.endsAt;
  return alert;
}

/**
 * Decides which alerts to send to which sinks. New desired alerts fire to every sink; alerts
 * already firing are sent again only to sinks that missed them or whose refresh interval passed;
 * records no longer desired are resolved (with `endsAt`) to the sinks that hold them firing.
 */
export function alertTransitions(previous: AlertRecord[], desired: DesiredAlert[], sinks: SinkRef[], now: Date): AlertTransitions {
  const at = iso(now);
  const prevByKey = new Map(previous.map((r) => [alertKey(r), r]));
  const deliveries: AlertDelivery[] = [];
  const next: AlertRecord[] = [];
  const seen = new Set<string>();
  for (const want of desired) {
    const key = alertKey(want);
    if (seen.has(key)) continue;
    seen.add(key);
    const prev = prevByKey.get(key);
    const firing = prev !== undefined && prev.endsAt === undefined;
    const record: AlertRecord = firing
      ? { ...prev, annotations: want.annotations }
      : { name: want.name, labels: want.labels, annotations: want.annotations, startsAt: at, lastSentAt: at, sentTo: [] };
    let sent = false;
    for (const sink of sinks) {
      const holds = firing && prev.sentTo.includes(sink.id);
      const stale =
        holds && sink.refreshIntervalMs !== undefined && now.getTime() - Date.parse(prev.lastSentAt) >= sink.refreshIntervalMs;
      if (!holds) deliveries.push({ sinkId: sink.id, action: "fire", alert: toAlert(record) });
      else if (stale) deliveries.push({ sinkId: sink.id, action: "refresh", alert: toAlert(record) });
      else continue;
      sent = true;
    }
    record.sentTo = sinks.map((s) => s.id);
    if (sent) record.lastSentAt = at;
    next.push(record);
  }
  for (const prev of previous) {
    const key = alertKey(prev);
    if (seen.has(key)) continue;
    seen.add(key);
    const ended: AlertRecord = { ...prev, endsAt: prev.endsAt ?? at };
    const holders = prev.sentTo.filter((id) => sinks.some((s) => s.id === id));
    for (const id of holders) deliveries.push({ sinkId: id, action: "resolve", alert: toAlert(ended) });
    // Once every resolve succeeds, nothing is left to remember.
  }
  return { deliveries, next };
}

/**
 * The records to keep after the deliveries ran: a failed fire is dropped from `sentTo` (retried
 * next pass), a failed resolve keeps the ended record with the sinks still holding it.
 */
export function settleAlertRecords(transitions: AlertTransitions, previous: AlertRecord[], failed: AlertDelivery[]): AlertRecord[] {
  const failedFire = new Set(failed.filter((d) => d.action === "fire").map((d) => `${d.sinkId} ${alertKey(d.alert)}`));
  const out = transitions.next.map((r) => {
    const key = alertKey(r);
    const sentTo = r.sentTo.filter((id) => !failedFire.has(`${id} ${key}`));
    return sentTo.length === r.sentTo.length ? r : { ...r, sentTo };
  });
  const prevByKey = new Map(previous.map((r) => [alertKey(r), r]));
  const unresolved = new Map<string, AlertRecord>();
  for (const d of failed) {
    if (d.action !== "resolve") continue;
    const key = alertKey(d.alert);
    const prev = prevByKey.get(key);
    if (prev === undefined) continue;
    const kept = unresolved.get(key) ?? { ...prev, endsAt: d.alert.endsAt ?? prev.endsAt, sentTo: [] };
    kept.sentTo.push(d.sinkId);
    unresolved.set(key, kept);
  }
  return [...out, ...unresolved.values()];
}
