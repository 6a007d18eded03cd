/**
 * Kubernetes Events (core/v1) for what a person should see. Repeats of the same event
 * (object, type, reason, message) within a window are aggregated into one Event's
 * count/lastTimestamp, and patched at most once per interval, so a failing object in backoff
 * cannot cause an event storm. Best effort: failures are logged, never thrown.
 */
import type { Clock } from "../../clock.js";
import type { KubeClient, KubeObject } from "../../kube/types.js";
import { scrubText } from "../../log.js";
import type { ControllerLogger } from "../types.js";
import { EVENTS } from "../../kube/resources.js";

/** core/v1 Events. */

/** What an EventRecorder needs. */
export interface EventRecorderOptions {
  kube: KubeClient;
  clock: Clock;
  log: ControllerLogger;
  /** Reporting instance (the controller's identity). */
  instance: string;
  /** Repeats within this window update the same Event. Default 10 min. */
  windowMs?: number;
  /** Least time between two writes of the same aggregated Event. Default 30 s. */
  minUpdateIntervalMs?: number;
}

interface Aggregate {
  namespace: string;
  name: string;
  firstTimestamp: string;
  count: number;
  /** Count last written to the API. */
  written: number;
  lastWriteMs: number;
  firstMs: number;
}

const MAX_MESSAGE = 1024;
const MAX_AGGREGATES = 4096;

/** Records Events with aggregation of duplicates. */
export class EventRecorder {
  readonly #o: Required<EventRecorderOptions>;
  readonly #aggregates = new Map<string, Aggregate>();
  #sequence = 0;

  constructor(options: EventRecorderOptions) {
    this.#o = { windowMs: 600_000, minUpdateIntervalMs: 30_000, ...options };
  }

  /** Records an Event about `regarding`; never throws. */
  async record(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    try {
      await this.#record(regarding, type, reason, message);
    } catch (err) {
      this.#o.log.warn({ err, reason, object: describe(regarding) }, "recording event failed");
    }
  }

  async #record(regarding: KubeObject, type: "Normal" | "Warning", reason: string, rawMessage: string): Promise<void> {
    const { kube, clock } = this.#o;
    const now = clock.now();
    const nowMs = now.getTime();
    const stamp = `${now.toISOString().slice(0, 19)}Z`;
    const message = truncate(scrubText(rawMessage));
    const meta = regarding.metadata;
    const key = [meta.uid ?? `${meta.namespace}/${meta.name}`, type, reason, message].join("\u0000");
    const existing = this.#aggregates.get(key);
    if (existing && nowMs - existing.firstMs < this.#o.windowMs) {
      existing.count += 1;
      if (nowMs - existing.lastWriteMs < this.#o.minUpdateIntervalMs) return;
      existing.lastWriteMs = nowMs;
      existing.written = existing.count;
      await kube.mergePatch(EVENTS, existing.namespace, existing.name, { count: existing.count, lastTimestamp: stamp });
      return;
    }
    const namespace = meta.namespace ?? "default";
    this.#sequence += 1;
    const name = `${meta.name ?? "object"}.${(nowMs * 1000 + (this.#sequence % 1000)).toString(16)}`;
    const event: KubeObject = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: regarding.apiVersion,
        kind: regarding.kind,
        name: meta.name,
        namespace: meta.namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: "sealbridge" },
      reportingComponent: "sealbridge",
      reportingInstance: this.#o.instance,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      count: 1,
    };
    if (this.#aggregates.size >= MAX_AGGREGATES) this.#evict(nowMs);
    this.#aggregates.set(key, { namespace, name, firstTimestamp: stamp, count: 1, written: 1, lastWriteMs: nowMs, firstMs: nowMs });
    await kube.create(EVENTS, event);
  }

  #evict(nowMs: number): void {
    for (const [key, agg] of this.#aggregates) {
      if (nowMs - agg.firstMs >= this.#o.windowMs) this.#aggregates.delete(key);
    }
    if (this.#aggregates.size >= MAX_AGGREGATES) {
      const oldest = this.#aggregates.keys().next();
      if (!oldest.done) this.#aggregates.delete(oldest.value);
    }
  }
}

function truncate(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}…` : message;
}

function describe(obj: KubeObject): string {
  return `${obj.kind ?? "object"} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name ?? ""}`;
}
