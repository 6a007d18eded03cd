/**
 * DnsCredential alerts to the project's alert sinks: the alerts firing before the pass (from the
 * object's status) and after it go through `alertTransitions`, so an alert fires on entering,
 * resolves on leaving, and — because the previous set comes from status — a restarted
 * controller neither re-fires nor forgets it. Sends run in the background; a failed send is
 * logged (sink and alert name, never a value).
 */
import { deliverAlerts } from "../../alerts/deliver.js";
import type { AlertSink } from "../../alerts/sink.js";
import { alertTransitions, type AlertRecord, type SinkRef } from "../../alerts/transitions.js";
import type { Clock } from "../../clock.js";
import type { ControllerLogger } from "../types.js";
import type { CredentialAlert, CredentialAlertNotifier } from "./credential-alerts.js";

/** A notifier over `sinks`, with `idle()` resolving once the sends started so far have ended. */
export interface SinkNotifier extends CredentialAlertNotifier {
  idle(): Promise<void>;
}

/** Sends DnsCredential alert transitions to `sinks` (none: only logged). */
export function sinkNotifier(sinks: readonly AlertSink[], clock: Clock, log: ControllerLogger): SinkNotifier {
  const byId = new Map(sinks.map((s, i) => [`${i}:${s.describe}`, s] as const));
  const refs: SinkRef[] = [...byId].map(([id, s]) => ({ id, ...(s.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: s.refreshIntervalMs }) }));
  const pending = new Set<Promise<void>>();
  return {
    sync(objectKey, firing, previous = []) {
      // What status held firing was sent to every sink then (the pass that set it sent it).
      const records: AlertRecord[] = previous.map((a) => ({ name: a.name, labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, lastSentAt: a.startsAt, sentTo: refs.map((r) => r.id) }));
      const { deliveries } = alertTransitions(records, firing.map((a) => ({ name: a.name, labels: a.labels, annotations: a.annotations })), refs, clock.now());
      const changes = deliveries.filter((d) => d.action !== "refresh");
      if (changes.length > 0 || (sinks.length === 0 && previous.map((a) => a.name).join() !== firing.map((a) => a.name).join())) {
        log.warn({ dnsCredential: objectKey, alerts: firing.map((a: CredentialAlert) => ({ name: a.name, severity: a.labels["severity"] })), sends: changes.map((d) => `${d.action} ${d.alert.name}`) }, "DNS credential alerts changed");
      }
      if (deliveries.length === 0) return;
      const run = deliverAlerts(byId, deliveries).then(
        (failed) => {
          for (const f of failed) log.warn({ dnsCredential: objectKey, sink: f.delivery.sinkId, alert: f.delivery.alert.name, action: f.delivery.action, error: f.message }, "DNS credential alert not delivered");
        },
        () => undefined,
      );
      pending.add(run);
      void run.finally(() => pending.delete(run));
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
