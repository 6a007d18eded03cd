/**
 * Run-time fault injection for the Kubernetes test server: added latency and injected error
 * answers per path, and control over open watch streams (drop now, cut after n events).
 * Plus request counters. Switchable from tests while the server runs.
 */

/** One open watch stream, as the fault controls see it. */
export interface WatchControl {
  /** Ends the stream cleanly (the client sees the watch close). */
  drop(): void;
  /** Destroys the connection mid-stream (no clean chunked end). */
  cut(): void;
  /** Cut after this many more events (undefined: never). */
  cutAfter: number | undefined;
}

interface FailRule {
  pattern: RegExp;
  status: number;
  rate: number;
  remaining: number | undefined;
  method: string | undefined;
}

/** How many times an injected failure applies: a probability per request, or the next `count` matches. */
export type FailAmount = number | { rate?: number; count?: number; method?: string };

/** The fault switches; see the module comment. */
export class Faults {
  private latency: { pattern: RegExp; ms: number }[] = [];
  private failures: FailRule[] = [];
  private cutAfterN: number | undefined;
  private drops = 0;
  private readonly arrivals = new WeakMap<object, number>();
  readonly watches = new Set<WatchControl>();

  constructor(private readonly random: () => number) {}

  /** Adds `ms` of latency to requests whose path (with query) matches. */
  latencyMs(pathRegex: RegExp | string, ms: number): void {
    this.latency.push({ pattern: new RegExp(pathRegex), ms });
  }

  /**
   * Answers matching requests with `status` (5xx as InternalError/ServiceUnavailable Status,
   * 429 TooManyRequests with Retry-After). `amount` below 1 is a rate; an integer of 1 or more
   * is a count of next matching requests; or pass `{ rate }` / `{ count }` (optionally `method`).
   */
  failRate(pathRegex: RegExp | string, status: number, amount: FailAmount): void {
    const a = typeof amount === "number" ? (amount >= 1 && Number.isInteger(amount) ? { count: amount } : { rate: amount }) : amount;
    this.failures.push({
      pattern: new RegExp(pathRegex),
      status,
      rate: a.count !== undefined ? 1 : a.rate ?? 1,
      remaining: a.count,
      method: a.method?.toUpperCase(),
    });
  }

  /**
   * Ends every open watch stream now, including watch requests that have reached the server but
   * are not registered yet (reading the body, injected latency): they end as soon as they start.
   */
  dropWatches(): void {
    this.drops += 1;
    for (const w of [...this.watches]) w.drop();
  }

  /** Notes that a request reached the server (before any await), for `droppedSince`. */
  noteArrival(req: object): void {
    this.arrivals.set(req, this.drops);
  }

  /** True when dropWatches() ran after this request arrived: a watch for it ends at once. */
  droppedSince(req: object): boolean {
    const at = this.arrivals.get(req);
    return at !== undefined && at !== this.drops;
  }

  /**
   * Open and future watch streams are cut (connection destroyed) after `n` more events; `n <= 0`
   * cuts the open ones now (and new ones as soon as they start).
   */
  cutWatchesAfter(n: number): void {
    this.cutAfterN = n;
    for (const w of [...this.watches]) {
      w.cutAfter = n;
      if (n <= 0) w.cut();
    }
  }

  /** The cut-after setting a new watch starts with. */
  newWatchCutAfter(): number | undefined {
    return this.cutAfterN;
  }

  /** Removes every latency and failure rule and the watch cut setting. */
  clear(): void {
    this.latency = [];
    this.failures = [];
    this.cutAfterN = undefined;
    for (const w of this.watches) w.cutAfter = undefined;
  }

  /** Total latency to add for a request. */
  delayFor(pathWithQuery: string): number {
    return this.latency.filter((l) => l.pattern.test(pathWithQuery)).reduce((s, l) => s + l.ms, 0);
  }

  /** The status to fail a request with, or undefined to serve it. */
  failureFor(method: string, pathWithQuery: string): number | undefined {
    for (const f of this.failures) {
      if (f.method && f.method !== method) continue;
      if (!f.pattern.test(pathWithQuery)) continue;
      if (f.remaining !== undefined) {
        if (f.remaining <= 0) continue;
        f.remaining -= 1;
        return f.status;
      }
      if (this.random() < f.rate) return f.status;
    }
    return undefined;
  }
}

/** One served request, as the counters record it. */
export interface RequestRecord {
  method: string;
  /** Path with query string. */
  path: string;
  status: number;
  /** True for persisted mutations (create/update/patch/delete that changed the store). */
  write: boolean;
}

/** Request counters over the records of served requests. */
export class Counters {
  readonly records: RequestRecord[] = [];
  private writeCount = 0;

  /** Records a served request. */
  add(r: RequestRecord): void {
    this.records.push(r);
    if (r.write) this.writeCount += 1;
  }

  /** Requests seen, optionally only one method and/or paths matching a pattern. */
  requests(method?: string, pathRegex?: RegExp | string): number {
    const re = pathRegex === undefined ? undefined : new RegExp(pathRegex);
    return this.records.filter((r) => (!method || r.method === method.toUpperCase()) && (!re || re.test(r.path))).length;
  }

  /** Successful mutating requests that changed the store (no-op updates and dry runs excluded). */
  writes(): number {
    return this.writeCount;
  }

  /** Forgets everything counted so far. */
  reset(): void {
    this.records.length = 0;
    this.writeCount = 0;
  }
}
