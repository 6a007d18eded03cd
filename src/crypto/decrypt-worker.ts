/**
 * The worker side of decrypt-pool.ts: opens hybrid ciphertexts off the main thread. Answers
 * carry the plaintext back to the pool only; failures carry the error's name and message (which
 * never hold data).
 */
import { parentPort } from "node:worker_threads";
import type { KeyObject } from "node:crypto";
import { hybridDecrypt } from "./hybrid-encryption.js";

interface Job {
  id: number;
  keys: KeyObject[];
  label: string;
  ciphertext: Uint8Array;
}

parentPort?.on("message", (job: Job) => {
  try {
    const value = hybridDecrypt(job.keys, job.label, job.ciphertext);
    parentPort?.postMessage({ id: job.id, ok: true, value }, [value.buffer as ArrayBuffer].filter((b) => b.byteLength === value.byteLength));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    parentPort?.postMessage({ id: job.id, ok: false, name: e.name, message: e.message });
  }
});
