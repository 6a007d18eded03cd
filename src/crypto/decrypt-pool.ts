/**
 * A pool of worker threads for hybridDecrypt: RSA-4096 private-key operations are ~10 ms of CPU
 * each, so a controller start with thousands of SealedSecrets is CPU-bound; the pool spreads the
 * work over every core while the main thread keeps serving watches and HTTP.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { KeyObject } from "node:crypto";
import { DecryptError } from "../errors.js";

interface Pending {
  resolve(value: Buffer): void;
  reject(err: Error): void;
}

interface Answer {
  id: number;
  ok: boolean;
  value?: Uint8Array;
  name?: string;
  message?: string;
}

/** Decrypts on worker threads; `decrypt` has hybridDecrypt's contract, asynchronously. */
export class DecryptPool {
  readonly #workers: Worker[] = [];
  readonly #load: number[] = [];
  readonly #pending = new Map<number, Pending & { worker: number }>();
  #next = 0;
  #closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      this.#workers.push(this.#spawn(i));
      this.#load.push(0);
    }
  }

  #spawn(index: number): Worker {
    const worker = spawnWorker();
    worker.unref();
    worker.on("message", (answer: Answer) => this.#answer(answer));
    worker.on("error", (err) => this.#fail(index, err));
    // A worker that dies (out of memory, a bug) is replaced; its jobs have been rejected.
    worker.on("exit", () => {
      if (this.#closed) return;
      this.#fail(index, new Error("decrypt worker exited"));
      this.#workers[index] = this.#spawn(index);
    });
    return worker;
  }

  get size(): number {
    return this.#workers.length;
  }

  /**
   * Opens one ciphertext with any of `keys` under `label`.
   * @throws DecryptError as hybridDecrypt does (malformed, wrong key or scope, tampered).
   */
  decrypt(keys: readonly KeyObject[], label: string, ciphertext: Buffer): Promise<Buffer> {
    const id = this.#next++;
    // The least-loaded worker takes the job.
    let w = 0;
    for (let i = 1; i < this.#load.length; i++) if ((this.#load[i] ?? 0) < (this.#load[w] ?? 0)) w = i;
    this.#load[w] = (this.#load[w] ?? 0) + 1;
    return new Promise<Buffer>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, worker: w });
      this.#workers[w]?.postMessage({ id, keys: [...keys], label, ciphertext });
    });
  }

  /** Stops every worker; pending jobs reject. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.terminate()));
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(new Error("decrypt pool closed"));
    }
  }

  #answer(answer: Answer): void {
    const p = this.#pending.get(answer.id);
    if (!p) return;
    this.#pending.delete(answer.id);
    this.#load[p.worker] = Math.max(0, (this.#load[p.worker] ?? 1) - 1);
    if (answer.ok && answer.value) p.resolve(Buffer.from(answer.value.buffer, answer.value.byteOffset, answer.value.byteLength));
    else if (answer.name === "DecryptError") p.reject(new DecryptError(answer.message ?? "cannot decrypt"));
    else p.reject(new Error(answer.message ?? "decrypt worker failed"));
  }

  #fail(worker: number, err: Error): void {
    for (const [id, p] of this.#pending) {
      if (p.worker !== worker) continue;
      this.#pending.delete(id);
      p.reject(err);
    }
    this.#load[worker] = 0;
  }
}

function spawnWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./decrypt-worker.js", import.meta.url));
  // Running from source under tsx (tests): the worker registers tsx itself before loading the .ts
  // entry. tsx is resolved here, from this file: eval'd code would resolve it from the cwd, which
  // may be any directory.
  const entry = JSON.stringify(new URL("./decrypt-worker.ts", import.meta.url).href);
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  return new Worker(`import(${tsx}).then((m) => { m.register(); return import(${entry}); });`, { eval: true });
}

/**
 * A pool with one worker per core, or null on a single core (where in-thread decryption is as
 * fast and simpler).
 */
export function createDecryptPool(size = availableParallelism()): DecryptPool | null {
  return size >= 2 ? new DecryptPool(size) : null;
}
