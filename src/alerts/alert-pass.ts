/**
 * One alerting pass for a caller that keeps its {@link AlertRecord}s somewhere durable (an
 * object's status, a ConfigMap): the sinks built from their specs (tokens resolved by the caller),
 * the transitions decided, sent, and the records settled so a failed send is retried next pass.
 */
import { deliverAlerts, type FailedDelivery } from "./deliver.js";
import { buildSink, sinkTokenRef, type AlertSinkSpec } from "./sink-config.js";
import type { AlertSink } from "./sink.js";
import { alertTransitions, settleAlertRecords, type AlertRecord, type DesiredAlert } from "./transitions.js";

/** Sinks by id (their `describe`), and the secret-free problems met while building them. */
export interface SinkSet {
  sinks: Map<string, AlertSink>;
  problems: string[];
}

/**
 * Builds the sinks `specs` describe. `tokenOf` returns a tokenSecretRef's value (undefined when
 * the Secret or key is missing: the sink is built without it and a problem names the ref).
 */
export function sinkSet(
  specs: readonly AlertSinkSpec[],
  tokenOf: (ref: { name: string; key: string }) => string | undefined,
  where: string,
  build: (spec: AlertSinkSpec, token: string | undefined) => AlertSink = (spec, token) => buildSink(spec, token),
): SinkSet {
  const sinks = new Map<string, AlertSink>();
  const problems: string[] = [];
  for (const spec of specs) {
    const ref = sinkTokenRef(spec);
    const token = ref ? tokenOf(ref) : undefined;
    if (ref && token === undefined) problems.push(`alert sink token Secret ${where}/${ref.name} key "${ref.key}" not found (create it or fix tokenSecretRef)`);
    const sink = build(spec, token);
    sinks.set(sink.describe, sink);
  }
  return { sinks, problems };
}

/** What one pass left: the records to keep, the sends that failed, and whether anything was sent. */
export interface AlertPassResult {
  records: AlertRecord[];
  failed: FailedDelivery[];
  sent: number;
}

/**
 * Fires, refreshes and resolves what changed between `previous` and `desired` on `sinks`.
 * Never throws: a failing sink comes back in `failed` and its send is retried next pass.
 */
export async function runAlertPass(previous: AlertRecord[], desired: DesiredAlert[], sinks: ReadonlyMap<string, AlertSink>, now: Date): Promise<AlertPassResult> {
  const refs = [...sinks].map(([id, s]) => ({ id, ...(s.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: s.refreshIntervalMs }) }));
  const transitions = alertTransitions(previous, desired, refs, now);
  if (transitions.deliveries.length === 0) return { records: transitions.next, failed: [], sent: 0 };
  const failed = await deliverAlerts(sinks, transitions.deliveries);
  return { records: settleAlertRecords(transitions, previous, failed.map((f) => f.delivery)), failed, sent: transitions.deliveries.length - failed.length };
}
