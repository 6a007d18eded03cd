/**
 * Garbage collection and namespace termination, done in the background as the real controllers
 * do (https://kubernetes.io/docs/concepts/architecture/garbage-collection/,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/finalizers/):
 * - an object whose owners are all gone is deleted; dangling owner references of an object
 *   that still has a live owner are removed;
 * - `foregroundDeletion`: dependents are deleted first, then the finalizer is removed;
 * - `orphan`: dependents lose their owner reference, then the finalizer is removed;
 * - a terminating namespace has its content deleted, then is removed.
 */
import type { KubeObject } from "../../../src/kube/types.js";
import type { TypeRegistry } from "./registry.js";
import type { ResourceType } from "./resource-types.js";
import type { DeletionHooks, Semantics } from "./semantics.js";
import { resourceKey, type ObjectStore } from "./store.js";

/** The background collector; see the module comment. */
export class GarbageCollector implements DeletionHooks {
  private semantics: Semantics | undefined;
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly registry: TypeRegistry,
    private readonly store: ObjectStore,
  ) {}

  /** Connects the semantics the collector deletes and updates through. */
  attach(semantics: Semantics): void {
    this.semantics = semantics;
  }

  /** Stops scheduling work (server stopped). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once no collection work is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(fn: () => void): void {
    if (this.stopped) return;
    this.pending += 1;
    setImmediate(() => {
      try {
        if (!this.stopped) fn();
      } catch {
        // A dependent that vanished or conflicts is retried by the next event, as the real GC requeues.
      } finally {
        this.pending -= 1;
        if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    });
  }

  /** Distinct stored resources, one served type each. */
  private types(): ResourceType[] {
    const seen = new Set<string>();
    const out: ResourceType[] = [];
    for (const t of this.registry.all()) {
      const k = `${t.group}/${t.plural}`;
      if (t.verbs.includes("list") && !seen.has(k)) {
        seen.add(k);
        out.push(t);
      }
    }
    return out;
  }

  /** The served type that stores `res` (a storage key), or undefined. */
  private typeOf(res: string): ResourceType | undefined {
    return this.types().find((t) => resourceKey(t.group, t.plural) === res);
  }

  private dependentsOf(uid: string): { t: ResourceType; o: KubeObject }[] {
    const out: { t: ResourceType; o: KubeObject }[] = [];
    for (const d of this.store.dependentsOf(uid)) {
      const t = this.typeOf(d.res);
      if (t) out.push({ t, o: d.obj });
    }
    return out;
  }

  removed(t: ResourceType, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid && this.store.dependentsOf(uid).length > 0) this.schedule(() => this.collectDependents(uid));
    const owners = obj.metadata.ownerReferences ?? [];
    if (owners.length > 0) this.schedule(() => this.recheckOwners(owners.map((o) => o.uid)));
    const ns = obj.metadata.namespace;
    if (ns) this.schedule(() => this.recheckNamespace(ns));
    void t;
  }

  terminating(t: ResourceType, obj: KubeObject): void {
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name ?? "";
    if (t.group === "" && t.plural === "namespaces") {
      this.schedule(() => this.terminateNamespace(name));
      return;
    }
    this.schedule(() => this.processFinalizers(t, ns, name));
  }

  private collectDependents(ownerUid: string): void {
    const s = this.semantics;
    if (!s) return;
    for (const { t, o } of this.dependentsOf(ownerUid)) {
      const refs = o.metadata.ownerReferences ?? [];
      const solid = refs.filter((r) => this.store.byUidLookup(r.uid) !== undefined);
      if (solid.length === 0) {
        if (!o.metadata.deletionTimestamp) s.delete(t, o.metadata.namespace, o.metadata.name ?? "", { propagationPolicy: "Background" });
      } else {
        s.update(t, o.metadata.namespace, o.metadata.name ?? "", { ...o, metadata: { ...o.metadata, ownerReferences: solid } });
      }
    }
  }

  private recheckOwners(uids: string[]): void {
    for (const uid of uids) {
      const found = this.store.byUidLookup(uid);
      const t = found && this.typeOf(found.res);
      if (found && t && found.obj.metadata.deletionTimestamp) this.processFinalizers(t, found.obj.metadata.namespace, found.obj.metadata.name ?? "");
    }
  }

  private processFinalizers(t: ResourceType, ns: string | undefined, name: string): void {
    const s = this.semantics;
    if (!s) return;
    const obj = s.find(t, ns, name);
    if (!obj?.metadata.deletionTimestamp) return;
    const finalizers = obj.metadata.finalizers ?? [];
    const uid = obj.metadata.uid ?? "";
    if (finalizers.includes("orphan")) {
      for (const d of this.dependentsOf(uid)) {
        const refs = (d.o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        const meta = { ...d.o.metadata, ownerReferences: refs };
        if (refs.length === 0) delete (meta as { ownerReferences?: unknown }).ownerReferences;
        s.update(d.t, d.o.metadata.namespace, d.o.metadata.name ?? "", { ...d.o, metadata: meta });
      }
      this.dropFinalizer(t, obj, "orphan");
      return;
    }
    if (finalizers.includes("foregroundDeletion")) {
      const deps = this.dependentsOf(uid);
      for (const d of deps) {
        if (!d.o.metadata.deletionTimestamp) s.delete(d.t, d.o.metadata.namespace, d.o.metadata.name ?? "", { propagationPolicy: "Foreground" });
      }
      if (this.dependentsOf(uid).length === 0) this.dropFinalizer(t, obj, "foregroundDeletion");
    }
  }

  private dropFinalizer(t: ResourceType, obj: KubeObject, f: string): void {
    const s = this.semantics;
    const cur = s?.find(t, obj.metadata.namespace, obj.metadata.name ?? "");
    if (!s || !cur) return;
    const finalizers = (cur.metadata.finalizers ?? []).filter((x) => x !== f);
    s.update(t, cur.metadata.namespace, cur.metadata.name ?? "", { ...cur, metadata: { ...cur.metadata, finalizers } });
  }

  private terminateNamespace(ns: string): void {
    const s = this.semantics;
    if (!s) return;
    for (const t of this.types()) {
      if (!t.namespaced) continue;
      for (const o of s.list(t, ns)) {
        if (!o.metadata.deletionTimestamp) s.delete(t, ns, o.metadata.name ?? "", { propagationPolicy: "Background" });
      }
    }
    this.recheckNamespace(ns);
  }

  private recheckNamespace(ns: string): void {
    const s = this.semantics;
    const nsType = this.registry.find("", "v1", "namespaces");
    if (!s || !nsType) return;
    const obj = s.find(nsType, undefined, ns);
    if (!obj?.metadata.deletionTimestamp) return;
    if (this.store.countInNamespace(ns) === 0) s.finalizeNamespace(ns);
  }
}
