/**
 * Core v1 Events and events.k8s.io/v1 Events are one stored resource in kube-apiserver, served in
 * two shapes (pkg/apis/events/v1/conversion.go): regarding ↔ involvedObject, note ↔ message,
 * reportingController ↔ reportingComponent, deprecatedSource/FirstTimestamp/LastTimestamp/Count ↔
 * source/firstTimestamp/lastTimestamp/count. The test server stores the core shape.
 */
import type { KubeObject } from "../../../src/kube/types.js";

const PAIRS: [core: string, events: string][] = [
  ["involvedObject", "regarding"],
  ["message", "note"],
  ["reportingComponent", "reportingController"],
  ["source", "deprecatedSource"],
  ["firstTimestamp", "deprecatedFirstTimestamp"],
  ["lastTimestamp", "deprecatedLastTimestamp"],
  ["count", "deprecatedCount"],
];

function rename(obj: KubeObject, from: 0 | 1, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: "Event" };
  for (const pair of PAIRS) {
    const src = pair[from];
    const dst = pair[from === 0 ? 1 : 0];
    if (src in out) {
      out[dst] = out[src];
      delete out[src];
    }
  }
  return out;
}

/** True for the events.k8s.io Event type, which is stored as core Events. */
export function isEventsV1(t: { group: string; plural: string }): boolean {
  return t.group === "events.k8s.io" && t.plural === "events";
}

/** events.k8s.io/v1 shape → the stored core v1 shape. */
export function eventToCore(obj: KubeObject): KubeObject {
  return rename(obj, 1, "v1");
}

/** Stored core v1 shape → events.k8s.io/v1 shape. */
export function eventFromCore(obj: KubeObject): KubeObject {
  return rename(obj, 0, "events.k8s.io/v1");
}
