/**
 * The Kubernetes test server's object store: objects per resource (group + plural), one global
 * resourceVersion counter shared by every resource (as etcd's revision is), a bounded history of
 * change events per resource for watch resumption, and the watchers to fan events out to.
 *
 * Stored objects are never mutated in place: every write stores a fresh object, so readers may
 * serialise what they get without copying.
 */
import type { KubeObject } from "../../../src/kube/types.js";

/** A change event as the store records it; `oldObject` is the state before (MODIFIED/DELETED). */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  oldObject?: KubeObject;
  rv: number;
}

/** Something that receives the store's events of one resource. */
export interface StoreWatcher {
  onEvent(ev: StoreEvent): void;
}

interface Bucket {
  objects: Map<string, KubeObject>;
  sortedKeys: string[] | null;
  history: StoreEvent[];
  /** Events up to and including this RV are no longer retained. */
  compactedRV: number;
  watchers: Set<StoreWatcher>;
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The storage key of a resource: `group/plural` ("/secrets" for the core group). */
export function resourceKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}

/** The in-memory object store; see the module comment. */
export class ObjectStore {
  private rv: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly window: number;
  /** uid → where the object lives. */
  private readonly byUid = new Map<string, { res: string; key: string }>();
  /** owner uid → `res\0key` of objects whose ownerReferences name it. */
  private readonly byOwner = new Map<string, Set<string>>();
  /** namespace → count of namespaced objects in it. */
  private readonly perNamespace = new Map<string, number>();

  /** `window` is how many events per resource stay available for watch resumption. */
  constructor(window: number, startRV = 1000) {
    this.window = Math.max(1, window);
    this.rv = startRV;
  }

  /** The newest resourceVersion handed out. */
  currentRV(): number {
    return this.rv;
  }

  /** Reserves the next resourceVersion (for writes that are built before they are stored). */
  nextRV(): number {
    this.rv += 1;
    return this.rv;
  }

  private bucket(res: string): Bucket {
    let b = this.buckets.get(res);
    if (!b) {
      b = { objects: new Map(), sortedKeys: null, history: [], compactedRV: 0, watchers: new Set() };
      this.buckets.set(res, b);
    }
    return b;
  }

  /** The stored object, or undefined. Do not mutate it. */
  get(res: string, key: string): KubeObject | undefined {
    return this.buckets.get(res)?.objects.get(key);
  }

  /** Objects of a resource in key order (namespace/name), optionally one namespace only. */
  list(res: string, namespace?: string): KubeObject[] {
    const b = this.buckets.get(res);
    if (!b) return [];
    if (!b.sortedKeys) b.sortedKeys = [...b.objects.keys()].sort();
    const out: KubeObject[] = [];
    const prefix = namespace ? `${namespace}/` : undefined;
    for (const k of b.sortedKeys) {
      if (prefix && !k.startsWith(prefix)) continue;
      const o = b.objects.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  /** Every resource key that holds objects. */
  resources(): string[] {
    return [...this.buckets.keys()];
  }

  /**
   * Stores `obj` (whose metadata.resourceVersion the caller already set from nextRV()) and
   * records an ADDED or MODIFIED event.
   */
  put(res: string, key: string, obj: KubeObject): void {
    const b = this.bucket(res);
    const old = b.objects.get(key);
    if (!old) b.sortedKeys = null;
    if (old) this.unindex(res, key, old);
    b.objects.set(key, obj);
    this.index(res, key, obj);
    const rv = Number(obj.metadata.resourceVersion);
    this.record(b, old ? { type: "MODIFIED", object: obj, oldObject: old, rv } : { type: "ADDED", object: obj, rv });
  }

  /** Removes an object, recording a DELETED event carrying a fresh resourceVersion. */
  remove(res: string, key: string): KubeObject | undefined {
    const b = this.buckets.get(res);
    const old = b?.objects.get(key);
    if (!b || !old) return undefined;
    b.objects.delete(key);
    b.sortedKeys = null;
    this.unindex(res, key, old);
    const rv = this.nextRV();
    const gone: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.record(b, { type: "DELETED", object: gone, oldObject: old, rv });
    return gone;
  }

  private index(res: string, key: string, obj: KubeObject): void {
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, { res, key });
    for (const r of obj.metadata.ownerReferences ?? []) {
      let set = this.byOwner.get(r.uid);
      if (!set) this.byOwner.set(r.uid, (set = new Set()));
      set.add(`${res}\0${key}`);
    }
    const ns = obj.metadata.namespace;
    if (ns) this.perNamespace.set(ns, (this.perNamespace.get(ns) ?? 0) + 1);
  }

  private unindex(res: string, key: string, obj: KubeObject): void {
    if (obj.metadata.uid) this.byUid.delete(obj.metadata.uid);
    for (const r of obj.metadata.ownerReferences ?? []) {
      const set = this.byOwner.get(r.uid);
      set?.delete(`${res}\0${key}`);
      if (set?.size === 0) this.byOwner.delete(r.uid);
    }
    const ns = obj.metadata.namespace;
    if (ns) this.perNamespace.set(ns, (this.perNamespace.get(ns) ?? 1) - 1);
  }

  /** The object with this uid, with where it lives, or undefined. */
  byUidLookup(uid: string): { res: string; key: string; obj: KubeObject } | undefined {
    const at = this.byUid.get(uid);
    const obj = at && this.get(at.res, at.key);
    return at && obj ? { ...at, obj } : undefined;
  }

  /** Objects whose ownerReferences name `ownerUid`. */
  dependentsOf(ownerUid: string): { res: string; key: string; obj: KubeObject }[] {
    const out: { res: string; key: string; obj: KubeObject }[] = [];
    for (const id of this.byOwner.get(ownerUid) ?? []) {
      const i = id.indexOf("\0");
      const res = id.slice(0, i);
      const key = id.slice(i + 1);
      const obj = this.get(res, key);
      if (obj) out.push({ res, key, obj });
    }
    return out;
  }

  /** How many namespaced objects live in a namespace. */
  countInNamespace(ns: string): number {
    return this.perNamespace.get(ns) ?? 0;
  }

  private record(b: Bucket, ev: StoreEvent): void {
    b.history.push(ev);
    if (b.history.length > this.window) {
      const dropped = b.history.splice(0, b.history.length - this.window);
      const last = dropped[dropped.length - 1];
      if (last) b.compactedRV = Math.max(b.compactedRV, last.rv);
    }
    for (const w of b.watchers) w.onEvent(ev);
  }

  /**
   * Events of a resource after `rv`, or `"expired"` when some of them are no longer retained
   * (the caller answers 410 Gone), with the RV below which history is gone.
   */
  eventsSince(res: string, rv: number): { events: StoreEvent[] } | { expired: number } {
    const b = this.bucket(res);
    if (rv < b.compactedRV) return { expired: b.compactedRV };
    return { events: b.history.filter((e) => e.rv > rv) };
  }

  /** Drops all retained history, so any resume from an older RV gets 410 Gone. */
  expireHistory(): void {
    for (const b of this.buckets.values()) {
      b.history = [];
      b.compactedRV = this.rv;
    }
  }

  /** Registers a watcher for a resource; returns the function that unregisters it. */
  watch(res: string, w: StoreWatcher): () => void {
    const b = this.bucket(res);
    b.watchers.add(w);
    return () => b.watchers.delete(w);
  }

  /** Count of open watchers (all resources). */
  watcherCount(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.watchers.size;
    return n;
  }

  /** Removes every object of every resource without events (watchers stay registered). */
  clear(): void {
    this.byUid.clear();
    this.byOwner.clear();
    this.perNamespace.clear();
    for (const b of this.buckets.values()) {
      b.objects.clear();
      b.sortedKeys = null;
      b.history = [];
      b.compactedRV = this.rv;
    }
  }
}
