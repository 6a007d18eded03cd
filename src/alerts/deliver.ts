/**
 * Runs planned alert deliveries against the sinks (the IO half of transitions.ts). A failing sink
 * never throws out of here: its deliveries come back as failed, with a secret-free message.
 */
import type { AlertSink } from "./sink.js";
import type { AlertDelivery } from "./transitions.js";

/** A delivery that did not go through, and why. */
export interface FailedDelivery {
  delivery: AlertDelivery;
  message: string;
}

/**
 * Sends every delivery to its sink (sinks in parallel, one sink's deliveries in order).
 * @returns the deliveries that failed (unknown sink ids fail too).
 */
export async function deliverAlerts(sinks: ReadonlyMap<string, AlertSink>, deliveries: AlertDelivery[]): Promise<FailedDelivery[]> {
  const bySink = new Map<string, AlertDelivery[]>();
  for (const d of deliveries) bySink.set(d.sinkId, [...(bySink.get(d.sinkId) ?? []), d]);
  const failed: FailedDelivery[] = [];
  await Promise.all(
    [...bySink].map(async ([id, list]) => {
      const sink = sinks.get(id);
      for (const d of list) {
        if (sink === undefined) {
          failed.push({ delivery: d, message: `alert sink "${id}" is not configured` });
          continue;
        }
        try {
          if (d.action === "resolve") await sink.resolve(d.alert);
          else await sink.fire(d.alert);
        } catch (err) {
          failed.push({ delivery: d, message: err instanceof Error ? err.message : String(err) });
        }
      }
    }),
  );
  return failed;
}
