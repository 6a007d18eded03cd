// Runs a KindDefinition's passes over in-memory objects (parse → observe → plan → apply the writes,
// merge the status as a status merge patch does), for kind tests that do not need the runtime.
import type { ChildWrite, KindDefinition, Plan } from "../../src/controller/runtime/kind.js";
import type { Clock } from "../../src/clock.js";
import type { KubeObject, ResourceRef } from "../../src/kube/types.js";
import type { ControllerLogger } from "../../src/controller/types.js";

const silent: ControllerLogger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

function keyOf(res: ResourceRef, ns: string | undefined, name: string): string {
  return `${res.plural}:${ns ?? ""}/${name}`;
}

function mergeStatus(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out;
}

/** In-memory objects and a primary object, driven pass by pass. */
export class KindDriver<P, O> {
  readonly objects = new Map<string, KubeObject>();
  readonly passes: Plan[] = [];
  private rv = 1;
  constructor(
    readonly kind: KindDefinition<P, O>,
    public primary: KubeObject,
    readonly clock: Clock,
    readonly log: ControllerLogger = silent,
  ) {}

  put(res: ResourceRef, obj: KubeObject): void {
    this.objects.set(keyOf(res, obj.metadata.namespace, obj.metadata.name ?? ""), { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv++) } });
  }
  get(res: ResourceRef, ns: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(keyOf(res, ns, name));
  }

  private apply(w: ChildWrite): void {
    if (w.op === "delete") this.objects.delete(keyOf(w.resource, w.namespace, w.name));
    else if (w.op === "patch") throw new Error("patch writes are not supported by this driver");
    else this.put(w.resource, w.object);
  }

  /** One pass; returns its plan (writes applied, status merged). */
  async pass(): Promise<Plan> {
    const parsed = this.kind.parse(this.primary);
    if (!parsed.ok) throw new Error(`stalled: ${parsed.message}`);
    const cache = <T extends KubeObject>(res: ResourceRef) => ({
      get: (key: string) => {
        const [ns, name] = key.includes("/") ? key.split("/") : [undefined, key];
        return this.get(res, ns, name ?? "") as T | undefined;
      },
      list: () => [...this.objects.entries()].filter(([k]) => k.startsWith(`${res.plural}:`)).map(([, v]) => v as T),
      synced: async () => undefined,
    });
    const ctx = { clock: this.clock, log: this.log, cache, live: { get: async <T extends KubeObject>(res: ResourceRef, ns: string | undefined, name: string) => (this.get(res, ns, name) as T | undefined) ?? null } };
    const observed = await this.kind.observe(ctx, parsed.value, this.primary);
    const plan = this.kind.plan(parsed.value, observed, this.clock.now());
    for (const w of plan.writes) this.apply(w);
    const status = mergeStatus((this.primary["status"] as Record<string, unknown> | undefined) ?? {}, plan.status ?? {});
    const conditions = [...((status["conditions"] as Array<{ type: string }> | undefined) ?? [])].filter((c) => !plan.conditions.some((n) => n.type === c.type));
    status["conditions"] = [...conditions, ...plan.conditions];
    this.primary = { ...this.primary, status };
    this.passes.push(plan);
    this.kind.passEnded?.(this.primary, plan, observed);
    return plan;
  }

  condition(type: string): { status: string; reason: string; message: string } | undefined {
    return ((this.primary["status"] as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } | undefined)?.conditions ?? []).find((c) => c.type === type);
  }
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date): void {
    this.t = t;
  }
}
