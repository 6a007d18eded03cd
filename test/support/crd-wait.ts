/**
 * `kubectl wait --for=condition=Established` for CRDs just applied. A real kube-apiserver
 * stores a new CRD with `status.conditions: null` until its establishing controller writes the
 * conditions a moment later, and real kubectl's wait refuses such an object at once
 * (".status.conditions accessor error: <nil> is of the type <nil>") instead of waiting. So the
 * wait is repeated while that is the answer, up to the timeout.
 */
import { setTimeout as delay } from "node:timers/promises";

type Kubectl = (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;

/** Waits until every CRD in `targets` (names such as `crd/x.example.io`, or `crd --all`) is Established. */
export async function waitEstablished(kubectl: Kubectl, targets: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const r = await kubectl(["wait", "--for=condition=Established", ...targets, `--timeout=${left}s`]);
    if (r.code === 0 || !r.stderr.includes("accessor error") || Date.now() >= deadline) return r;
    await delay(100);
  }
}
