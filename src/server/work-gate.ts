/**
 * A gate for synchronous, CPU-bound request work (parsing a request body): jobs run one at a
 * time, each in its own macrotask, so the probes and other sockets are served between two jobs
 * however many requests arrive at once; beyond `maxWaiting` queued jobs a request is refused
 * (the caller answers 503) instead of piling up buffered bodies.
 */

/** The job's value, or `busy` when the queue was full and the job did not run. */
export type GateResult<T> = { ok: true; value: T } | { ok: false; busy: true };

/** Runs jobs one at a time with a bounded queue. */
export class WorkGate {
  readonly #maxWaiting: number;
  readonly #queue: Array<() => void> = [];
  #running = false;

  /** `maxWaiting`: jobs that may wait behind the running one (default 8). */
  constructor(options: { maxWaiting?: number } = {}) {
    this.#maxWaiting = options.maxWaiting ?? 8;
  }

  /**
   * Runs `job` after the jobs queued before it, in a fresh macrotask (so pending I/O is served
   * first). Resolves `{ ok: false, busy: true }` at once when the queue is full.
   * @throws whatever `job` throws.
   */
  run<T>(job: () => T): Promise<GateResult<T>> {
    if (this.#queue.length >= this.#maxWaiting) return Promise.resolve({ ok: false, busy: true });
    return new Promise<GateResult<T>>((resolve, reject) => {
      this.#queue.push(() => {
        try {
          resolve({ ok: true, value: job() });
        } catch (err) {
          reject(err);
        }
      });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#queue.shift();
    if (!next) return;
    this.#running = true;
    setImmediate(() => {
      try {
        next();
      } finally {
        this.#running = false;
        this.#pump();
      }
    });
  }
}
