/**
 * Watch streams as kube-apiserver serves them
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
 * a chunked response of newline-terminated `{"type","object"}` events; synthetic ADDED events
 * for the current state when no resourceVersion (or "0") is given; replay from a resourceVersion
 * inside the retained window, else one ERROR event with a 410 Expired Status; BOOKMARKs when
 * allowed; objects moving in/out of a selector become ADDED/DELETED; timeoutSeconds ends it.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KubeObject } from "../../../src/kube/types.js";
import type { Faults, WatchControl } from "./faults.js";
import type { Matcher } from "./selectors.js";
import { gone } from "./status.js";
import type { ObjectStore, StoreEvent } from "./store.js";

/** Everything one watch request needs. */
export interface WatchRequest {
  store: ObjectStore;
  faults: Faults;
  /** Storage key of the resource. */
  resource: string;
  /** Undefined for all namespaces. */
  namespace: string | undefined;
  matches: Matcher;
  /** Current objects for the synthetic ADDED events (already in the served version). */
  initial: () => KubeObject[];
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds: number | undefined;
  bookmarkIntervalMs: number;
  contentType: string;
  /** Turns a stored object into what the event carries (version, Table row). */
  present: (obj: KubeObject) => unknown;
  /**
   * Set when `present` depends only on the object (no Table): watchers with the same key share
   * one serialisation per event, so fan-out costs one JSON.stringify per event, not per watcher.
   */
  shareKey?: string;
  /** apiVersion/kind for BOOKMARK objects. */
  apiVersion: string;
  kind: string;
}

const shared = new WeakMap<KubeObject, Map<string, string>>();
const SLOW_CLIENT_BYTES = 64 * 1024 * 1024;

function line(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}

/** Serves a watch on `res` until the client leaves, the timeout passes or a fault ends it. */
export function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): void {
  const inNamespace = (o: KubeObject): boolean => w.namespace === undefined || o.metadata.namespace === w.namespace;
  const visible = (o: KubeObject | undefined): boolean => o !== undefined && inNamespace(o) && w.matches(o);
  let closed = false;
  let lastRV = w.store.currentRV();
  const timers = new Set<NodeJS.Timeout>();
  let unregister: () => void = () => undefined;

  const finish = (destroy: boolean): void => {
    if (closed) return;
    closed = true;
    unregister();
    for (const t of timers) clearInterval(t);
    timers.clear();
    w.faults.watches.delete(control);
    // A cut lets what was written reach the client, then drops the connection without the
    // chunked terminator, as a broken network path would.
    if (destroy) res.write("", () => res.destroy());
    else res.end();
  };
  const control: WatchControl = {
    drop: () => finish(false),
    cut: () => finish(true),
    cutAfter: w.faults.newWatchCutAfter(),
  };

  const write = (type: string, object: unknown, text?: string): void => {
    if (closed) return;
    res.write(text ?? line(type, object));
    // A client that stops reading is dropped, as the watch cache drops a blocked watcher.
    if (res.writableLength > SLOW_CLIENT_BYTES) {
      finish(true);
      res.destroy();
      return;
    }
    if (type !== "BOOKMARK" && type !== "ERROR" && control.cutAfter !== undefined) {
      control.cutAfter -= 1;
      if (control.cutAfter <= 0) finish(true);
    }
  };

  const deliver = (ev: StoreEvent): void => {
    const now = visible(ev.object);
    const before = ev.type === "ADDED" ? false : visible(ev.oldObject);
    let type: string | undefined;
    if (ev.type === "ADDED") type = now ? "ADDED" : undefined;
    else if (ev.type === "DELETED") type = before ? "DELETED" : undefined;
    else if (now && before) type = "MODIFIED";
    else if (now) type = "ADDED";
    else if (before) type = "DELETED";
    lastRV = ev.rv;
    if (!type) return;
    if (w.shareKey === undefined) return write(type, w.present(ev.object));
    let byKey = shared.get(ev.object);
    if (!byKey) shared.set(ev.object, (byKey = new Map()));
    const key = `${type}|${w.shareKey}`;
    let text = byKey.get(key);
    if (text === undefined) byKey.set(key, (text = line(type, w.present(ev.object))));
    write(type, undefined, text);
  };

  res.writeHead(200, { "Content-Type": w.contentType, "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
  res.flushHeaders();

  let replay: StoreEvent[] = [];
  const rv = w.resourceVersion;
  if (rv !== undefined && rv !== "" && rv !== "0" && !w.sendInitialEvents) {
    const n = Number(rv);
    const since = w.store.eventsSince(w.resource, Number.isFinite(n) ? n : 0);
    if ("expired" in since) {
      write("ERROR", gone(rv, since.expired).body);
      finish(false);
      return;
    }
    replay = since.events;
  }
  // dropWatches() or cutWatchesAfter(0) while this request was on its way (body, injected
  // latency): it was already "open" for the test, so it ends now rather than living on unseen.
  if (w.faults.droppedSince(req)) return finish(false);
  if (control.cutAfter !== undefined && control.cutAfter <= 0) return finish(true);
  w.faults.watches.add(control);
  unregister = w.store.watch(w.resource, { onEvent: deliver });
  req.on("close", () => finish(false));
  res.on("error", () => finish(true));
  // The client hanging up (kubectl get -w killed) closes the response, not the request.
  res.on("close", () => finish(false));

  if (rv === undefined || rv === "" || rv === "0" || w.sendInitialEvents) {
    for (const o of w.initial()) if (visible(o)) write("ADDED", w.present(o));
    if (w.sendInitialEvents && w.allowBookmarks) {
      write("BOOKMARK", {
        kind: w.kind,
        apiVersion: w.apiVersion,
        metadata: { resourceVersion: String(w.store.currentRV()), annotations: { "k8s.io/initial-events-end": "true" } },
      });
    }
  } else for (const ev of replay) deliver(ev);

  // Cut while sending the initial or replayed events: start no timers for a finished stream.
  if (closed) return;
  if (w.allowBookmarks) {
    const tick = setInterval(() => {
      if (!closed) write("BOOKMARK", { kind: w.kind, apiVersion: w.apiVersion, metadata: { resourceVersion: String(Math.max(lastRV, w.store.currentRV())) } });
    }, w.bookmarkIntervalMs);
    tick.unref();
    timers.add(tick);
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    const t = setTimeout(() => finish(false), w.timeoutSeconds * 1000);
    t.unref();
    timers.add(t);
  }
}
